import { existsSync } from 'node:fs';
import path from 'node:path';

/** The project root (the folder holding package.json), whether running from src/ or dist/. */
export const projectRoot: string = (() => {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json')) || path.basename(dir) === 'dist') {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json not found above ' + __dirname);
    dir = parent;
  }
  return dir;
})();

/**
 * Keeps only same-site relative paths ("/admin/users?x=1"), so a `returnTo` can never send
 * the browser to another host ("//evil", "/\\evil", "https://…").
 */
export function safeReturnPath(value: unknown, fallback = '/'): string {
  if (typeof value !== 'string') return fallback;
  if (!/^\/(?![/\\])[\w\-./?=&%~]*$/.test(value)) return fallback;
  return value;
}

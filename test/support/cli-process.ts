import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const tsxCli = require.resolve('tsx/cli');
// npm runs jest with the pinned Node 24; the system node (20) cannot run the CLI's dependencies.
const node =
  Number(process.versions.node.split('.')[0]) >= 24
    ? process.execPath
    : path.join(root, 'node_modules/.bin/node');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `npm run cli -- <args>` as operators run it: the real process through tsx, on the run's
 * database unless `databaseUrl` names another, with `env` added to the environment, `input` (or
 * nothing) on its stdin, and killed after `timeoutMs` (60 s unless told).
 */
export function runCli(
  args: string[],
  opts: {
    input?: string;
    databaseUrl?: string;
    env?: Record<string, string>;
    timeoutMs?: number;
  } = {},
): CliResult {
  const res = spawnSync(node, [tsxCli, 'src/cli/main.ts', ...args], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: opts.databaseUrl ?? process.env.TEST_DATABASE_URL,
      // The run's Redis keys only (an import refreshes cached identities there).
      REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: `${process.env.TEST_REDIS_PREFIX ?? 'test:'}cli:`,
      // No checkpoints of a developer's own runs (var/audit-checkpoints) unless a test sets its own.
      AUDIT_CHECKPOINT_DIR: path.join(os.tmpdir(), 'his-no-checkpoints'),
      LOG_LEVEL: 'silent',
      ...opts.env,
    },
    input: opts.input ?? '',
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 60_000,
  });
  if (res.error) throw res.error;
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

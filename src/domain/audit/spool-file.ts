import { mkdir, open, readdir, readFile, rename } from 'node:fs/promises';
import path from 'node:path';

/**
 * The files of the audit spool, named after the process that wrote them so that any later
 * process can tell whose they are: `<pid>-<startedMs>-<seq>.jsonl`, one JSON line per event.
 * A drainer claims a file by renaming it to `<name>.claimed-<pid>-<startedMs>` (a rename is
 * atomic: of two drainers, one gets ENOENT).
 */
export interface SpoolOwner {
  pid: number;
  startedMs: number;
}

export interface SpoolFileName {
  /** The name the writer gave it: the batch id its replay progress is kept under. */
  batch: string;
  writer: SpoolOwner;
  seq: number;
  /** Who claimed it for draining, if anyone. */
  claimedBy: SpoolOwner | null;
}

const NAME = /^(\d+)-(\d+)-(\d+)\.jsonl(?:\.claimed-(\d+)-(\d+))?$/;

export const spoolFileName = (owner: SpoolOwner, seq: number) =>
  `${owner.pid}-${owner.startedMs}-${seq}.jsonl`;

export const claimedName = (batch: string, by: SpoolOwner) =>
  `${batch}.claimed-${by.pid}-${by.startedMs}`;

export function parseSpoolFileName(name: string): SpoolFileName | null {
  const m = NAME.exec(name);
  if (!m) return null;
  return {
    batch: name.split('.claimed-')[0]!,
    writer: { pid: Number(m[1]), startedMs: Number(m[2]) },
    seq: Number(m[3]),
    claimedBy: m[4] ? { pid: Number(m[4]), startedMs: Number(m[5]) } : null,
  };
}

/**
 * Appends one line and waits until it is on disk (fsync); a new file's directory entry is synced
 * too, so neither the line nor the file can vanish in a power cut after this resolves.
 */
export async function appendDurably(file: string, line: string): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true });
  const handle = await open(file, 'a');
  let created: boolean;
  try {
    created = (await handle.stat()).size === 0;
    await handle.appendFile(line.endsWith('\n') ? line : `${line}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  if (created) {
    const dirHandle = await open(dir, 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
  }
}

/** The spool files in `dir` (none when it does not exist yet), parsed, in the order written. */
export async function listSpoolFiles(dir: string): Promise<(SpoolFileName & { name: string })[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names
    .flatMap((name) => {
      const parsed = parseSpoolFileName(name);
      return parsed ? [{ ...parsed, name }] : [];
    })
    .sort(
      (a, b) =>
        a.writer.startedMs - b.writer.startedMs || a.writer.pid - b.writer.pid || a.seq - b.seq,
    );
}

/** Renames `from` to `to`; false when another process took it first (it is gone). */
export async function claim(from: string, to: string): Promise<boolean> {
  try {
    await rename(from, to);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/**
 * The complete lines of a spool file. A last line without its newline is a write that never
 * finished (the process died inside it, so it was never acknowledged) and is left out.
 */
export async function readSpoolLines(file: string): Promise<{ lines: string[]; torn: boolean }> {
  const text = await readFile(file, 'utf8');
  const parts = text.split('\n');
  const tail = parts.pop() ?? '';
  return { lines: parts.filter((l) => l.length > 0), torn: tail.length > 0 };
}

import { rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Sequelize } from 'sequelize';
import { createAuditTrailStore } from '../../storage/audit/trail-store';
import type { Logger } from '../../shared/logger';
import { parseSpoolLine, type SpoolLine } from './spool-events';
import { readSpoolLines } from './spool-file';

/**
 * Stores the lines of a claimed spool file that are not stored yet, one transaction per line:
 * the line's row (chained under the table's lock) and the file's progress in
 * audit_spool_batches move together, the progress row locked FOR UPDATE first, so whoever
 * replays the file — this drainer after a crash, or another one — starts at the first line not
 * stored. Deletes the file when done; returns how many rows it stored. A file with a line that
 * is not an audit event is renamed `.rejected`, nothing of it stored.
 */
export async function replaySpoolFile(
  deps: { sequelize: Sequelize; logger: Logger },
  file: string,
  batch: string,
): Promise<number> {
  const { sequelize, logger } = deps;
  const { lines: texts, torn } = await readSpoolLines(file);
  if (torn) logger.warn({ batch }, 'audit spool: unfinished last line ignored');
  let lines: SpoolLine[];
  try {
    lines = texts.map(parseSpoolLine);
  } catch (err) {
    await rename(file, path.join(path.dirname(file), `${batch}.rejected`));
    logger.error({ batch, err: (err as Error).message }, 'audit spool: unreadable file set aside');
    return 0;
  }
  const store = createAuditTrailStore(sequelize);
  let stored = 0;
  for (let next = 0; next < lines.length;) {
    const step = await store.transaction(async (transaction) => {
      const done = await store.lockProgress(batch, transaction);
      const line = lines[done];
      if (!line) return { next: done, stored: false };
      // A COMMIT that went unanswered may have landed: look before storing it again.
      const landed = line.mayBeStored && (await store.isStored(line, transaction));
      if (!landed) await store.appendSpooled(line, transaction);
      await store.setProgress(batch, done + 1, transaction);
      return { next: done + 1, stored: !landed };
    });
    next = step.next;
    if (step.stored) stored += 1;
  }
  await unlink(file);
  await store.forgetProgress(batch);
  return stored;
}

import path from 'node:path';
import type { Sequelize } from 'sequelize';
import type { Logger } from '../../shared/logger';
import { isDatabaseUnavailable, mayHaveCommitted } from '../../db/unavailable';
import type { SpooledEvent, SpoolLine } from './spool-events';
import { replaySpoolFile } from './spool-replay';
import {
  appendDurably,
  claim,
  claimedName,
  listSpoolFiles,
  spoolFileName,
  type SpoolOwner,
} from './spool-file';

export type { SpooledEvent };

export interface AuditSpool {
  /**
   * Runs `write`, the event's own append. When it fails because PostgreSQL is unavailable, the
   * event is appended to the spool (on disk, fsync'd) and this resolves 'spooled': the logout,
   * expiry or refusal it records goes on. Any other failure, or a spool that cannot be written,
   * is thrown. After a successful write, whatever waits in the spool is drained.
   */
  writeOrSpool(entry: SpooledEvent, write: () => Promise<void>): Promise<'stored' | 'spooled'>;
  /** PostgreSQL just took a write: drain in the background if anything may be waiting. */
  nudge(): void;
  /** Writes every file waiting in the spool into PostgreSQL, in order; returns the rows stored. */
  drain(): Promise<number>;
  /** Drains now and then every `intervalMs`, until {@link stop}. */
  start(intervalMs: number): void;
  /** Stops the interval and waits for a drain under way. */
  stop(): Promise<void>;
}

const NUDGE_PAUSE_AFTER_FAILURE_MS = 60_000;

/** Spools of this process that are running: a same-pid file of another start is a dead one's. */
const running = new Set<string>();
let lastStartedMs = 0;
const key = (owner: SpoolOwner) => `${owner.pid}-${owner.startedMs}`;

function isAlive(owner: SpoolOwner): boolean {
  // In a container every start gets the same small pid: pid alone would keep a dead one's files.
  if (owner.pid === process.pid) return running.has(key(owner));
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The durable audit spool of one process (AUDIT_SPOOL_DIR). Rows keep their original
 * occurred_at and are chained when they are finally written, under the chains' usual lock, so
 * `audit:verify` holds after a drain. Replay progress is kept in audit_spool_batches in the same
 * transaction as each row: a drain cut short by a crash or a new outage resumes where it
 * stopped, and two drainers of the same file never store a line twice.
 */
export function createAuditSpool(deps: {
  dir: string;
  sequelize: Sequelize;
  logger: Logger;
  /** Who this spool is (tests: a dead process's). */
  owner?: SpoolOwner;
}): AuditSpool {
  const { dir, sequelize, logger } = deps;
  // Unique within the process too: several apps (tests) may start in the same millisecond.
  lastStartedMs = Math.max(Date.now(), lastStartedMs + 1);
  const owner = deps.owner ?? { pid: process.pid, startedMs: lastStartedMs };
  running.add(key(owner));
  let seq = 0;
  let current: string | null = null;
  let appends: Promise<unknown> = Promise.resolve();
  let draining: Promise<number> | null = null;
  // Files of earlier processes may be waiting: look once, after the first successful write.
  let maybePending = true;
  let timer: NodeJS.Timeout | null = null;

  /** Appends run one after another, so a file's lines are in the order the events happened. */
  const serially = <T>(work: () => Promise<T>): Promise<T> => {
    const next = appends.then(work);
    appends = next.catch(() => undefined);
    return next;
  };

  const spool = (line: SpoolLine) =>
    serially(async () => {
      current ??= path.join(dir, spoolFileName(owner, seq++));
      await appendDurably(current, JSON.stringify(line));
      maybePending = true;
    });

  async function drainOnce(): Promise<number> {
    // New events go to a new file from now on: the ones before it are complete and claimable.
    const complete = await serially(async () => {
      current = null;
      return seq;
    });
    let stored = 0;
    for (const file of await listSpoolFiles(dir)) {
      const holder = file.claimedBy ?? file.writer;
      const mine = key(holder) === key(owner);
      if (mine ? !file.claimedBy && file.seq >= complete : isAlive(holder)) continue;
      const claimed = path.join(dir, claimedName(file.batch, owner));
      if (
        file.name !== path.basename(claimed) &&
        !(await claim(path.join(dir, file.name), claimed))
      )
        continue;
      try {
        stored += await replaySpoolFile({ sequelize, logger }, claimed, file.batch);
      } catch (err) {
        if (isDatabaseUnavailable(err)) return stored; // still down: next time
        throw err;
      }
    }
    maybePending = false;
    return stored;
  }

  // A write that succeeded while a drain was under way: that drain may have met PostgreSQL still
  // recovering and given up, so one more pass follows it (else the spool waited for the next
  // write or the interval).
  let again = false;
  const drain = (): Promise<number> => {
    draining ??= drainOnce()
      .then((stored) => {
        if (stored > 0) logger.info({ stored }, 'audit spool: events written to PostgreSQL');
        return stored;
      })
      .finally(() => {
        draining = null;
        if (again) {
          again = false;
          nudge();
        }
      });
    return draining;
  };

  // After a drain that failed for another reason than an outage (a row PostgreSQL refuses), only
  // the interval retries: not every successful write, which would log the failure each time.
  let quietUntil = 0;
  const drainQuietly = () =>
    void drain().catch((err: unknown) => {
      quietUntil = Date.now() + NUDGE_PAUSE_AFTER_FAILURE_MS;
      logger.error({ err: (err as Error).message }, 'audit spool: drain failed');
    });

  function nudge(): void {
    if (!maybePending || Date.now() < quietUntil) return;
    if (draining) again = true;
    else drainQuietly();
  }

  return {
    async writeOrSpool(entry, write) {
      try {
        await write();
      } catch (err) {
        if (!isDatabaseUnavailable(err)) throw err;
        try {
          await spool({ ...entry, mayBeStored: mayHaveCommitted(err) });
        } catch (spoolErr) {
          // Nowhere to keep it (disk full): the request fails, as it would without a spool.
          logger.error({ err: (spoolErr as Error).message }, 'audit spool: cannot write');
          throw err;
        }
        logger.warn(
          { table: entry.table, err: (err as Error).message },
          'audit event spooled: PostgreSQL unavailable',
        );
        return 'spooled';
      }
      nudge();
      return 'stored';
    },
    nudge,
    drain,
    start(intervalMs) {
      if (timer) return;
      drainQuietly();
      timer = setInterval(drainQuietly, intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await draining?.catch(() => undefined);
      await appends;
      running.delete(key(owner));
    },
  };
}

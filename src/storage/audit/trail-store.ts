import type { Sequelize, Transaction } from 'sequelize';
import { execute, select } from '../sql';
import type { AuditTable } from './chain-head';
import { appendLoginEvent, type LoginEvent } from './login-events';
import { appendAdminEvent, type AdminEvent } from './admin-events';

/** An audit row that has to be written even while PostgreSQL cannot take it. */
export type SpooledEvent =
  { table: 'login_events'; event: LoginEvent } | { table: 'admin_events'; event: AdminEvent };

/** A stored row of either audit table, as PostgreSQL returns it. */
export type StoredAuditRow = Record<string, unknown> & {
  id: string;
  prev_hash: string;
  hash: string;
};

/** Where a purged chain starts again (audit_anchors). */
export interface AnchorRow {
  first_id: string;
  prev_hash: string;
  purged_before: Date;
}

/**
 * The audit trail's own statements, apart from appends (src/storage/audit/*-events.ts): the
 * reads of `audit:verify`, the steps of `audit:purge` and the progress of the spool's replay.
 * `table` is always one of the two audit tables (a closed union, never input).
 */
export function createAuditTrailStore(db: Sequelize) {
  const one = async <T extends object>(text: string, values: unknown[], tx?: Transaction) =>
    (await select<T>(db, text, values, tx))[0];
  return {
    transaction: <T>(work: (tx: Transaction) => Promise<T>) => db.transaction(work),

    // audit:verify
    latestAnchor: (table: AuditTable) =>
      one<AnchorRow>(
        `SELECT first_id, prev_hash, purged_before FROM audit_anchors
          WHERE table_name = $1 ORDER BY id DESC LIMIT 1`,
        [table],
      ),
    /** A row left below an anchor (a purge removes a prefix of the chain, never a row between). */
    firstRowBelow: (table: AuditTable, firstId: string) =>
      one<{ id: string }>(`SELECT id FROM ${table} WHERE id < $1 ORDER BY id LIMIT 1`, [firstId]),
    rowsAfter: (table: AuditTable, lastId: string, limit: number) =>
      select<StoredAuditRow>(db, `SELECT * FROM ${table} WHERE id > $1 ORDER BY id LIMIT $2`, [
        lastId,
        limit,
      ]),
    hasHash: async (table: AuditTable, hash: string) =>
      (await select(db, `SELECT 1 FROM ${table} WHERE hash = $1`, [hash])).length > 0,

    // signed checkpoints (src/domain/audit/checkpoints.ts)
    /** The newest row of the chain: its id and hash; null for an empty table. */
    head: (table: AuditTable) =>
      one<{ id: string; hash: string }>(
        `SELECT id::text AS id, hash FROM ${table} ORDER BY id DESC LIMIT 1`,
        [],
      ),
    /** How many rows have an id in (after, upTo]; `after` null: from the first. */
    countBetween: async (table: AuditTable, after: string | null, upTo: string) =>
      Number(
        (
          await one<{ n: string }>(
            `SELECT count(*) AS n FROM ${table}
              WHERE ($1::bigint IS NULL OR id > $1::bigint) AND id <= $2::bigint`,
            [after, upTo],
          )
        )?.n ?? 0,
      ),
    /** For each of the ascending ids, how many rows have an id at or below it, in one scan. */
    async countsUpTo(table: AuditTable, ids: string[]): Promise<number[]> {
      if (ids.length === 0) return [];
      const thresholds = ids.map((id) => (BigInt(id) + 1n).toString());
      const rows = await select<{ b: number; n: string }>(
        db,
        `SELECT width_bucket(id, $1::bigint[]) AS b, count(*) AS n FROM ${table}
          WHERE id <= $2::bigint GROUP BY b`,
        [thresholds, ids[ids.length - 1]],
      );
      const inBucket = new Map(rows.map((r) => [Number(r.b), Number(r.n)]));
      let total = 0;
      return ids.map((_, i) => (total += inBucket.get(i) ?? 0));
    },
    /** The hashes of these rows (those still there). */
    hashesOf: async (table: AuditTable, ids: string[]) =>
      new Map(
        (
          await select<{ id: string; hash: string }>(
            db,
            `SELECT id::text AS id, hash FROM ${table} WHERE id = ANY($1::bigint[])`,
            [ids],
          )
        ).map((r) => [r.id, r.hash]),
      ),
    /** Every purge of the chain, oldest first: where it starts again and how much it removed. */
    anchors: async (table: AuditTable) =>
      (
        await select<{
          first_id: string;
          prev_hash: string;
          rows_removed: number;
          purged_at: Date;
        }>(
          db,
          `SELECT first_id::text AS first_id, prev_hash, rows_removed, purged_at FROM audit_anchors
            WHERE table_name = $1 ORDER BY id`,
          [table],
        )
      ).map((a) => ({
        firstId: a.first_id,
        prevHash: a.prev_hash,
        rowsRemoved: Number(a.rows_removed),
        purgedAt: new Date(a.purged_at),
      })),

    // audit:purge, all in the purge's one transaction
    /** No statement timeout, the append-only trigger's purge switch, one purge at a time. */
    async beginPurge(lockKey: number, tx: Transaction): Promise<void> {
      await execute(db, 'SET LOCAL statement_timeout = 0', [], tx);
      await execute(db, "SET LOCAL his.audit_purge = 'on'", [], tx);
      await execute(db, 'SELECT pg_advisory_xact_lock($1)', [lockKey], tx);
    },
    /** The first row at or after the cutoff (or one past the last row); null for an empty table. */
    purgeBoundary: async (table: AuditTable, cutoff: Date, tx: Transaction) =>
      (
        await one<{ first_id: string | null }>(
          `SELECT coalesce(
             (SELECT id FROM ${table} WHERE occurred_at >= $1 ORDER BY id LIMIT 1),
             (SELECT max(id) + 1 FROM ${table})) AS first_id`,
          [cutoff],
          tx,
        )
      )?.first_id ?? null,
    lastHashBelow: async (table: AuditTable, firstId: string, tx: Transaction) =>
      (
        await one<{ hash: string }>(
          `SELECT hash FROM ${table} WHERE id < $1 ORDER BY id DESC LIMIT 1`,
          [firstId],
          tx,
        )
      )?.hash ?? null,
    countBelow: async (table: AuditTable, firstId: string, tx: Transaction) =>
      Number(
        (
          await one<{ n: string }>(
            `SELECT count(*) AS n FROM ${table} WHERE id < $1`,
            [firstId],
            tx,
          )
        )?.n ?? 0,
      ),
    async insertAnchor(
      a: {
        table: AuditTable;
        firstId: string;
        prevHash: string;
        cutoff: Date;
        now: Date;
        rowsRemoved: number;
      },
      tx: Transaction,
    ): Promise<void> {
      await execute(
        db,
        `INSERT INTO audit_anchors (table_name, first_id, prev_hash, purged_before, purged_at,
           rows_removed) VALUES ($1, $2, $3, $4, $5, $6)`,
        [a.table, a.firstId, a.prevHash, a.cutoff, a.now, a.rowsRemoved],
        tx,
      );
    },
    deleteBelow: (table: AuditTable, firstId: string, tx: Transaction) =>
      execute(db, `DELETE FROM ${table} WHERE id < $1`, [firstId], tx),
    appendAdminEvent: (event: AdminEvent, tx: Transaction) => appendAdminEvent(db, event, tx),

    // the spool's replay
    /** Appends the event to its chain in `tx`, as the original write would have. */
    appendSpooled: (line: SpooledEvent, tx: Transaction) =>
      line.table === 'login_events'
        ? appendLoginEvent(db, line.event, tx)
        : appendAdminEvent(db, line.event, tx),
    /**
     * Whether a spooled event whose COMMIT went unanswered is in its table after all: a row with
     * the same instant (to the millisecond) and the same who, what and where.
     */
    async isStored(entry: SpooledEvent, tx: Transaction): Promise<boolean> {
      const e = entry.event;
      const rows =
        entry.table === 'login_events'
          ? await select(
              db,
              `SELECT 1 FROM login_events WHERE occurred_at = $1 AND method = $2
                 AND outcome = $3 AND reason IS NOT DISTINCT FROM $4
                 AND user_id IS NOT DISTINCT FROM $5 AND username IS NOT DISTINCT FROM $6
                 AND ip IS NOT DISTINCT FROM $7 AND user_agent IS NOT DISTINCT FROM $8 LIMIT 1`,
              [
                e.occurredAt,
                entry.event.method,
                e.outcome,
                entry.event.reason,
                entry.event.userId,
                entry.event.username,
                e.ip,
                e.userAgent,
              ],
              tx,
            )
          : await select(
              db,
              `SELECT 1 FROM admin_events WHERE occurred_at = $1 AND action = $2
                 AND outcome = $3 AND actor_user_id IS NOT DISTINCT FROM $4
                 AND target_id IS NOT DISTINCT FROM $5 AND ip IS NOT DISTINCT FROM $6 LIMIT 1`,
              [
                e.occurredAt,
                entry.event.action,
                e.outcome,
                entry.event.actorUserId,
                entry.event.targetId,
                e.ip,
              ],
              tx,
            );
      return rows.length > 0;
    },
    /** How many lines of a spool file are stored, the progress row locked until `tx` ends. */
    async lockProgress(batch: string, tx: Transaction): Promise<number> {
      await execute(
        db,
        `INSERT INTO audit_spool_batches (batch, lines_stored) VALUES ($1, 0)
         ON CONFLICT (batch) DO NOTHING`,
        [batch],
        tx,
      );
      const row = await one<{ lines_stored: number }>(
        'SELECT lines_stored FROM audit_spool_batches WHERE batch = $1 FOR UPDATE',
        [batch],
        tx,
      );
      return row!.lines_stored;
    },
    setProgress: (batch: string, stored: number, tx: Transaction) =>
      execute(
        db,
        'UPDATE audit_spool_batches SET lines_stored = $2 WHERE batch = $1',
        [batch, stored],
        tx,
      ),
    forgetProgress: (batch: string) =>
      execute(db, 'DELETE FROM audit_spool_batches WHERE batch = $1', [batch]),
  };
}

export type AuditTrailStore = ReturnType<typeof createAuditTrailStore>;

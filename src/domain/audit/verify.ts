import type { Sequelize } from 'sequelize';
import { chainHash, GENESIS_HASH } from '../../storage/audit/chain';
import { loginEventFields, type LoginMethod } from '../../storage/audit/login-events';
import { adminEventFields } from '../../storage/audit/admin-events';
import type { AuditTable } from '../../storage/audit/chain-head';
import { createAuditTrailStore, type StoredAuditRow as Row } from '../../storage/audit/trail-store';

export type { AuditTable };

export interface ChainReport {
  table: AuditTable;
  rows: number;
  /** Id of the first row whose link or hash does not match, or null when intact. */
  brokenAt: string | null;
  /** Hash of the last row: kept outside the database, it lets a later run detect lost tail rows. */
  head: string;
  /** Where the chain starts after the latest purge (src/domain/audit/purge.ts), or null if never purged. */
  anchor: { firstId: string; purgedBefore: Date } | null;
}

/** Whether a row with this hash (a head recorded by an earlier verification) is still there. */
export async function hasEventHash(
  sequelize: Sequelize,
  table: AuditTable,
  hash: string,
): Promise<boolean> {
  return createAuditTrailStore(sequelize).hasHash(table, hash);
}

/** The hashed fields of a stored row, exactly as they were hashed when it was appended. */
const FIELDS: Record<AuditTable, (r: Row) => unknown[]> = {
  login_events: (r) =>
    loginEventFields({
      occurredAt: new Date(r.occurred_at as Date),
      userId: r.user_id as number | null,
      username: r.username as string | null,
      method: r.method as LoginMethod,
      outcome: r.outcome as 'success',
      reason: r.reason as string | null,
      establishmentId: r.establishment_id as number | null,
      ip: r.ip as string | null,
      userAgent: r.user_agent as string | null,
      degraded: r.degraded as boolean,
      module: (r.module as string | null | undefined) ?? null,
    }),
  admin_events: (r) =>
    adminEventFields({
      occurredAt: new Date(r.occurred_at as Date),
      actorUserId: r.actor_user_id as number | null,
      actorUsername: r.actor_username as string | null,
      action: r.action as string,
      outcome: r.outcome as 'success',
      targetType: r.target_type as string | null,
      targetId: r.target_id as string | null,
      targetUserId: r.target_user_id as number | null,
      details: r.details as Record<string, unknown>,
      establishmentId: r.establishment_id as number | null,
      regionIds: r.region_ids as number[],
      ip: r.ip as string | null,
      userAgent: r.user_agent as string | null,
    }),
};

const BATCH = 5000;

/**
 * Recomputes a table's hash chain in id order, in batches (tens of millions of rows). After a
 * purge the chain starts at the latest anchor: its first row must link to the anchor's hash, and
 * no row may remain below it (a purge removes a prefix of the chain, never a row in between).
 */
export async function verifyChain(sequelize: Sequelize, table: AuditTable): Promise<ChainReport> {
  const store = createAuditTrailStore(sequelize);
  const latest = await store.latestAnchor(table);
  const anchor = latest
    ? { firstId: String(latest.first_id), purgedBefore: new Date(latest.purged_before) }
    : null;
  let prev = latest?.prev_hash ?? GENESIS_HASH;
  let lastId = latest ? String(BigInt(latest.first_id) - 1n) : '0';
  let rows = 0;
  if (latest) {
    const left = await store.firstRowBelow(table, latest.first_id);
    if (left) return { table, rows, brokenAt: String(left.id), head: prev, anchor };
  }
  for (;;) {
    const batch = await store.rowsAfter(table, lastId, BATCH);
    for (const r of batch) {
      if (r.prev_hash !== prev || r.hash !== chainHash(prev, FIELDS[table](r)))
        return { table, rows, brokenAt: r.id, head: prev, anchor };
      prev = r.hash;
      rows += 1;
    }
    if (batch.length < BATCH) return { table, rows, brokenAt: null, head: prev, anchor };
    lastId = batch[batch.length - 1]!.id;
  }
}

import type { Sequelize, Transaction } from 'sequelize';
import { createAuditTrailStore, type AuditTrailStore } from '../../storage/audit/trail-store';
import type { AuditTable } from '../../storage/audit/chain-head';

/** What a purge removed from one chain, and where that chain now starts. */
export interface PurgedChain {
  table: AuditTable;
  rowsRemoved: number;
  /** The chain continues at the first row with id ≥ firstId; null when nothing was removed. */
  firstId: string | null;
  /** The hash that row links to (the last removed row's); null when nothing was removed. */
  prevHash: string | null;
}

export interface PurgeRequest {
  /** As the operator typed it ("2025-11-01"), for the record. */
  before: string;
  /** Midnight in Asunción at the start of `before` (see purgeCutoff). */
  cutoff: Date;
  now: Date;
  /** Who ran it (the operating-system user of the CLI). */
  operator: string;
}

const PURGE_LOCK = 7_130_003; // one purge at a time
const TABLES: readonly AuditTable[] = ['login_events', 'admin_events'];

/**
 * Removes one chain's oldest rows: the prefix in id order up to the first row that occurred at
 * or after the cutoff. A prefix, not every older row: ids and timestamps can disagree by a
 * moment (the clock is read before the append lock is taken), and a row removed from the middle
 * would break the chain. Such an older straggler stays until the next purge.
 */
async function purgeChain(
  store: AuditTrailStore,
  table: AuditTable,
  request: PurgeRequest,
  transaction: Transaction,
): Promise<PurgedChain> {
  const nothing = { table, rowsRemoved: 0, firstId: null, prevHash: null };
  const boundary = await store.purgeBoundary(table, request.cutoff, transaction);
  if (boundary === null) return nothing; // an empty table
  const firstId = String(boundary);
  const prevHash = await store.lastHashBelow(table, firstId, transaction);
  if (prevHash === null) return nothing;
  const rowsRemoved = await store.countBelow(table, firstId, transaction);
  // The anchor first: the trigger lets this transaction delete only the rows it covers.
  await store.insertAnchor(
    { table, firstId, prevHash, cutoff: request.cutoff, now: request.now, rowsRemoved },
    transaction,
  );
  const deleted = await store.deleteBelow(table, firstId, transaction);
  if (deleted !== rowsRemoved)
    throw new Error(`${table}: ${deleted} rows deleted, ${rowsRemoved} expected`);
  return { table, rowsRemoved, firstId, prevHash };
}

/**
 * `audit:purge`: removes both audit tables' rows older than the cutoff, records where each chain
 * now starts (audit_anchors) and then the purge itself (an admin_events row appended after the
 * deletion), all in ONE transaction: it commits whole or not at all, so the anchors always match
 * the rows left, and appends (logins, admin actions) go on meanwhile — a DELETE of old rows and
 * an INSERT of new ones do not wait for each other. A first purge of years of history can be
 * split by the operator into successive cutoffs, each one complete.
 */
export async function purgeAudit(
  sequelize: Sequelize,
  request: PurgeRequest,
): Promise<PurgedChain[]> {
  const store = createAuditTrailStore(sequelize);
  return store.transaction(async (transaction) => {
    // An operator's command over millions of rows, not a request: no request statement timeout.
    await store.beginPurge(PURGE_LOCK, transaction);
    const chains: PurgedChain[] = [];
    for (const table of TABLES) chains.push(await purgeChain(store, table, request, transaction));
    await store.appendAdminEvent(
      {
        occurredAt: request.now,
        actorUserId: null,
        actorUsername: 'cli',
        action: 'audit.purge',
        outcome: 'success',
        targetType: 'network',
        targetId: null,
        targetUserId: null,
        // Not `before`: that key means "before → after" to the audit screens.
        details: {
          cutoffDate: request.before,
          cutoff: request.cutoff.toISOString(),
          operator: request.operator,
          chains: Object.fromEntries(chains.map(({ table, ...rest }) => [table, rest] as const)),
        },
        establishmentId: null,
        regionIds: [],
        ip: null,
        userAgent: null,
      },
      transaction,
    );
    return chains;
  });
}

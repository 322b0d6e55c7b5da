import type { Sequelize, Transaction } from 'sequelize';
import { chainHash, storable } from './chain';
import { chainHead } from './chain-head';
import { execute } from '../sql';

/** One administrative action, allowed or refused. `action` is a stable code; never renamed. */
export interface AdminEvent {
  occurredAt: Date;
  actorUserId: number | null;
  actorUsername: string | null;
  action: string;
  outcome: 'success' | 'denied';
  targetType: string | null;
  targetId: string | null;
  targetUserId: number | null;
  /** Before → after of what changed, or the refused input; never a password or its hash. */
  details: Record<string, unknown>;
  /** The actor's current establishment. */
  establishmentId: number | null;
  /** Regiones sanitarias the target belongs to: what a regional auditor may see. */
  regionIds: number[];
  ip: string | null;
  userAgent: string | null;
}

const LOCK_KEY = 7_130_002; // pg advisory lock serialising appends to admin_events

/** Keys sorted at every level: jsonb gives keys back in its own order, the hash must not care. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  return value;
}

/** The fields that enter the hash, in their stored order. */
export function adminEventFields(e: AdminEvent): unknown[] {
  return [
    e.occurredAt.toISOString(),
    e.actorUserId,
    e.actorUsername,
    e.action,
    e.outcome,
    e.targetType,
    e.targetId,
    e.targetUserId,
    canonical(e.details),
    e.establishmentId,
    [...e.regionIds].sort((a, b) => a - b),
    e.ip,
    e.userAgent,
  ];
}

/**
 * Appends one admin_events row in the caller's transaction with one statement:
 * `append_admin_event` (migration 20261206-009) takes the chain's advisory lock, reads the head
 * and inserts the row with the hash of the fields computed here (chainHash's input, ./chain.ts,
 * hashed by PostgreSQL the same way). The row commits with the change it records, or neither does.
 */
export async function appendAdminEvent(
  sequelize: Sequelize,
  event: AdminEvent,
  transaction: Transaction,
): Promise<void> {
  const e = storable(event);
  const regionIds = [...e.regionIds].sort((a, b) => a - b);
  await execute(
    sequelize,
    `SELECT append_admin_event($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11::integer[],
       $12, $13, $14)`,
    [
      e.occurredAt,
      e.actorUserId,
      e.actorUsername,
      e.action,
      e.outcome,
      e.targetType,
      e.targetId,
      e.targetUserId,
      JSON.stringify(e.details),
      e.establishmentId,
      regionIds,
      e.ip,
      e.userAgent,
      JSON.stringify(adminEventFields({ ...e, regionIds })),
    ],
    transaction,
  );
}

/**
 * Appends many admin_events rows in the caller's transaction, in the order given, each chained
 * to the one before from the current head, under the table's advisory lock taken once (a bulk
 * import's one row per account, the national demo): the same rows {@link appendAdminEvent} would
 * write one by one, in a statement per 5,000.
 */
export async function appendAdminEvents(
  sequelize: Sequelize,
  events: AdminEvent[],
  transaction: Transaction,
): Promise<void> {
  if (events.length === 0) return;
  await execute(sequelize, 'SELECT pg_advisory_xact_lock($1)', [LOCK_KEY], transaction);
  let prev = await chainHead(sequelize, 'admin_events', transaction);
  const BATCH = 5000;
  const all = events.map((e) => storable(e));
  for (let i = 0; i < all.length; i += BATCH) {
    const batch = all.slice(i, i + BATCH);
    const prevs: string[] = [];
    const hashes: string[] = [];
    for (const e of batch) {
      prevs.push(prev);
      prev = chainHash(prev, adminEventFields(e));
      hashes.push(prev);
    }
    // Arrays of arrays must be rectangular in PostgreSQL: the región ids travel as JSON.
    await execute(
      sequelize,
      `INSERT INTO admin_events (occurred_at, actor_user_id, actor_username, action, outcome,
         target_type, target_id, target_user_id, details, establishment_id, region_ids, ip,
         user_agent, prev_hash, hash)
       SELECT x.at, x.actor, x.actor_name, x.action, x.outcome, x.target_type, x.target_id,
         x.target_user, x.details, x.establishment,
         ARRAY(SELECT jsonb_array_elements_text(x.regions)::int), x.ip, x.agent, x.prev, x.hash
       FROM unnest($1::timestamptz[], $2::int[], $3::text[], $4::text[], $5::text[],
         $6::text[], $7::text[], $8::int[], $9::jsonb[], $10::int[], $11::jsonb[], $12::text[],
         $13::text[], $14::text[], $15::text[])
         AS x(at, actor, actor_name, action, outcome, target_type, target_id, target_user,
           details, establishment, regions, ip, agent, prev, hash)`,
      [
        batch.map((e) => e.occurredAt),
        batch.map((e) => e.actorUserId),
        batch.map((e) => e.actorUsername),
        batch.map((e) => e.action),
        batch.map((e) => e.outcome),
        batch.map((e) => e.targetType),
        batch.map((e) => e.targetId),
        batch.map((e) => e.targetUserId),
        batch.map((e) => JSON.stringify(e.details)),
        batch.map((e) => e.establishmentId),
        batch.map((e) => JSON.stringify([...e.regionIds].sort((a, b) => a - b))),
        batch.map((e) => e.ip),
        batch.map((e) => e.userAgent),
        prevs,
        hashes,
      ],
      transaction,
    );
  }
}

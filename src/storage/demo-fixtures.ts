import type { Sequelize, Transaction } from 'sequelize';
import { execute, select } from './sql';
import { chainHash, storable } from './audit/chain';
import { chainHead } from './audit/chain-head';
import { loginEventFields, type LoginEvent } from './audit/login-events';
import { appendAdminEvents, type AdminEvent } from './audit/admin-events';
import type { Role, UserStatus } from '../shared/roles';
import { ESTABLISHMENTS_OF, ROLES_OF, type ReviewDecisionKind } from './access-reviews';

/**
 * Bulk writes for the national demo (`npm run dev -- --national`): thousands of people and a
 * year of history are demo fixtures, written in a few statements instead of one command each
 * (what a person or the CLI does still goes through commands). The audit rows are chained like
 * any others (the same hash, under the same advisory locks), so `audit:verify` holds on the demo.
 */

/** A demo account: e-ID only (no password), with its assignments and roles. */
export interface DemoPerson {
  username: string;
  documentNumber: string;
  fullName: string;
  status: UserStatus;
  lastLoginAt: Date | null;
  lastEidLoginAt: Date | null;
  /** Temporary staff: the first instant after their last valid day. */
  validUntil?: Date | null;
  establishmentIds: number[];
  roles: { role: Role; regionId: number | null; establishmentId: number | null }[];
}

const BATCH = 5000;

function* batches<T>(rows: T[]): Generator<T[]> {
  for (let i = 0; i < rows.length; i += BATCH) yield rows.slice(i, i + BATCH);
}

/** Inserts the people, their assignments and their roles; returns their ids, in order. */
export async function insertDemoPeople(
  sequelize: Sequelize,
  people: DemoPerson[],
  /** The demo's "now": accounts that ended before it count as already audited. */
  now: Date,
): Promise<number[]> {
  const ids: number[] = [];
  await sequelize.transaction(async (tx) => {
    for (const batch of batches(people)) {
      const rows = await select<{ id: number }>(
        sequelize,
        `INSERT INTO users (username, document_number, full_name, status, last_login_at,
           last_eid_login_at, valid_until, expiry_recorded_at)
         SELECT u.*, CASE WHEN u.v <= $8 THEN u.v END
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[],
             $6::timestamptz[], $7::timestamptz[]) AS u(a, b, c, d, e, f, v)
         RETURNING id`,
        [
          batch.map((p) => p.username),
          batch.map((p) => p.documentNumber),
          batch.map((p) => p.fullName),
          batch.map((p) => p.status),
          batch.map((p) => p.lastLoginAt),
          batch.map((p) => p.lastEidLoginAt),
          batch.map((p) => p.validUntil ?? null),
          now,
        ],
        tx,
      );
      ids.push(...rows.map((r) => r.id));
    }
    const places = people.flatMap((p, i) => p.establishmentIds.map((e) => [ids[i]!, e]));
    for (const batch of batches(places))
      await execute(
        sequelize,
        `INSERT INTO user_establishments (user_id, establishment_id)
         SELECT * FROM unnest($1::int[], $2::int[])`,
        [batch.map((r) => r[0]), batch.map((r) => r[1])],
        tx,
      );
    const roles = people.flatMap((p, i) => p.roles.map((r) => ({ ...r, userId: ids[i]! })));
    for (const batch of batches(roles))
      await execute(
        sequelize,
        `INSERT INTO user_roles (user_id, role, region_id, establishment_id)
         SELECT * FROM unnest($1::int[], $2::text[], $3::int[], $4::int[])`,
        [
          batch.map((r) => r.userId),
          batch.map((r) => r.role),
          batch.map((r) => r.regionId),
          batch.map((r) => r.establishmentId),
        ],
        tx,
      );
  });
  return ids;
}

const LOGIN_LOCK = 7_130_001;

/**
 * Appends login events (in the order given) to the chain: the hashes are computed here, each
 * linked to the one before, starting from the current head, under the table's advisory lock.
 */
export async function appendDemoLoginEvents(
  sequelize: Sequelize,
  events: LoginEvent[],
): Promise<void> {
  await sequelize.transaction(async (tx) => {
    await execute(sequelize, 'SELECT pg_advisory_xact_lock($1)', [LOGIN_LOCK], tx);
    let prev = await chainHead(sequelize, 'login_events', tx);
    for (const batch of batches(events.map(storable))) {
      const prevs: string[] = [];
      const hashes: string[] = [];
      for (const e of batch) {
        prevs.push(prev);
        prev = chainHash(prev, loginEventFields(e));
        hashes.push(prev);
      }
      await execute(
        sequelize,
        `INSERT INTO login_events (occurred_at, user_id, username, method, outcome, reason,
           establishment_id, ip, user_agent, degraded, prev_hash, hash)
         SELECT * FROM unnest($1::timestamptz[], $2::int[], $3::text[], $4::text[], $5::text[],
           $6::text[], $7::int[], $8::text[], $9::text[], $10::boolean[], $11::text[], $12::text[])`,
        [
          batch.map((e) => e.occurredAt),
          batch.map((e) => e.userId),
          batch.map((e) => e.username),
          batch.map((e) => e.method),
          batch.map((e) => e.outcome),
          batch.map((e) => e.reason),
          batch.map((e) => e.establishmentId),
          batch.map((e) => e.ip),
          batch.map((e) => e.userAgent),
          batch.map((e) => e.degraded ?? false),
          prevs,
          hashes,
        ],
        tx,
      );
    }
  });
}

/** Appends admin events (in the order given) to their chain, in one transaction. */
export const appendDemoAdminEvents = (sequelize: Sequelize, events: AdminEvent[]) =>
  sequelize.transaction((tx: Transaction) => appendAdminEvents(sequelize, events, tx));

/** A demo access review and its decisions (each with the person's access as it is now). */
export async function insertDemoReview(
  sequelize: Sequelize,
  review: {
    title: string;
    lastDay: string;
    openedAt: Date;
    openedByUsername: string;
    closedAt: Date | null;
    closedByUsername: string | null;
  },
  decisions: {
    userId: number;
    decision: ReviewDecisionKind;
    decidedAt: Date;
    decidedByUserId: number | null;
    decidedByUsername: string;
  }[],
): Promise<number> {
  return sequelize.transaction(async (tx) => {
    const [row] = await select<{ id: number }>(
      sequelize,
      `INSERT INTO access_reviews (title, last_day, opened_at, opened_by_username, closed_at,
         closed_by_username)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [
        review.title,
        review.lastDay,
        review.openedAt,
        review.openedByUsername,
        review.closedAt,
        review.closedByUsername,
      ],
      tx,
    );
    for (const batch of batches(decisions))
      await execute(
        sequelize,
        `INSERT INTO access_review_decisions (review_id, user_id, decision, decided_at,
           decided_by_user_id, decided_by_username, region_ids, establishments, roles)
         SELECT $1, d.u, d.k, d.at, d.by, d.name, users.region_ids, ${ESTABLISHMENTS_OF('d.u')},
                ${ROLES_OF('d.u')}
           FROM unnest($2::int[], $3::text[], $4::timestamptz[], $5::int[], $6::text[])
                  AS d(u, k, at, by, name)
           JOIN users ON users.id = d.u`,
        [
          row!.id,
          batch.map((d) => d.userId),
          batch.map((d) => d.decision),
          batch.map((d) => d.decidedAt),
          batch.map((d) => d.decidedByUserId),
          batch.map((d) => d.decidedByUsername),
        ],
        tx,
      );
    return row!.id;
  });
}

/** Whether the national demo is already loaded (its first establishment exists). */
export async function nationalDemoLoaded(sequelize: Sequelize, marker: string): Promise<boolean> {
  const rows = await select<{ n: number }>(
    sequelize,
    'SELECT count(*)::int AS n FROM establishments WHERE code = $1',
    [marker],
  );
  return (rows[0]?.n ?? 0) > 0;
}

import type { Sequelize, Transaction } from 'sequelize';
import { storable } from './chain';
import { execute } from '../sql';

export type LoginMethod = 'classic' | 'eid' | 'logout' | 'switch' | 'session' | 'module';

/** One row of the login history. `reason` is a stable code (docs/audit-codes.md). */
export interface LoginEvent {
  occurredAt: Date;
  userId: number | null;
  username: string | null;
  method: LoginMethod;
  outcome: 'success' | 'failure' | 'info';
  reason: string | null;
  establishmentId: number | null;
  ip: string | null;
  userAgent: string | null;
  degraded?: boolean;
  /** A sign-in to an HIS module (method `module`): its client_id. */
  module?: string | null;
}

/** The fields that enter the hash, in their stored order. */
export function loginEventFields(e: LoginEvent): unknown[] {
  return [
    e.occurredAt.toISOString(),
    e.userId,
    e.username,
    e.method,
    e.outcome,
    e.reason,
    e.establishmentId,
    e.ip,
    e.userAgent,
    e.degraded ?? false,
    // Hashed only when set: the rows written before the column verify as they were hashed.
    ...(e.module ? [e.module] : []),
  ];
}

/**
 * Appends to login_events with one statement: `append_login_event` (migration 20261206-008)
 * takes the chain's advisory lock, reads the head and inserts the row with the hash of the fields
 * computed here (chainHash's input, ./chain.ts, hashed by PostgreSQL the same way), so the chain
 * stays linear across instances and the lock is held from that statement to the commit — one
 * round trip to the app, not three. A failure propagates: no login proceeds unaudited. Given the
 * caller's transaction, the row commits (or rolls back) with the change it records; without one
 * it still gets its own transaction, so that a statement the server runs after the app gave up
 * on it (a frozen server, thawed: the row is in the spool by then) is never committed.
 */
export async function appendLoginEvent(
  sequelize: Sequelize,
  event: LoginEvent,
  outer?: Transaction,
): Promise<void> {
  const e = storable(event);
  const append = (transaction: Transaction) =>
    execute(
      sequelize,
      'SELECT append_login_event($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)',
      [
        e.occurredAt,
        e.userId,
        e.username,
        e.method,
        e.outcome,
        e.reason,
        e.establishmentId,
        e.ip,
        e.userAgent,
        e.degraded ?? false,
        e.module ?? null,
        JSON.stringify(loginEventFields(e)),
      ],
      transaction,
    );
  if (outer) await append(outer);
  else await sequelize.transaction(append);
}

import type { Sequelize, Transaction } from 'sequelize';
import { chainHash, storable } from './chain';
import { chainHead } from './chain-head';
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

const LOCK_KEY = 7_130_001; // pg advisory lock serialising appends to login_events

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
 * Appends to login_events inside a transaction holding an advisory lock, so the chain stays
 * linear across concurrent app instances. A failure propagates: no login proceeds unaudited.
 * Given the caller's transaction, the row commits (or rolls back) with the change it records.
 */
export async function appendLoginEvent(
  sequelize: Sequelize,
  event: LoginEvent,
  outer?: Transaction,
): Promise<void> {
  const e = storable(event);
  const append = async (transaction: Transaction) => {
    await execute(sequelize, 'SELECT pg_advisory_xact_lock($1)', [LOCK_KEY], transaction);
    const prevHash = await chainHead(sequelize, 'login_events', transaction);
    const hash = chainHash(prevHash, loginEventFields(e));
    await execute(
      sequelize,
      `INSERT INTO login_events (occurred_at, user_id, username, method, outcome, reason,
         establishment_id, ip, user_agent, degraded, prev_hash, hash, module)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
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
        prevHash,
        hash,
        e.module ?? null,
      ],
      transaction,
    );
  };
  if (outer) await append(outer);
  else await sequelize.transaction(append);
}

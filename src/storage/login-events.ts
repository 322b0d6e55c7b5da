import type { Sequelize, Transaction } from 'sequelize';
import { select } from './sql';
import { appendLoginEvent, type LoginEvent } from './audit/login-events';

/** One row of a person's own login history, as "Mis accesos" shows it. */
export interface OwnLoginEventRecord {
  id: string;
  occurredAt: Date;
  /** occurred_at to the microsecond (UTC ISO), for the keyset: a Date would drop microseconds. */
  key: string;
  method: string;
  outcome: 'success' | 'failure';
  reason: string | null;
  establishmentName: string | null;
  ip: string | null;
  userAgent: string | null;
}

/** The last session opened before the current one. */
export interface PreviousLoginRecord {
  occurredAt: Date;
  ip: string | null;
  establishmentName: string | null;
}

/** A position in the newest-first order of login_events: (occurred_at, id). */
export interface EventKey {
  /** `key` of the row (microsecond UTC ISO). */
  at: string;
  id: string;
}

/**
 * A session opened: what the establishment step records (reason `login` or `degraded_mode`).
 * Switches, logouts and timeouts have methods of their own and are not logins.
 */
const OPENED = "le.outcome = 'success' AND le.method IN ('classic', 'eid')";

type Row = Omit<OwnLoginEventRecord, 'occurredAt'> & { occurredAt: Date | string };

/**
 * Reads of login_events about one user (their own history, the notice after a login). All of
 * them walk login_events_user_idx (user_id, occurred_at DESC). Writes go through appendLoginEvent.
 */
export function createLoginEventRepository(sequelize: Sequelize) {
  return {
    /** Appends one row to the hash chain (in the caller's transaction when given). */
    append: (event: LoginEvent, transaction?: Transaction) =>
      appendLoginEvent(sequelize, event, transaction),

    /**
     * The user's logins and failed attempts since `since`, newest first, after `before` (keyset
     * on occurred_at, id: stable while new rows arrive); `limit` rows at most.
     */
    async ownHistory(
      userId: number,
      opts: { since: Date; before?: EventKey; failuresOnly: boolean; limit: number },
    ): Promise<OwnLoginEventRecord[]> {
      const rows = await select<Row>(
        sequelize,
        `SELECT le.id::text AS id, le.occurred_at AS "occurredAt",
           to_char(le.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS key,
           le.method, le.outcome,
           le.reason, e.name AS "establishmentName", le.ip, le.user_agent AS "userAgent"
         FROM login_events le LEFT JOIN establishments e ON e.id = le.establishment_id
         WHERE le.user_id = $1 AND le.occurred_at >= $2
           AND ${opts.failuresOnly ? "le.outcome = 'failure'" : `((${OPENED}) OR le.outcome = 'failure')`}
           AND ($3::timestamptz IS NULL OR (le.occurred_at, le.id) < ($3::timestamptz, $4::bigint))
         ORDER BY le.occurred_at DESC, le.id DESC
         LIMIT $5`,
        [
          userId,
          opts.since.toISOString(),
          opts.before?.at ?? null,
          opts.before?.id ?? null,
          opts.limit,
        ],
      );
      return rows.map((r) => ({ ...r, occurredAt: new Date(r.occurredAt) }));
    },

    /** How many logins and failed attempts the user has since `since`. */
    async ownCounts(userId: number, since: Date): Promise<{ logins: number; failures: number }> {
      const [row] = await select<{ logins: string; failures: string }>(
        sequelize,
        `SELECT count(*) FILTER (WHERE ${OPENED}) AS logins,
                count(*) FILTER (WHERE le.outcome = 'failure') AS failures
         FROM login_events le WHERE le.user_id = $1 AND le.occurred_at >= $2`,
        [userId, since.toISOString()],
      );
      return { logins: Number(row?.logins ?? 0), failures: Number(row?.failures ?? 0) };
    },

    /** The user's latest opened session (before the one being opened, when called first). */
    async lastLogin(
      userId: number,
      transaction?: Transaction,
    ): Promise<PreviousLoginRecord | null> {
      const [row] = await select<PreviousLoginRecord & { occurredAt: Date | string }>(
        sequelize,
        `SELECT le.occurred_at AS "occurredAt", le.ip, e.name AS "establishmentName"
         FROM login_events le LEFT JOIN establishments e ON e.id = le.establishment_id
         WHERE le.user_id = $1 AND ${OPENED}
         ORDER BY le.occurred_at DESC, le.id DESC LIMIT 1`,
        [userId],
        transaction,
      );
      return row ? { ...row, occurredAt: new Date(row.occurredAt) } : null;
    },

    /** Failed attempts on the user's account after `since` (all of them when null). */
    async countFailures(
      userId: number,
      since: Date | null,
      transaction?: Transaction,
    ): Promise<number> {
      const [row] = await select<{ n: string }>(
        sequelize,
        `SELECT count(*) AS n FROM login_events le
         WHERE le.user_id = $1 AND le.outcome = 'failure'
           AND ($2::timestamptz IS NULL OR le.occurred_at > $2::timestamptz)`,
        [userId, since?.toISOString() ?? null],
        transaction,
      );
      return Number(row?.n ?? 0);
    },
  };
}

export type LoginEventRepository = ReturnType<typeof createLoginEventRepository>;

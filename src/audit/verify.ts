import { QueryTypes, type Sequelize } from 'sequelize';
import { chainHash, GENESIS_HASH } from './chain';
import { loginEventFields } from './login-events';

export interface ChainReport {
  table: string;
  rows: number;
  /** Id of the first row whose link or hash does not match, or null when intact. */
  brokenAt: string | null;
  /** Hash of the last row: kept outside the database, it lets a later run detect lost tail rows. */
  head: string;
}

/** Whether a row with this hash (a head recorded by an earlier verification) is still there. */
export async function hasLoginEventHash(sequelize: Sequelize, hash: string): Promise<boolean> {
  const rows = await sequelize.query('SELECT 1 FROM login_events WHERE hash = :hash', {
    replacements: { hash },
    type: QueryTypes.SELECT,
  });
  return rows.length > 0;
}

interface LoginRow {
  id: string;
  occurred_at: Date;
  user_id: number | null;
  username: string | null;
  method: 'classic';
  outcome: 'success';
  reason: string | null;
  establishment_id: number | null;
  ip: string | null;
  user_agent: string | null;
  degraded: boolean;
  prev_hash: string;
  hash: string;
}

const BATCH = 5000;

/** Recomputes the login_events hash chain in id order, in batches (tens of millions of rows). */
export async function verifyLoginEvents(sequelize: Sequelize): Promise<ChainReport> {
  let prev = GENESIS_HASH;
  let lastId = '0';
  let rows = 0;
  for (;;) {
    const batch = await sequelize.query<LoginRow>(
      'SELECT * FROM login_events WHERE id > :lastId ORDER BY id LIMIT :limit',
      { replacements: { lastId, limit: BATCH }, type: QueryTypes.SELECT },
    );
    for (const r of batch) {
      const expected = chainHash(
        prev,
        loginEventFields({
          occurredAt: new Date(r.occurred_at),
          userId: r.user_id,
          username: r.username,
          method: r.method,
          outcome: r.outcome,
          reason: r.reason,
          establishmentId: r.establishment_id,
          ip: r.ip,
          userAgent: r.user_agent,
          degraded: r.degraded,
        }),
      );
      if (r.prev_hash !== prev || r.hash !== expected)
        return { table: 'login_events', rows, brokenAt: r.id, head: prev };
      prev = r.hash;
      rows += 1;
    }
    if (batch.length < BATCH) return { table: 'login_events', rows, brokenAt: null, head: prev };
    lastId = batch[batch.length - 1]!.id;
  }
}

import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { GENESIS_HASH } from './chain';

export type AuditTable = 'login_events' | 'admin_events';

/**
 * The hash the next row of a chain must link to: the newest row's, or, when a purge has emptied
 * the table, the hash its latest anchor carries on (src/domain/audit/purge.ts), or the genesis hash.
 * Called under the table's advisory lock, in the appending transaction.
 */
export async function chainHead(
  sequelize: Sequelize,
  table: AuditTable,
  transaction: Transaction,
): Promise<string> {
  const [last] = await sequelize.query<{ hash: string }>(
    `SELECT hash FROM ${table} ORDER BY id DESC LIMIT 1`,
    { type: QueryTypes.SELECT, transaction },
  );
  if (last) return last.hash;
  const [anchor] = await sequelize.query<{ prev_hash: string }>(
    `SELECT prev_hash FROM audit_anchors WHERE table_name = :table ORDER BY id DESC LIMIT 1`,
    { replacements: { table }, type: QueryTypes.SELECT, transaction },
  );
  return anchor?.prev_hash ?? GENESIS_HASH;
}

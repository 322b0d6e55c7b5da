import type { Sequelize, Transaction } from 'sequelize';
import { select } from '../sql';
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
  const [last] = await select<{ hash: string }>(
    sequelize,
    `SELECT hash FROM ${table} ORDER BY id DESC LIMIT 1`,
    [],
    transaction,
  );
  if (last) return last.hash;
  const [anchor] = await select<{ prev_hash: string }>(
    sequelize,
    'SELECT prev_hash FROM audit_anchors WHERE table_name = $1 ORDER BY id DESC LIMIT 1',
    [table],
    transaction,
  );
  return anchor?.prev_hash ?? GENESIS_HASH;
}

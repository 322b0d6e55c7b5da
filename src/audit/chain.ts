import { createHash } from 'node:crypto';

/** The hash that precedes the first row of each audit table. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * Hash of one audit row: SHA-256 over the previous row's hash and the row's fields in a fixed
 * order. Changing, removing or reordering any row breaks every later link.
 */
export function chainHash(prevHash: string, fields: readonly unknown[]): string {
  return createHash('sha256')
    .update(prevHash)
    .update('\n')
    .update(JSON.stringify(fields))
    .digest('hex');
}

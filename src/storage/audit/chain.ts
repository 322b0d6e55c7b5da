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

const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * A value as PostgreSQL will store it, for the fields of an audit row: a NUL character cannot be
 * stored in text or jsonb (Sequelize writes it as the two characters `\0`; jsonb refuses it) and
 * an unpaired surrogate reaches the server as U+FFFD. Both become U+FFFD here, before the row is
 * hashed, so what is hashed is what is stored: a username typed with a NUL byte can neither
 * break the chain nor fail the write. Dates, numbers and other non-plain values pass unchanged.
 */
export function storable<T>(value: T): T {
  if (typeof value === 'string') return value.replace(UNSTORABLE, '\uFFFD') as T;
  if (Array.isArray(value)) return value.map(storable) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [storable(k), storable(v)]),
    ) as T;
  return value;
}

/**
 * Whether an error means "PostgreSQL cannot be reached or does not answer in time" — the server is
 * down, restarting, hung, out of connections, or the row waits on a lock someone else holds — as
 * opposed to a bug or a refused statement. Such a failure is a 503 to the person, and an audit
 * row that fails this way can wait in the spool (src/domain/audit/spool.ts) until the server is back.
 */

/** Sequelize's wrappers for a failed connect or pool acquire. */
const CONNECTION_ERRORS = new Set([
  'SequelizeConnectionError',
  'SequelizeConnectionRefusedError',
  'SequelizeConnectionAcquireTimeoutError',
  'SequelizeConnectionTimedOutError',
  'SequelizeHostNotFoundError',
  'SequelizeHostNotReachableError',
]);

/** SQLSTATEs: 08 connection exception, 53 insufficient resources, 57P0x shutdown/starting. */
const UNAVAILABLE_STATES = /^(08|53|57P0[1-3])/;

const UNAVAILABLE_CODES = new Set([
  '57014', // query_canceled: statement_timeout fired
  '55P03', // lock_not_available: lock_timeout fired
  '25P03', // idle_in_transaction_session_timeout ended the session
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
]);

/** node-postgres' own messages for a connection it gave up on (no SQLSTATE). */
const UNAVAILABLE_MESSAGES = new Set([
  'Query read timeout',
  'Connection terminated unexpectedly',
  'Connection terminated',
  'Connection terminated due to connection timeout',
  'timeout expired',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
]);

interface ErrorShape {
  name?: string;
  code?: string;
  message?: string;
  sql?: string;
  original?: ErrorShape;
  parent?: ErrorShape;
}

/** True when `err` says PostgreSQL is unreachable, hung or saturated (see the file comment). */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as ErrorShape | null | undefined;
  if (!e || typeof e !== 'object') return false;
  if (e.name && CONNECTION_ERRORS.has(e.name)) return true;
  const cause = e.original ?? e.parent ?? e;
  const code = cause.code ?? '';
  if (UNAVAILABLE_CODES.has(code) || UNAVAILABLE_STATES.test(code)) return true;
  return UNAVAILABLE_MESSAGES.has(cause.message ?? '');
}

/**
 * True when the failed statement was a COMMIT that may have reached the server: the write may be
 * stored even though the client never heard back, so whoever replays it must look first.
 */
export function mayHaveCommitted(err: unknown): boolean {
  const e = err as ErrorShape | null | undefined;
  const sql = e?.sql ?? e?.original?.sql ?? e?.parent?.sql ?? '';
  return /^\s*COMMIT\b/i.test(sql);
}

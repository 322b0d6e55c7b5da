import { AppError } from '../../shared/errors';

/**
 * A position in an audit table read newest first: the last row's `occurred_at` (to the
 * microsecond, as PostgreSQL stores it: a JavaScript Date would round it to the millisecond and
 * skip or repeat rows) and its id, which breaks ties between rows of the same instant.
 */
export interface HistoryKey {
  /** `2026-11-20T12:00:00.123456Z`: PostgreSQL's own text for the timestamp, in UTC. */
  occurredAt: string;
  /** bigint, as text. */
  id: string;
}

/** A cursor we did not issue (edited, truncated, from another version): offer the first page. */
export const invalidCursor = () =>
  new AppError(
    'invalid_cursor',
    400,
    'El enlace de la página no es válido. Vuelva a la primera página.',
  );

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const ID = /^[1-9]\d{0,18}$/;

/** SQL that yields a row's {@link HistoryKey.occurredAt}, given the column. */
export const keyInstantSql = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** Opaque: base64url of a JSON pair. Opaque to people, not a secret: the scope applies anyway. */
export const encodeCursor = (key: HistoryKey): string =>
  Buffer.from(JSON.stringify([key.occurredAt, key.id])).toString('base64url');

export function decodeCursor(cursor: string): HistoryKey {
  if (cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalidCursor();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (!Array.isArray(value) || value.length !== 2) throw invalidCursor();
  const [occurredAt, id] = value as unknown[];
  if (typeof occurredAt !== 'string' || !INSTANT.test(occurredAt)) throw invalidCursor();
  if (typeof id !== 'string' || !ID.test(id)) throw invalidCursor();
  if (Number.isNaN(Date.parse(occurredAt))) throw invalidCursor();
  return { occurredAt, id };
}

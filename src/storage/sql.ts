import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';

/**
 * A statement and its values. The one binding convention of the project: values travel only as
 * positional bind parameters (`$1`, `$2`…, numbered by {@link SqlParams} when the text is built
 * from parts), never spliced into the text and never as Sequelize `replacements` (which are
 * quoted client-side). Identifiers (a table name) come only from closed unions of our own. The
 * same text and values feed a page (Sequelize) and an export (a pg cursor).
 */
export interface Query {
  text: string;
  values: unknown[];
}

/** Numbers the bind parameters of a statement built from parts. */
export class SqlParams {
  readonly values: unknown[] = [];

  /** Adds a value and returns its placeholder. */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** Runs a SELECT; its rows. */
export const select = <T extends object>(
  db: Sequelize,
  text: string,
  values: unknown[] = [],
  transaction?: Transaction,
): Promise<T[]> => db.query<T>(text, { bind: values, type: QueryTypes.SELECT, transaction });

/** Runs a statement that returns no rows (INSERT, UPDATE, DELETE, SET); how many rows it touched. */
export async function execute(
  db: Sequelize,
  text: string,
  values: unknown[] = [],
  transaction?: Transaction,
): Promise<number> {
  const [, result] = await db.query(text, { bind: values, transaction });
  return (result as { rowCount?: number } | undefined)?.rowCount ?? 0;
}

/** `%`, `_` and `\` typed by a person are text, not LIKE wildcards. */
export const likeEscape = (text: string): string => text.replace(/[\\%_]/g, '\\$&');

/** `%text%`, escaped: for `LIKE … ESCAPE '\'`. */
export const containsPattern = (text: string): string => `%${likeEscape(text)}%`;

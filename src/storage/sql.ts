/**
 * Building blocks of the audit histories' SQL. Values travel only as bind parameters ($1, $2…):
 * the text is made of fixed fragments chosen by which filters are present, and the same text and
 * values feed both a page (sequelize.query) and an export (a pg cursor).
 */
export class SqlParams {
  readonly values: unknown[] = [];

  /** Adds a value and returns its placeholder. */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** `%`, `_` and `\` typed by the auditor are text, not LIKE wildcards. */
export const likeEscape = (text: string): string => text.replace(/[\\%_]/g, '\\$&');

/** `%text%`, escaped: for `LIKE … ESCAPE '\'`. */
export const containsPattern = (text: string): string => `%${likeEscape(text)}%`;

/** Rows per page of the histories. */
export const PAGE_SIZE = 50;

/**
 * A statement and its values. The one binding convention of the project: values travel only as
 * positional bind parameters (`$1`, `$2`…, numbered by {@link SqlParams} when the text is built
 * from parts), never spliced into the text and never as Sequelize `replacements` (which are
 * quoted client-side). Identifiers (a table name) come only from closed unions of our own.
 */
export interface Query {
  text: string;
  values: unknown[];
}

import type { Readable } from 'node:stream';
import type pg from 'pg';
import QueryStream from 'pg-query-stream';
import type { Query } from './sql';

/** The connections exports read through (src/db/export-pool.ts builds it in the root). */
export type ExportPool = pg.Pool;

/** A query's rows, read through a server-side cursor on a connection of its own. */
export interface Cursor {
  /** The rows, in batches, only as fast as they are consumed. */
  rows: Readable;
  /** An error the connection reported while the rows were read, if any. */
  failure(): Error | undefined;
  /** Gives the connection back; a connection whose cursor was cut off is discarded. */
  close(broken?: Error): void;
}

/**
 * Opens a cursor (pg-query-stream) on a connection of `pool` for `query`. Throws when no
 * connection can be had (busy or down): nothing has been read then.
 */
export async function openCursor(pool: ExportPool, query: Query, batchSize = 500): Promise<Cursor> {
  const client = await pool.connect();
  let failure: Error | undefined;
  // A checked-out client's errors are ours to handle (a server that closes the connection while
  // the export is cut short would otherwise be an unhandled 'error' event, ending the process).
  const onError = (err: Error) => (failure ??= err);
  client.on('error', onError);
  const rows = client.query(new QueryStream(query.text, query.values, { batchSize }));
  return {
    rows,
    failure: () => failure,
    close: (broken) => {
      // The pool hands this connection out again: its next holder listens for itself.
      client.off('error', onError);
      client.release(broken);
    },
  };
}

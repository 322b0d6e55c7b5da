import { Writable } from 'node:stream';
import { setTimeout as pause } from 'node:timers/promises';
import type pg from 'pg';
import { createExportPool } from '../../src/db/export-pool';
import { streamCsv, type ExportResult } from '../../src/web/csv-export';

/**
 * The export's streaming against real PostgreSQL: a million-row query read through a cursor
 * only as fast as the consumer takes it, and a consumer that goes away midway.
 */
let pool: pg.Pool;
// In the SELECT list, generate_series yields rows as they are fetched (in FROM it would first
// materialise all of them).
const MILLION = { text: 'SELECT generate_series(1, 1000000) AS n', values: [] };
const columns = [{ header: 'n', value: (r: { n: number }) => r.n }];

beforeAll(() => {
  pool = createExportPool(process.env.TEST_DATABASE_URL!, () => undefined, 1);
});
afterAll(() => pool.end());

/**
 * Waits until `count` has stopped growing for 50 consecutive milliseconds (at most 10 s): a
 * stream without back-pressure would keep reading to the million.
 */
async function quiescent(count: () => number): Promise<number> {
  let last = -1;
  for (let still = 0, i = 0; still < 50 && i < 10_000; i++) {
    await pause(1);
    const now = count();
    still = now === last && now > 0 ? still + 1 : 0;
    last = now;
  }
  return last;
}

/** A response stand-in that takes `accept` chunks, then stalls or fails as told. */
function consumer(accept: number, then: 'stall' | 'fail') {
  let taken = 0;
  let stalled: (() => void) | undefined;
  const out = new Writable({
    highWaterMark: 16 * 1024,
    write(_chunk, _enc, done) {
      taken += 1;
      if (taken <= accept) return done();
      if (then === 'fail') return done(new Error('client went away'));
      stalled = () => done(); // never called: the consumer has stopped reading
    },
  });
  return { out: Object.assign(out, { headersSent: true }), taken: () => taken, stalled };
}

describe('streamCsv', () => {
  it('when the consumer stops reading then only a bounded number of rows is read from the cursor', async () => {
    const { out } = consumer(3, 'stall');
    let read = 0;
    const result = streamCsv({
      pool,
      sql: MILLION,
      toRow: (r: { n: number }) => {
        read += 1;
        return r;
      },
      columns,
      out,
      begin: () => undefined,
    });
    // Buffers between cursor and socket hold a few batches at most: far from the million.
    const settled = await quiescent(() => read).finally(() =>
      out.destroy(new Error('client went away')),
    );
    expect(settled).toBeGreaterThan(0);
    expect(settled).toBeLessThan(50_000);
    await expect(result).resolves.toMatchObject({ complete: false });
  });

  it('when the consumer goes away midway then the export ends incomplete, is reported with its count, and the connection is not reused', async () => {
    const { out } = consumer(5, 'fail');
    const reported: ExportResult[] = [];
    const result = await streamCsv({
      pool,
      sql: MILLION,
      toRow: (r: { n: number }) => r,
      columns,
      out,
      begin: () => undefined,
      end: async (r) => {
        reported.push(r);
      },
    });
    expect(result.complete).toBe(false);
    expect(result.rows).toBeGreaterThan(0);
    expect(result.rows).toBeLessThan(1_000_000);
    expect(reported).toEqual([result]);
    expect(out.destroyed).toBe(true);
    expect(pool.totalCount).toBe(0);
  });

  it('when the consumer takes everything then every row is written and the output ends', async () => {
    let bytes = 0;
    const out = Object.assign(
      new Writable({
        write(chunk: Buffer, _enc, done) {
          bytes += chunk.length;
          done();
        },
      }),
      { headersSent: true },
    );
    const ended = new Promise((r) => out.on('finish', r));
    const result = await streamCsv({
      pool,
      sql: { text: 'SELECT g AS n FROM generate_series(1, 20000) g', values: [] },
      toRow: (r: { n: number }) => r,
      columns,
      out,
      begin: () => undefined,
    });
    await ended;
    expect(result).toEqual({ rows: 20_000, complete: true });
    // BOM (3 bytes), header "n\r\n", then each number and CRLF.
    const digits = Array.from({ length: 20_000 }, (_, i) => String(i + 1).length + 2);
    expect(bytes).toBe(3 + 3 + digits.reduce((a, b) => a + b, 0));
  });

  it('when the query fails before the first byte then the error is thrown for the error page', async () => {
    const { out } = consumer(100, 'stall');
    out.headersSent = false;
    await expect(
      streamCsv({
        pool,
        sql: { text: 'SELECT * FROM no_such_table', values: [] },
        toRow: (r: unknown) => r,
        columns: [],
        out,
        begin: () => undefined,
      }),
    ).rejects.toThrow(/no_such_table/);
  });
});

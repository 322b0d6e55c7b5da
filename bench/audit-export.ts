/**
 * One CSV export of the login history, measured in a process of its own (forked by
 * bench/audit-history.ts), so that its memory figures start from a fresh heap and no earlier
 * measurement has grown the process already. The export is the one /audit/logins.csv streams
 * (src/web/csv-export.ts streamCsv: a pg cursor, back-pressure, csv-stringify) into a
 * client that takes the bytes at a given speed. The result goes back over the IPC channel.
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { Place } from '../src/access/scope';
import { LOGIN_COLUMNS } from '../src/areas/audit/csv-columns';
import { createExportPool } from '../src/db/export-pool';
import { streamCsv } from '../src/web/csv-export';
import { createLoginHistory, toLoginRow } from '../src/storage/queries/login-history';
import { createSequelize } from '../src/db/sequelize';

export interface ExportRequest {
  url: string;
  /** The date filter's first instant (ISO). */
  from: string;
  /** The client's speed; null: it takes everything at once. */
  bytesPerSecond: number | null;
  /** Node flags of the child (e.g. --max-semi-space-size=4). */
  flags: string[];
  /**
   * Collect garbage every 2 s (needs --expose-gc) and keep the heap that survives: what the
   * export really holds, as opposed to garbage not yet collected. Changes the RSS figures.
   */
  liveHeap: boolean;
}

export interface ExportMeasure {
  rows: number;
  complete: boolean;
  seconds: number;
  bytes: number;
  rssBefore: number;
  rssGrowth: number;
  heapPeak: number;
  /** Smallest and largest heap after a forced collection (liveHeap), else null. */
  live: [number, number] | null;
}

/**
 * A client that takes what it is sent at `bytesPerSecond`. A write is acknowledged when the
 * bytes so far are due at that rate (timers have a 1 ms grain: records of a few hundred bytes
 * are acknowledged together), which is what a slow socket does.
 */
function client(bytesPerSecond: number | null) {
  let bytes = 0;
  const start = performance.now();
  const out = new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytesPerSecond === null) return done();
      const wait = start + (bytes / bytesPerSecond) * 1000 - performance.now();
      if (wait >= 1) setTimeout(done, wait);
      else done();
    },
  });
  return { out, bytes: () => bytes };
}

async function measure(request: ExportRequest): Promise<ExportMeasure> {
  const db = createSequelize({ url: request.url, poolMax: 1, statementTimeoutInMs: 60_000 });
  const pool = createExportPool(request.url, (err) => console.error(err));
  try {
    const places: Place[] = [];
    const sql = await createLoginHistory(db).sql({
      filters: { from: new Date(request.from) },
      scope: { kind: 'global' },
      places,
    });
    const to = client(request.bytesPerSecond);
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    let heapPeak = process.memoryUsage().heapUsed;
    const gc = request.liveHeap ? (globalThis as { gc?: () => void }).gc : undefined;
    const live: number[] = [];
    let ticks = 0;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      rssPeak = Math.max(rssPeak, m.rss);
      heapPeak = Math.max(heapPeak, m.heapUsed);
      if (gc && ++ticks % 200 === 0) {
        gc();
        live.push(process.memoryUsage().heapUsed);
      }
    }, 10);
    const start = performance.now();
    const result = await streamCsv({
      pool,
      sql,
      toRow: toLoginRow,
      columns: LOGIN_COLUMNS,
      out: to.out,
      begin: () => undefined,
      end: async () => undefined,
    });
    const seconds = (performance.now() - start) / 1000;
    clearInterval(sampler);
    return {
      ...result,
      seconds,
      bytes: to.bytes(),
      rssBefore,
      rssGrowth: Math.max(rssPeak, process.memoryUsage().rss) - rssBefore,
      heapPeak,
      live: live.length ? [Math.min(...live), Math.max(...live)] : null,
    };
  } finally {
    await pool.end();
    await db.close();
  }
}

/** Runs one export in a fresh process and returns its figures. */
export function measureExportInChild(request: ExportRequest): Promise<ExportMeasure> {
  return new Promise((resolve, reject) => {
    const child = fork(
      path.join(__dirname, 'audit-export.ts'),
      ['--child', JSON.stringify(request)],
      {
        execArgv: [...process.execArgv, ...request.flags],
      },
    );
    child.once('message', (m) => resolve(m as ExportMeasure));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`export child exited with ${code}`));
    });
  });
}

if (process.argv[2] === '--child') {
  measure(JSON.parse(process.argv[3]!) as ExportRequest)
    .then((m) => process.send!(m, () => process.exit(0)))
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}

/**
 * `npm run bench:audit`: the auditors' login history at the network's scale. In the scratch
 * database `his_acceso_bench_audit` (dropped, created, migrated, filled with 5 million
 * login_events by bench/audit-history-seed.ts, VACUUM ANALYZE), it measures:
 *
 * 1. pages of /audit/logins (src/storage/queries/login-history.ts page(), one call at a time): the first
 *    page and a page two years back, without and with filters, each as the app sees it (p50/p99
 *    of the call) and as PostgreSQL reports it (EXPLAIN ANALYZE execution time), with their
 *    ratio to a primary-key lookup of the same run;
 * 2. the CSV export of 1 million rows (src/web/csv-export.ts streamCsv, as /audit/logins.csv
 *    streams it), each export in a fresh process (bench/audit-export.ts): time and peak RSS
 *    growth to a client that takes it at once (node's defaults, then a 4 MB young generation),
 *    the heap that survives a collection every 2 s, and 100,000 rows to a client at half the
 *    speed (back-pressure);
 * 3. `audit:purge` of the oldest year (src/domain/audit/purge.ts), one transaction.
 *
 * 127.0.0.1 only. The database is dropped at the end unless KEEP_BENCH_DB is set.
 */
import { availableParallelism, loadavg } from 'node:os';
import { NODE_FLAGS } from '../src/shared/node-flags';
import pg from 'pg';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { Place } from '../src/access/scope';
import type { AuditScope } from '../src/domain/audit/audit-scope';
import {
  encodeCursor,
  keyInstantSql,
  type HistoryKey,
} from '../src/storage/queries/history-cursor';
import type { LoginFilters } from '../src/areas/audit/history-filters';
import { createLoginHistory, type LoginHistoryQuery } from '../src/storage/queries/login-history';
import { purgeAudit } from '../src/domain/audit/purge';
import { createMigrator } from '../src/db/migrator';
import { createSequelize } from '../src/db/sequelize';
import { addMonthsInZone, startOfDayInZone } from '../src/shared/time';
import { adminQuery } from '../test/support/services';
import { measureExportInChild, type ExportMeasure } from './audit-export';
import { NOW, seedHistory } from './audit-history-seed';
import { databaseUrl, PG_ADMIN_URL, positiveInt } from './settings';

const DB_NAME = 'his_acceso_bench_audit';
const PAGE = 50;

const percentile = (sorted: number[], p: number) =>
  sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

/** Calls `run` one at a time for `seconds` after a warm-up; p50 and p99 of what it returns. */
async function sample(run: () => Promise<number>, seconds: number) {
  for (let i = 0; i < 10; i++) await run();
  const times: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end && times.length < 20_000) times.push(await run());
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), count: times.length };
}

/** The wall time of one call, in ms. */
const timed = (call: () => Promise<unknown>) => async () => {
  const start = performance.now();
  await call();
  return performance.now() - start;
};

/** PostgreSQL's execution time of one statement (EXPLAIN ANALYZE, no per-node timing), in ms. */
const executed = (db: Sequelize, sql: { text: string; values: unknown[] }) => async () => {
  const [row] = await db.query<{ 'QUERY PLAN': [{ 'Execution Time': number }] }>(
    `EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ${sql.text}`,
    { bind: sql.values, type: QueryTypes.SELECT },
  );
  return row!['QUERY PLAN'][0]['Execution Time'];
};

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

interface Settings {
  seconds: number;
  eventCount: number;
  userCount: number;
  csvRows: number;
  slowRows: number;
}

/** The shapes of /audit/logins to time: [name, query, cursor key]. */
async function shapes(db: Sequelize) {
  const one = async <T extends object>(sql: string, bind: unknown[] = []) =>
    (await db.query<T>(sql, { bind, type: QueryTypes.SELECT }))[0]!;
  const places = await db.query<Place>(
    'SELECT id, region_id AS "regionId" FROM establishments ORDER BY id',
    { type: QueryTypes.SELECT },
  );
  // The busiest hospital, a small family health unit, the busiest región, one user.
  const busy = await one<{ id: number }>(
    `SELECT establishment_id AS id FROM login_events WHERE establishment_id IS NOT NULL
     GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`,
  );
  const small = await one<{ id: number; n: string }>(
    `SELECT establishment_id AS id, count(*) AS n FROM login_events
     WHERE establishment_id IS NOT NULL GROUP BY 1 HAVING count(*) > 200 ORDER BY 2 LIMIT 1`,
  );
  const region = await one<{ id: number }>(
    `SELECT e.region_id AS id FROM login_events le JOIN establishments e ON e.id = le.establishment_id
     GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`,
  );
  const someone = await one<{ id: number; username: string }>(
    'SELECT id, username FROM users ORDER BY id OFFSET 41 LIMIT 1',
  );
  // Two years back: where "Siguiente" leads after some 3 million rows.
  const deep = await one<{ occurredAt: string; id: string }>(
    `SELECT ${keyInstantSql('occurred_at')} AS "occurredAt", id::text AS id FROM login_events
     WHERE occurred_at < $1 ORDER BY occurred_at DESC, id DESC LIMIT 1`,
    [addMonthsInZone(NOW, -24)],
  );
  const regionScope: AuditScope = {
    kind: 'limited',
    establishmentIds: places.filter((p) => p.regionId === region.id).map((p) => p.id),
    regionIds: [region.id],
  };
  const q = (filters: LoginFilters, scope: AuditScope = { kind: 'global' }) => ({
    filters,
    scope,
    places,
  });
  const aYearAgo = addMonthsInZone(NOW, -12);
  const week = { from: aYearAgo, to: new Date(aYearAgo.getTime() + 7 * 86_400_000) };
  const list: [string, LoginHistoryQuery, HistoryKey?][] = [
    ['no filter, first page', q({})],
    ['no filter, 2 years back', q({}), deep],
    ['establishment (hospital), first page', q({ establishmentId: busy.id })],
    ['establishment (hospital), 2 years back', q({ establishmentId: busy.id }), deep],
    [`establishment (USF, ${small.n} rows), first`, q({ establishmentId: small.id })],
    ['región, first page', q({ regionId: region.id })],
    ['región, 2 years back', q({ regionId: region.id }), deep],
    ['regional auditor (scope), first page', q({}, regionScope)],
    ['regional auditor (scope), 2 years back', q({}, regionScope), deep],
    ['one week a year ago', q(week)],
    [`username "${someone.username}"`, q({ user: someone.username })],
    ['username part "gonzalez"', q({ user: 'gonzalez' })],
    ['failures: bad_password', q({ outcome: 'failure', reasons: ['bad_password'] })],
    ['one user (link), 2 years back', q({ userId: someone.id }), deep],
  ];
  return { list, deep };
}

async function measurePages(db: Sequelize, seconds: number) {
  const { list, deep } = await shapes(db);
  const logins = createLoginHistory(db);
  const pkSql = {
    text: 'SELECT id, occurred_at FROM login_events WHERE id = $1',
    values: [deep.id],
  };
  const pk = {
    call: await sample(
      timed(() => db.query(pkSql.text, { bind: pkSql.values })),
      seconds,
    ),
    server: await sample(executed(db, pkSql), seconds),
  };
  const results = [];
  for (const [name, query, key] of list) {
    process.stderr.write(`measuring ${name}…\n`);
    const cursor = key && encodeCursor(key);
    const rows = (await logins.page(query, cursor)).rows.length;
    const sql = await logins.sql(query, { after: key, limit: PAGE + 1 });
    results.push({
      name,
      rows,
      call: await sample(
        timed(() => logins.page(query, cursor)),
        seconds,
      ),
      server: await sample(executed(db, sql), seconds),
    });
  }
  return { pk, results };
}

/**
 * The first day (Asunción) of the newest `n` rows, as the date filter of an export selects them;
 * the first day of all when there are fewer (a quick run with a small BENCH_EVENTS).
 */
async function since(db: Sequelize, n: number): Promise<string> {
  const day = (order: string, offset: number) =>
    db.query<{ day: string }>(
      `SELECT to_char(occurred_at AT TIME ZONE 'America/Asuncion', 'YYYY-MM-DD') AS day
       FROM login_events ORDER BY ${order} OFFSET $1 LIMIT 1`,
      { bind: [offset], type: QueryTypes.SELECT },
    );
  const [row] = await day('occurred_at DESC, id DESC', n - 1);
  return (row ?? (await day('occurred_at, id', 0))[0]!).day;
}

async function measureExports(db: Sequelize, url: string, o: Settings) {
  const bigDay = await since(db, o.csvRows);
  const from = startOfDayInZone(bigDay).toISOString();
  const at = (label: string) => `since ${bigDay}, ${label}`;
  const runs: [string, ExportMeasure][] = [];
  const base = { url, from, bytesPerSecond: null, flags: [], liveHeap: false };
  process.stderr.write(`exporting from ${bigDay}…\n`);
  const fast = await measureExportInChild(base);
  runs.push([at('client takes it at once'), fast]);
  process.stderr.write(`exporting from ${bigDay} with npm start's Node flags…\n`);
  const shipped = await measureExportInChild({ ...base, flags: [...NODE_FLAGS] });
  runs.push([at(`as shipped: node ${NODE_FLAGS.join(' ')}`), shipped]);
  process.stderr.write(`exporting from ${bigDay}, collecting garbage every 2 s…\n`);
  const live = await measureExportInChild({ ...base, flags: ['--expose-gc'], liveHeap: true });
  runs.push([at('GC every 2 s (live heap)'), live]);
  // Back-pressure shows when the client is the slower side: half the speed just measured.
  const rate = fast.bytes / fast.seconds / 2;
  const slowDay = await since(db, o.slowRows);
  process.stderr.write(`exporting from ${slowDay} to a client at ${mb(rate)} MB/s…\n`);
  const slow = await measureExportInChild({
    ...base,
    from: startOfDayInZone(slowDay).toISOString(),
    bytesPerSecond: rate,
  });
  runs.push([`since ${slowDay}, client at ${mb(rate)} MB/s (half that speed)`, slow]);
  return runs;
}

async function measurePurge(db: Sequelize) {
  const [{ n }] = (await db.query('SELECT count(*) AS n FROM login_events', {
    type: QueryTypes.SELECT,
  })) as [{ n: string }];
  process.stderr.write('purging before 2024-12-01…\n');
  const start = performance.now();
  const chains = await purgeAudit(db, {
    before: '2024-12-01',
    cutoff: startOfDayInZone('2024-12-01'),
    now: NOW,
    operator: 'bench',
  });
  return { of: n, removed: chains[0]!.rowsRemoved, seconds: (performance.now() - start) / 1000 };
}

function print(
  o: Settings & { seedSeconds: string },
  pages: Awaited<ReturnType<typeof measurePages>>,
  exports: [string, ExportMeasure][],
  purge: Awaited<ReturnType<typeof measurePurge>> | null,
) {
  const widths = [42, 6, 10, 10, 7, 9, 9, 7];
  const row = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('');
  console.log(
    `\nHIS Acceso audit history: ${o.eventCount} login events, ${o.userCount} users, 934 ` +
      `establishments; seeded in ${o.seedSeconds}${o.seedSeconds === 'reused' ? '' : ' s'}; ${o.seconds} s per measure, one call at a ` +
      `time; Node ${process.version}, ${availableParallelism()} CPUs, load average ` +
      `${loadavg()[0]!.toFixed(1)}`,
  );
  console.log('call: page() in the app (SQL, transfer, rows); srv: EXPLAIN ANALYZE execution time');
  console.log(
    row([
      'shape (pages of 50)',
      'rows',
      'call p50',
      'call p99',
      '× pk',
      'srv p50',
      'srv p99',
      'calls',
    ]),
  );
  const line = (name: string, rows: number, r: typeof pages.pk) =>
    console.log(
      row([
        name,
        String(rows),
        r.call.p50.toFixed(2),
        r.call.p99.toFixed(2),
        (r.call.p50 / pages.pk.call.p50).toFixed(1),
        r.server.p50.toFixed(2),
        r.server.p99.toFixed(2),
        String(r.call.count),
      ]),
    );
  line('pk lookup (baseline)', 1, pages.pk);
  for (const r of pages.results) line(r.name, r.rows, r);
  for (const [label, e] of exports)
    console.log(
      `CSV ${label}: ${e.rows} rows, ${mb(e.bytes)} MB in ${e.seconds.toFixed(1)} s ` +
        `(${Math.round(e.rows / e.seconds)} rows/s); RSS ${mb(e.rssBefore)} MB at the start, ` +
        `peak growth ${mb(e.rssGrowth)} MB; heap peak ${mb(e.heapPeak)} MB` +
        (e.live ? `; live heap ${mb(e.live[0])}–${mb(e.live[1])} MB` : '') +
        `; complete: ${e.complete}`,
    );
  if (purge)
    console.log(
      `audit:purge before 2024-12-01: ${purge.removed} of ${purge.of} login_events rows in ` +
        `${purge.seconds.toFixed(1)} s (one transaction)`,
    );
}

async function main(): Promise<void> {
  const o: Settings = {
    seconds: positiveInt('BENCH_SECONDS', 3),
    eventCount: positiveInt('BENCH_EVENTS', 5_000_000),
    userCount: positiveInt('BENCH_USERS', 8_000),
    csvRows: positiveInt('BENCH_CSV_ROWS', 1_000_000),
    slowRows: positiveInt('BENCH_CSV_SLOW_ROWS', 100_000),
  };
  const url = databaseUrl(DB_NAME);
  // BENCH_REUSE_DB=1: the database a KEEP_BENCH_DB run left, migrated to now, not seeded again.
  const reuse = process.env.BENCH_REUSE_DB === '1';
  const parts = new Set((process.env.BENCH_PARTS ?? 'pages,exports,purge').split(','));
  if (!reuse) {
    await adminQuery(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`, PG_ADMIN_URL);
    await adminQuery(`CREATE DATABASE ${DB_NAME}`, PG_ADMIN_URL);
  }
  const db = createSequelize({ url, poolMax: 2, statementTimeoutInMs: 600_000 });
  try {
    const started = performance.now();
    await createMigrator(db).up();
    if (reuse) {
      await db.query('VACUUM ANALYZE login_events');
    } else {
      const seeder = new pg.Client({ connectionString: url });
      await seeder.connect();
      process.stderr.write(`generating ${o.eventCount} login events…\n`);
      await seedHistory(seeder, o.userCount, o.eventCount).finally(() => seeder.end());
    }
    const seedSeconds = reuse ? 'reused' : ((performance.now() - started) / 1000).toFixed(0);
    process.stderr.write(`seeded, indexed and analyzed in ${seedSeconds} s\n`);
    const pages = await measurePages(db, o.seconds);
    const exports = parts.has('exports') ? await measureExports(db, url, o) : [];
    const purge = parts.has('purge') ? await measurePurge(db) : null;
    print({ ...o, seedSeconds }, pages, exports, purge);
  } finally {
    await db.close();
    if (!process.env.KEEP_BENCH_DB) {
      await adminQuery(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`, PG_ADMIN_URL);
    }
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

/**
 * `npm run bench:users`: the administrators' user search (src/storage/queries/user-search.ts) at 100,000
 * users, 934 establishments in 18 regions, in the scratch database `his_acceso_bench_users`
 * (dropped and created, migrated, filled by INSERT … SELECT generate_series, VACUUM ANALYZE).
 * The query shapes and a baseline (a primary-key scan) run one call at a time, in turn, for
 * BENCH_SECONDS each; printed: p50/p99, their ratio to the baseline's, the buffers each query
 * touched, then a summary of each shape's EXPLAIN (ANALYZE, BUFFERS). The database is dropped at
 * the end unless KEEP_BENCH_DB is set. Results and reading: bench/README.md.
 */
import { availableParallelism, loadavg } from 'node:os';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { createSequelize } from '../src/db/sequelize';
import { createMigrator } from '../src/db/migrator';
import { formatCedula } from '../src/shared/cedula';
import { addMonthsInZone } from '../src/shared/time';
import { createUserSearch, type UserSearchParams } from '../src/storage/queries/user-search';
import { adminQuery } from '../test/support/services';
import { databaseUrl, PG_ADMIN_URL, positiveInt } from './settings';

const DB_NAME = 'his_acceso_bench_users';
/** The data's "now": fixed, so every run has the same badges. */
const NOW = new Date('2026-11-29T12:00:00-03:00');

const REGIONS = ['Concepción', 'San Pedro', 'Cordillera', 'Guairá', 'Caaguazú', 'Caazapá']
  .concat(['Itapúa', 'Misiones', 'Paraguarí', 'Alto Paraná', 'Central', 'Ñeembucú', 'Amambay'])
  .concat(['Canindeyú', 'Presidente Hayes', 'Boquerón', 'Alto Paraguay', 'Capital']);
const FIRST = ['María', 'José', 'Juan', 'Carlos', 'Ana', 'Rosa', 'Luis', 'Jorge', 'Mirta']
  .concat(['Nélida', 'Ramón', 'Sebastián', 'Fátima', 'Liz', 'Rocío', 'Celso', 'Derlis', 'Aníbal'])
  .concat(['Graciela', 'Blanca', 'Óscar', 'Lourdes', 'Néstor', 'Zunilda', 'Víctor', 'Ángel'])
  .concat(['Sofía', 'Matías', 'Tomás', 'Inés', 'Raúl', 'Dahiana', 'Osvaldo', 'Teresa', 'Andrés']);
// Frequent surnames appear more than once, roughly as in Paraguay (González first).
const SURNAMES = ['González', 'González', 'González', 'Benítez', 'Benítez', 'Martínez']
  .concat(['Martínez', 'López', 'Giménez', 'Báez', 'Duarte', 'Vera', 'Ramírez', 'Rojas'])
  .concat(['Villalba', 'Acosta', 'Fernández', 'Cáceres', 'Ortiz', 'Ayala', 'Ortega', 'Insfrán'])
  .concat(['Cabañas', 'Núñez', 'Peña', 'Sosa', 'Franco', 'Aquino', 'Cardozo', 'Espínola'])
  .concat(['Galeano', 'Brítez', 'Paredes', 'Riveros', 'Santacruz', 'Ibarra', 'Amarilla'])
  .concat(['Céspedes', 'Escobar', 'Florentín', 'Chamorro', 'Mendoza', 'Recalde', 'Sanabria'])
  .concat(['Zárate', 'Alcaraz', 'Ñamandú', 'Fariña', 'Irala', 'Maidana', 'Ojeda', 'Estigarribia']);

/** A deterministic non-negative pseudo-random integer per (row, salt), in SQL. */
const h = (salt: number) => `(hashint4(i * 31 + ${salt})::bigint & 2147483647)`;

async function seed(db: Sequelize, userCount: number): Promise<void> {
  const q = async (sql: string, bind: Record<string, unknown> = {}, transaction?: Transaction) => {
    const started = performance.now();
    await db.query(sql, { bind, transaction });
    const what = sql.trim().split(/\s+/).slice(0, 3).join(' ');
    process.stderr.write(`  ${what}: ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  };
  await q(
    `INSERT INTO regions (code, name)
     SELECT 'RS-' || lpad(i::text, 2, '0'), ($names::text[])[i] || ' (Región Sanitaria ' || i || ')'
     FROM generate_series(1, 18) AS i`,
    { names: REGIONS },
  );
  await q(
    `INSERT INTO establishments (code, name, region_id)
     SELECT 'E' || lpad(i::text, 4, '0'),
       (CASE WHEN i % 20 = 0 THEN 'Hospital Distrital de ' WHEN i % 6 = 0 THEN 'Centro de Salud de '
        ELSE 'Unidad de Salud de la Familia ' END) || r.name || ' ' || i, r.id
     FROM generate_series(1, 934) AS i
     JOIN regions r ON r.code = 'RS-' || lpad((1 + i % 18)::text, 2, '0') ORDER BY i`,
  );
  // A bulk load, as pg_restore does one: the indexes of users are built after the rows, and
  // triggers and foreign-key checks are off (replica mode) for the transaction. The copies are
  // checked against the triggers' own function below.
  const indexes = await db.query<{ name: string; definition: string }>(
    `SELECT indexname AS name, indexdef AS definition FROM pg_indexes i
     WHERE tablename = 'users' AND NOT EXISTS (
       SELECT 1 FROM pg_constraint c WHERE c.conindid = quote_ident(i.indexname)::regclass)`,
    { type: QueryTypes.SELECT },
  );
  for (const index of indexes) await q(`DROP INDEX ${index.name}`);
  await db.transaction(async (t) => {
    await q('SET LOCAL session_replication_role = replica', {}, t);
    // Each user's establishments (1 for 70 %, 2 for 20 %, 3 for 10 %; the others mostly in the
    // same region) and role (staff 97 %, admin 2 %, auditor 1 %) are written straight into the
    // copies that the triggers keep (migration 20261129-002), and the assignment and role rows are
    // derived from them.
    await q(
      `INSERT INTO users (username, document_number, full_name, status, last_eid_login_at,
         last_login_at, establishment_ids, region_ids, role_names)
       SELECT regexp_replace(his_fold(left(first, 1) || sur1), '[^a-z]', '', 'g') || i,
         (1000000 + i * 67)::text,
         first || CASE WHEN ${h(2)} % 3 = 0 THEN ' ' || second ELSE '' END || ' ' || sur1 || ' ' || sur2,
         CASE WHEN ${h(5)} % 20 = 0 THEN 'disabled' ELSE 'active' END,
         CASE WHEN ${h(6)} % 10 < 3 THEN NULL
           WHEN ${h(6)} % 10 < 8 THEN $now::timestamptz - ${h(7)} % (89 * 1440) * interval '1 minute'
           ELSE $now::timestamptz - (92 * 1440 + ${h(7)} % (600 * 1440)) * interval '1 minute' END,
         CASE WHEN ${h(8)} % 20 = 0 THEN NULL
           ELSE $now::timestamptz - ${h(9)} % (60 * 1440) * interval '1 minute' END,
         ests,
         ARRAY(SELECT DISTINCT region_of[e] FROM unnest(ests) AS e ORDER BY 1),
         ARRAY[CASE WHEN ${h(14)} % 100 < 2 THEN 'admin' WHEN ${h(14)} % 100 < 3 THEN 'auditor'
           ELSE 'staff' END]
       FROM (SELECT i, ($first::text[])[1 + ${h(1)} % $nFirst] AS first,
               ($first::text[])[1 + ${h(3)} % $nFirst] AS second,
               ($surnames::text[])[1 + ${h(4)} % $nSurnames] AS sur1,
               ($surnames::text[])[1 + ${h(10)} % $nSurnames] AS sur2,
               ARRAY(SELECT DISTINCT 1 + (${h(11)} + k * 18 * (1 + ${h(12)} % 4)) % 934
                     FROM generate_series(0, CASE WHEN ${h(13)} % 10 < 7 THEN 0
                       WHEN ${h(13)} % 10 < 9 THEN 1 ELSE 2 END) AS k ORDER BY 1) AS ests
             FROM generate_series(1, $count) AS i) AS n,
         (SELECT array_agg(region_id ORDER BY id) AS region_of FROM establishments) AS map`,
      {
        first: FIRST,
        nFirst: FIRST.length,
        surnames: SURNAMES,
        nSurnames: SURNAMES.length,
        count: userCount,
        now: NOW,
      },
      t,
    );
    // Half of the administrators are regional, in their first region.
    await q(
      `WITH assignments AS (
         INSERT INTO user_establishments (user_id, establishment_id)
         SELECT id, unnest(establishment_ids) FROM users)
       INSERT INTO user_roles (user_id, role, region_id)
       SELECT id, role_names[1], CASE WHEN role_names[1] = 'admin' AND id % 2 = 0 THEN region_ids[1] END
       FROM users`,
      {},
      t,
    );
  });
  for (const index of indexes) await q(index.definition);
  // The triggers' function, run on a sample and rolled back, must find nothing to change.
  const transaction = await db.transaction();
  try {
    const sample = 'SELECT id FROM users WHERE id % 97 = 0';
    await db.query(
      `CREATE TEMP TABLE copies AS
       SELECT id, establishment_ids, region_ids, role_names FROM users WHERE id IN (${sample})`,
      { transaction },
    );
    await db.query(`SELECT users_refresh_copies(ARRAY(${sample}))`, { transaction });
    const [changed] = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM copies c JOIN users u USING (id)
       WHERE (c.establishment_ids, c.region_ids, c.role_names)
         IS DISTINCT FROM (u.establishment_ids, u.region_ids, u.role_names)`,
      { type: QueryTypes.SELECT, transaction },
    );
    if (changed!.n) throw new Error(`${changed!.n} users' copies differ from the triggers'`);
  } finally {
    await transaction.rollback();
  }
  await q('VACUUM ANALYZE');
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

/**
 * Every shape, one call at a time, taken in turn (round robin) until `seconds` per shape are
 * spent, after a few warm-up rounds: a machine busy with other work slows all shapes alike, so
 * their ratios to the baseline hold better than if each had its own stretch of time.
 */
async function timeInTurn(runs: (() => Promise<unknown>)[], seconds: number) {
  for (let round = 0; round < 10; round++) for (const run of runs) await run();
  const times: number[][] = runs.map(() => []);
  const end = performance.now() + seconds * runs.length * 1000;
  while (performance.now() < end && times[0]!.length < 20_000) {
    for (const [i, run] of runs.entries()) {
      const start = performance.now();
      await run();
      times[i]!.push(performance.now() - start);
    }
  }
  return times.map((t) => {
    t.sort((a, b) => a - b);
    return { p50: percentile(t, 50), p99: percentile(t, 99), count: t.length };
  });
}

/**
 * The plan of the query that search() sends: a stand-in for Sequelize runs it under EXPLAIN
 * (ANALYZE, BUFFERS) and hands the search an empty result. Summed up as the scans that ran in
 * each step of src/storage/queries/user-search.ts (probe, head, tail; "walk" when unfiltered) with the
 * rows they returned, the step whose rows became the page, the buffers and the time; the page's
 * establishments and roles (SubPlans, alike in every shape) are left out. BENCH_PLANS=full
 * prints whole plans.
 */
async function explain(db: Sequelize, params: UserSearchParams) {
  let plan: string[] = [];
  const explaining = {
    query: async (sql: string, options: object) => {
      const rows = await db.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${sql}`,
        { ...options, type: QueryTypes.SELECT },
      );
      plan = rows.map((r) => r['QUERY PLAN']);
      return [];
    },
  } as unknown as Sequelize;
  await createUserSearch(explaining).search(params);
  const end = plan.findIndex((line) => /^\s*SubPlan \d/.test(line));
  const scan =
    /(Seq Scan|Index Only Scan|Index Scan|Bitmap Index Scan|Bitmap Heap Scan)(?: using (\S+))? on (\S+).*rows=(\d+)/;
  const scans: string[] = [];
  let step = 'walk';
  for (const line of plan.slice(0, end < 0 ? plan.length : end)) {
    step = /CTE (probe|head|tail)$/.exec(line.trim())?.[1] ?? step;
    const found = scan.exec(line);
    if (!found || /never executed/.test(line) || found[2] === 'users_pkey') continue;
    scans.push(`${step.padEnd(6)} ${found[1]} ${found[2] ?? found[3]}: ${found[4]} rows`);
  }
  const filtered = plan.some((line) => /CTE probe/.test(line));
  const source =
    plan
      .map((line) => /CTE Scan on (probe|head|tail) \(actual.* rows=[1-9]/.exec(line)?.[1])
      .find(Boolean) ?? (filtered ? 'probe (no match)' : 'the name index');
  const buffers = Number(/hit=(\d+)/.exec(plan.find((l) => /Buffers: shared/.test(l)) ?? '')?.[1]);
  const ms = /Execution Time: ([\d.]+)/.exec(plan.find((l) => /Execution Time/.test(l)) ?? '')?.[1];
  const heading = `page from ${source}; ${buffers} buffers; ${ms} ms`;
  return { buffers, heading, scans, plan };
}

async function main(): Promise<void> {
  const seconds = positiveInt('BENCH_SECONDS', 3);
  const userCount = positiveInt('BENCH_USERS', 100_000);
  const dbUrl = databaseUrl(DB_NAME);
  await adminQuery(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`, PG_ADMIN_URL);
  await adminQuery(`CREATE DATABASE ${DB_NAME}`, PG_ADMIN_URL);
  const db = createSequelize({ url: dbUrl, poolMax: 2, statementTimeoutInMs: 600_000 });
  try {
    const started = performance.now();
    await createMigrator(db).up();
    await seed(db, userCount);
    const seedSeconds = ((performance.now() - started) / 1000).toFixed(1);
    const count = async (sql: string) =>
      Number((await db.query<{ n: string }>(sql, { type: QueryTypes.SELECT }))[0]!.n);
    const assignments = await count('SELECT count(*) AS n FROM user_establishments');
    process.stderr.write(`seeded and analyzed in ${seedSeconds} s\n`);

    const users = createUserSearch(db);
    const global = { kind: 'global' } as const;
    const staleCutoff = addMonthsInZone(NOW, -3);
    const [central] = await db.query<{ id: number }>(
      `SELECT id FROM regions WHERE code = 'RS-11'`,
      { type: QueryTypes.SELECT },
    );
    const regionId = central!.id;
    const [someone] = await db.query<{ document_number: string }>(
      `SELECT document_number FROM users ORDER BY id OFFSET $offset LIMIT 1`,
      { bind: { offset: Math.min(4242, userCount - 1) }, type: QueryTypes.SELECT },
    );
    const cedulaPrefix = formatCedula(someone!.document_number).slice(0, 7); // "1.284.2"
    // Half-way down the name order, reached as an administrator would: page after page.
    let deep: string | undefined;
    const half = Math.floor(userCount / 200);
    for (let i = 0; i < half; i++) {
      deep = (await users.search({ scope: global, limit: 100, after: deep })).nextCursor ?? deep;
    }
    const shapes: [string, UserSearchParams][] = [
      ['first page, no filter', { scope: global }],
      ['q "gonzalez"', { scope: global, q: 'gonzalez' }],
      ['q "maria gonz"', { scope: global, q: 'maria gonz' }],
      [`q cédula prefix "${cedulaPrefix}"`, { scope: global, q: cedulaPrefix }],
      [`q "zzyzx" (no match)`, { scope: global, q: 'zzyzx' }],
      ['region + badge verified', { scope: global, regionId, badge: 'verified', staleCutoff }],
      ['role auditor', { scope: global, role: 'auditor' }],
      ['one establishment', { scope: global, establishmentId: 17 }],
      ['status disabled + role admin', { scope: global, status: 'disabled', role: 'admin' }],
      [
        `page at user ${(half * 100).toLocaleString('en')} (cursor)`,
        { scope: global, after: deep },
      ],
      [
        'limited scope (1 region)',
        { scope: { kind: 'limited', regionIds: [regionId], establishmentIds: [] } },
      ],
      [
        'limited scope + q "gonzalez"',
        { scope: { kind: 'limited', regionIds: [regionId], establishmentIds: [] }, q: 'gonzalez' },
      ],
    ];

    const baselineSql = 'SELECT id FROM users ORDER BY id LIMIT 50';
    /** Every shape's plan, rows and timing (in turn, with the baseline). */
    const measure = async () => {
      const plans: Awaited<ReturnType<typeof explain>>[] = [];
      const rows: number[] = [];
      for (const [, params] of shapes) {
        plans.push(await explain(db, params));
        rows.push((await users.search(params)).rows.length);
      }
      process.stderr.write(`measuring ${shapes.length + 1} shapes in turn, ${seconds} s each…\n`);
      const [baseline, ...timed] = await timeInTurn(
        [
          () => db.query(baselineSql, { type: QueryTypes.SELECT }),
          ...shapes.map(
            ([, params]) =>
              () =>
                users.search(params),
          ),
        ],
        seconds,
      );
      return { plans, rows, baseline: baseline!, timed };
    };
    const fresh = await measure();

    // The walk is an index-only scan (migration 20261206-010), which visits the heap for entries
    // on pages changed since the last vacuum: every login changes its user's row. Measured again
    // at the worst point autovacuum allows, the changes that trigger it (0.5 % of the rows + 100,
    // the table's settings) made and the table not vacuumed yet.
    await db.query('ALTER TABLE users SET (autovacuum_enabled = false)');
    await db.query('CREATE EXTENSION IF NOT EXISTS pg_visibility');
    const changed = Math.ceil(userCount * 0.005) + 100;
    await db.query(`UPDATE users SET last_login_at = $at WHERE id % $every = 0`, {
      bind: { at: NOW, every: Math.floor(userCount / changed) },
    });
    const [visibility] = await db.query<{ pages: number; dirty: number }>(
      `SELECT count(*)::int AS pages, count(*) FILTER (WHERE NOT all_visible)::int AS dirty
         FROM pg_visibility_map('users')`,
      { type: QueryTypes.SELECT },
    );
    const afterLogins = await measure();

    const widths = [34, 6, 9, 9, 10, 10, 9, 8];
    const row = (cells: string[]) =>
      cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('');
    console.log(
      `\nHIS Acceso users search: ${userCount} users, ${assignments} assignments, 934 establishments, ` +
        `18 regions; seeded in ${seedSeconds} s; ${seconds} s per shape, one call at a time, ` +
        `shapes in turn; Node ${process.version}, ${availableParallelism()} CPUs, ` +
        `load average ${loadavg()[0]!.toFixed(1)}`,
    );
    const table = ({ plans, rows, baseline, timed }: typeof fresh) => {
      console.log(
        row(['shape', 'rows', 'p50 ms', 'p99 ms', '× pk p50', '× pk p99', 'buffers', 'calls']),
      );
      const line = (name: string, n: number, r: typeof baseline, buffers: number) =>
        console.log(
          row([
            name,
            String(n),
            r.p50.toFixed(2),
            r.p99.toFixed(2),
            (r.p50 / baseline.p50).toFixed(1),
            (r.p99 / baseline.p99).toFixed(1),
            Number.isNaN(buffers) ? '' : String(buffers),
            String(r.count),
          ]),
        );
      line('pk scan LIMIT 50 (baseline)', 50, baseline, NaN);
      shapes.forEach(([name], i) => line(name, rows[i]!, timed[i]!, plans[i]!.buffers));
    };
    console.log('\njust after VACUUM ANALYZE (every heap page all-visible):');
    table(fresh);
    console.log(
      `\nafter ${changed} logins (${((100 * changed) / userCount).toFixed(1)} % of the users, ` +
        `autovacuum's trigger) and before the vacuum: ${visibility!.dirty} of ${visibility!.pages} heap pages not all-visible`,
    );
    table(afterLogins);
    console.log('\nbuffers: shared buffers the query touched (EXPLAIN ANALYZE), whatever the load');
    const { plans } = fresh;

    console.log('\nplans (EXPLAIN ANALYZE, before the timing): scans per step, rows they returned');
    shapes.forEach(([name], i) => {
      const { heading, scans, plan } = plans[i]!;
      console.log(`${name} (${heading})`);
      const lines = process.env.BENCH_PLANS === 'full' ? plan : scans;
      for (const line of lines) console.log(`    ${line}`);
    });
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

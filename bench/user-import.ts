/**
 * `npm run bench:import`: the staff import (src/domain/users/commands/import-users.ts) with a
 * 5,000-line file, the largest, against 10,000 existing accounts and 934 establishments in
 * 18 regions, in the scratch database `his_acceso_bench_import` (dropped and created, migrated,
 * filled by INSERT … SELECT generate_series). Each round, in turn: the preview (the plan against
 * the database, as the screen's POST does), the apply (the command: one transaction, e-ID-only
 * accounts), the same file again (every line unchanged), and the baseline — a bare
 * `INSERT … SELECT unnest` of the same 5,000 rows into a scratch table, the least a database
 * write of the file costs. Printed: medians over BENCH_ROUNDS and their ratio to the baseline;
 * then one apply of 200 lines with one-time passwords (argon2id per account). The database is
 * dropped at the end unless KEEP_BENCH_DB is set.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { createSequelize } from '../src/db/sequelize';
import { createMigrator } from '../src/db/migrator';
import { createRepositories } from '../src/storage/repositories';
import { importUsers, planUsersFile } from '../src/domain/users/commands/import-users';
import { cliActor } from '../src/cli/actor';
import { adminQuery } from '../test/support/services';
import { databaseUrl, PG_ADMIN_URL, positiveInt } from './settings';

const DB_NAME = 'his_acceso_bench_import';
const LINES = positiveInt('BENCH_IMPORT_LINES', 5000);
const ROUNDS = positiveInt('BENCH_ROUNDS', 3);
const NOW = new Date('2026-11-29T12:00:00-03:00');
const FIRST = ['María', 'José', 'Juan', 'Carlos', 'Ana', 'Rosa', 'Luis', 'Jorge', 'Mirta', 'Liz'];
const SURNAMES = ['González', 'Benítez', 'Martínez', 'López', 'Giménez', 'Báez', 'Duarte', 'Vera'];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${x.toFixed(0)} ms`;

async function seed(db: Sequelize): Promise<void> {
  await db.query(`INSERT INTO regions (code, name)
    SELECT 'RS-' || lpad(i::text, 2, '0'), 'Región Sanitaria ' || i FROM generate_series(1, 18) i`);
  await db.query(`INSERT INTO establishments (code, name, region_id)
    SELECT 'E' || lpad(i::text, 4, '0'), 'Establecimiento ' || i,
      (SELECT min(id) FROM regions) + i % 18
    FROM generate_series(1, 934) i`);
  await db.query(`INSERT INTO users (username, document_number, full_name, status)
    SELECT 'existente' || i, (9000000 + i)::text, 'Persona Existente ' || i, 'active'
    FROM generate_series(1, 10000) i`);
  await db.query(`INSERT INTO user_establishments (user_id, establishment_id)
    SELECT u.id, (SELECT min(id) FROM establishments) + u.id % 934 FROM users u`);
}

/** A file of `lines` new people (cédulas from `base`), each in one or two establishments. */
function staffFile(lines: number, base: number): string {
  const rows = ['cedula;nombre;usuario;email;establecimientos;rol;valida_hasta'];
  for (let i = 0; i < lines; i++) {
    const name = `${FIRST[i % FIRST.length]} ${SURNAMES[(i * 7) % SURNAMES.length]} ${SURNAMES[(i * 3) % SURNAMES.length]}`;
    const place = `E${String((i % 934) + 1).padStart(4, '0')}`;
    const second = i % 3 === 0 ? `,E${String(((i + 1) % 934) + 1).padStart(4, '0')}` : '';
    rows.push(`${base + i};${name};;;${place}${second};;${i % 2 ? '28/02/2027' : ''}`);
  }
  return rows.join('\r\n');
}

async function main(): Promise<void> {
  await adminQuery(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`, PG_ADMIN_URL);
  await adminQuery(`CREATE DATABASE ${DB_NAME}`, PG_ADMIN_URL);
  const db = createSequelize(
    { url: databaseUrl(DB_NAME), poolMax: 4, statementTimeoutInMs: 0 },
    { applicationName: 'his-acceso-bench-import', queryTimeoutInMs: 0 },
  );
  try {
    await createMigrator(db).up();
    await seed(db);
    const repos = createRepositories(db);
    const clock = { now: () => NOW };
    const deps = { repos, clock, identities: { refresh: async () => undefined } };
    const actor = cliActor('bench');
    const meta = { ip: null, userAgent: null };
    const run = importUsers(deps);
    await db.query('CREATE UNLOGGED TABLE bench_rows (cedula text, name text, places text)');

    const figures = { preview: [] as number[], apply: [] as number[], again: [] as number[] };
    const baseline: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const text = staffFile(LINES, 1_000_000 + round * LINES);
      let started = performance.now();
      const plan = await planUsersFile(repos, actor, text, NOW);
      figures.preview.push(performance.now() - started);
      if (plan.errors.length) throw new Error(`the file has errors: ${plan.errors[0]!.message}`);

      started = performance.now();
      const result = await run(actor, { fileName: `bench-${round}.csv`, text }, meta);
      figures.apply.push(performance.now() - started);
      if (result.accounts.length !== LINES) throw new Error('not every line was created');

      started = performance.now();
      const again = await run(actor, { fileName: `bench-${round}.csv`, text }, meta);
      figures.again.push(performance.now() - started);
      if (again.plan.counts.unchanged !== LINES) throw new Error('the second run changed lines');

      const cells = text
        .split('\r\n')
        .slice(1)
        .map((l) => l.split(';'));
      started = performance.now();
      await db.query(
        `INSERT INTO bench_rows SELECT * FROM unnest($1::text[], $2::text[], $3::text[])`,
        { bind: [cells.map((c) => c[0]), cells.map((c) => c[1]), cells.map((c) => c[4])] },
      );
      baseline.push(performance.now() - started);
    }
    const base = median(baseline);
    const row = (label: string, xs: number[]) =>
      `${label.padEnd(44)} ${ms(median(xs)).padStart(9)}   ${(median(xs) / base).toFixed(1).padStart(6)}×`;
    console.log(`\nStaff import, ${LINES} lines, median of ${ROUNDS} rounds`);
    console.log(`${'load'.padEnd(44)} ${'median'.padStart(9)}   ${'ratio'.padStart(7)}`);
    console.log(row('baseline: INSERT … unnest of the rows', baseline));
    console.log(row('preview (plan against the database)', figures.preview));
    console.log(row('apply (e-ID-only accounts, one transaction)', figures.apply));
    console.log(row('same file again (all unchanged)', figures.again));
    const [adminEvents] = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM admin_events WHERE action = 'users.create'`,
      { type: QueryTypes.SELECT },
    );
    console.log(`users.create rows written: ${adminEvents!.n}`);

    const withPasswords = staffFile(200, 5_000_000);
    const started = performance.now();
    await run(actor, { fileName: 'otp.csv', text: withPasswords, oneTimePasswords: true }, meta);
    const took = performance.now() - started;
    console.log(
      `200 lines with one-time passwords: ${ms(took)} (${(took / 200).toFixed(1)} ms per account: argon2id)`,
    );
  } finally {
    await db.close();
    if (!process.env.KEEP_BENCH_DB)
      await adminQuery(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`, PG_ADMIN_URL);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

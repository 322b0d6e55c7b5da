import { QueryTypes, type Sequelize } from 'sequelize';
import { scratchDatabase } from '../support/scratch-database';
import { createSequelize } from '../../src/db/sequelize';
import { createRepositories } from '../../src/storage/repositories';
import { ManualClock } from '../../src/shared/clock';
import { seedDemo } from '../../src/cli/seed-demo';
import { NATIONAL, nationalEstablishmentsCsv, seedNational } from '../../src/cli/seed-national';
import { cliActor } from '../../src/cli/actor';
import { verifyChain } from '../../src/domain/audit/verify';
import { planEstablishmentImport } from '../../src/domain/establishments/import-plan';

/**
 * The national demo on a database of its own (a smaller population and history than
 * `npm run dev -- --national`, the same establishments): the real network's shape, every badge
 * state, both audit chains intact, and a second run that changes nothing.
 */
jest.setTimeout(120_000);

let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
let db: Sequelize;
const NOW = '2026-11-20T15:00:00Z';

beforeAll(async () => {
  scratch = await scratchDatabase('seed');
  db = createSequelize({ url: scratch.url, poolMax: 4, statementTimeoutInMs: 60_000 });
});
afterAll(async () => {
  await db.close();
  await scratch.drop();
});

const one = async <T extends object>(sql: string) =>
  (await db.query<T>(sql, { type: QueryTypes.SELECT }))[0]!;

it('when the establishments file is generated then it is a valid import of 934 rows in 18 regiones', () => {
  const plan = planEstablishmentImport(nationalEstablishmentsCsv(NATIONAL.establishments), []);
  expect(plan.errors).toEqual([]);
  expect(plan.counts.create).toBe(934);
  expect(plan.newRegions).toHaveLength(18);
});

it('when loaded then the network has its shape, every badge state and intact chains; loading again changes nothing', async () => {
  const repos = createRepositories(db);
  const clock = new ManualClock(NOW);
  const actor = cliActor('prueba');
  await seedDemo({ repos, clock }, actor);
  const done = await seedNational({ repos, clock, sequelize: db }, actor, {
    ...NATIONAL,
    people: 1200,
    days: 20,
  });
  expect(done).toMatchObject({ establishments: 934, people: 1200 });
  expect(done!.loginEvents).toBeGreaterThan(1000);

  const shape = await one<{ regions: number; places: number; people: number }>(
    `SELECT (SELECT count(*)::int FROM regions) AS regions,
            (SELECT count(*)::int FROM establishments WHERE code LIKE 'RS%') AS places,
            (SELECT count(*)::int FROM users) AS people`,
  );
  // The demo's four establishments sit in two of the same regiones (Capital, Central).
  expect(shape).toEqual({ regions: 18, places: 934, people: 1200 + 7 });
  const badges = await one<{ verified: number; stale: number; never: number; disabled: number }>(
    `SELECT count(*) FILTER (WHERE last_eid_login_at > $now::timestamptz - interval '3 months')::int AS verified,
            count(*) FILTER (WHERE last_eid_login_at <= $now::timestamptz - interval '3 months')::int AS stale,
            count(*) FILTER (WHERE last_eid_login_at IS NULL)::int AS never,
            count(*) FILTER (WHERE status = 'disabled')::int AS disabled
       FROM users`.replace(/\$now/g, `'${NOW}'`),
  );
  for (const count of Object.values(badges)) expect(count).toBeGreaterThan(10);
  const admins = await one<{ regional: number }>(
    `SELECT count(DISTINCT region_id)::int AS regional FROM user_roles
      WHERE role = 'admin' AND region_id IS NOT NULL`,
  );
  expect(admins.regional).toBe(18);

  // Last semester's access review closed (confirmed, changed, unreviewed), this one under way.
  const reviews = await db.query<{ closed: boolean; decision: string; n: number }>(
    `SELECT r.closed_at IS NOT NULL AS closed, d.decision, count(*)::int AS n
       FROM access_reviews r JOIN access_review_decisions d ON d.review_id = r.id
      GROUP BY 1, 2 ORDER BY 1, 2`,
    { type: QueryTypes.SELECT },
  );
  expect(reviews.map((r) => [r.closed, r.decision])).toEqual([
    [false, 'changed'],
    [false, 'confirmed'],
    [true, 'changed'],
    [true, 'confirmed'],
    [true, 'unreviewed'],
  ]);
  for (const r of reviews) expect(r.n).toBeGreaterThan(5);

  for (const table of ['login_events', 'admin_events'] as const) {
    const report = await verifyChain(db, table);
    expect(report.brokenAt).toBeNull();
    expect(report.rows).toBeGreaterThan(table === 'login_events' ? 1000 : 100);
  }
  expect(await seedNational({ repos, clock, sequelize: db }, actor)).toBeNull();
});

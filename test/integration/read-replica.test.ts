import { randomBytes } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import { buildTestApp, type TestApp } from '../support/test-app';
import { adminQuery, TEST_PG_ADMIN_URL } from '../support/services';
import { agentFor, postLogin, userAgentOf } from '../support/http';

/**
 * DATABASE_READ_URL: the audit screens and exports read through a second pool. A real replica
 * is a copy of the primary; here it is a different database, so that which one answered shows.
 */
jest.setTimeout(60_000);

const replicaName = `his_acceso_replica_${randomBytes(4).toString('hex')}`;
const currentDatabase = async (db: Sequelize) =>
  (
    await db.query<{ name: string }>('SELECT current_database() AS name', {
      type: QueryTypes.SELECT,
    })
  )[0]!.name;

let replicaUrl: string;
beforeAll(async () => {
  await adminQuery(`CREATE DATABASE ${replicaName}`);
  const url = new URL(TEST_PG_ADMIN_URL);
  url.pathname = `/${replicaName}`;
  replicaUrl = url.toString();
});
afterAll(async () => {
  await adminQuery(`DROP DATABASE IF EXISTS ${replicaName} WITH (FORCE)`);
});

describe('with DATABASE_READ_URL set', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ DATABASE_READ_URL: replicaUrl });
  });
  afterAll(() => t.close());

  it('when the app reads for the audit then it reads the replica, and writes go to the primary', async () => {
    const primaryName = new URL(process.env.TEST_DATABASE_URL!).pathname.slice(1);
    expect(await currentDatabase(t.readSequelize)).toBe(replicaName);
    expect(await currentDatabase(t.sequelize)).toBe(primaryName);
  });

  it('when someone logs in then the login path writes its audit row to the primary only', async () => {
    const agent = agentFor(t.app);
    const res = await postLogin(agent, `nadie.${randomBytes(4).toString('hex')}`, 'clave-falsa');
    expect(res.status).toBe(401);
    const rows = await t.sequelize.query<{ reason: string }>(
      'SELECT reason FROM login_events WHERE user_agent = :ua',
      { replacements: { ua: userAgentOf(agent) }, type: QueryTypes.SELECT },
    );
    expect(rows).toEqual([{ reason: 'unknown_user' }]);
    // The replica database was never migrated: had the login path used it, the insert would fail.
    const tables = await t.readSequelize.query(
      "SELECT 1 FROM information_schema.tables WHERE table_name = 'login_events'",
      { type: QueryTypes.SELECT },
    );
    expect(tables).toEqual([]);
  });

  it('when its connection is named then operators can tell the replica pool apart', async () => {
    const [row] = await t.readSequelize.query<{ name: string }>(
      "SELECT current_setting('application_name') AS name",
      { type: QueryTypes.SELECT },
    );
    expect(row!.name).toBe('his-acceso-read');
  });
});

describe('without DATABASE_READ_URL', () => {
  it('when the app reads for the audit then it reads the primary through the same pool', async () => {
    const t = await buildTestApp();
    try {
      expect(t.readSequelize).toBe(t.sequelize);
      expect(await currentDatabase(t.readSequelize)).not.toBe(replicaName);
    } finally {
      await t.close();
    }
  });
});

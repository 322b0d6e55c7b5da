import { randomBytes } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import { buildTestApp, type TestApp } from '../support/test-app';
import { adminQuery, TEST_PG_ADMIN_URL } from '../support/services';
import { agentFor, loginAndChoose, postLogin, userAgentOf } from '../support/http';
import { makeEstablishment, makeUser, TEST_PASSWORD } from '../support/factories';
import { createSequelize } from '../../src/db/sequelize';
import { createMigrator } from '../../src/db/migrator';
import { appendLoginEvent } from '../../src/storage/audit/login-events';

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

describe("the auditor's pages and export with DATABASE_READ_URL set", () => {
  // The "replica" is migrated and holds one login row the primary lacks: what the auditor sees
  // shows which database answered. A real replica lags the same way for a moment.
  const tag = randomBytes(4).toString('hex');
  const onlyOnReplica = `solo.replica.${tag}`;
  const replicaName2 = `his_acceso_replica_${tag}`;
  let t: TestApp;
  let auditor: string;
  let agent: ReturnType<typeof agentFor>;

  beforeAll(async () => {
    await adminQuery(`CREATE DATABASE ${replicaName2}`);
    const url = new URL(TEST_PG_ADMIN_URL);
    url.pathname = `/${replicaName2}`;
    const replica = createSequelize({
      url: url.toString(),
      poolMax: 1,
      statementTimeoutInMs: 30000,
    });
    try {
      await createMigrator(replica).up();
      await appendLoginEvent(replica, {
        occurredAt: new Date('2026-11-19T12:00:00Z'),
        userId: null,
        username: onlyOnReplica,
        method: 'classic',
        outcome: 'failure',
        reason: 'unknown_user',
        establishmentId: null,
        ip: '10.9.9.9',
        userAgent: 'replica',
      });
    } finally {
      await replica.close();
    }
    t = await buildTestApp({ DATABASE_READ_URL: url.toString() });
    const home = await makeEstablishment(t.sequelize, `Región Réplica ${tag}`);
    const { user } = await makeUser(t.sequelize, { role: 'auditor', establishments: [home] });
    auditor = user.username;
    agent = agentFor(t.app);
    const res = await loginAndChoose(agent, auditor, TEST_PASSWORD, home.id);
    expect(res.headers.location).toBe('/');
  });
  afterAll(async () => {
    await t?.close();
    await adminQuery(`DROP DATABASE IF EXISTS ${replicaName2} WITH (FORCE)`);
  });

  it('when the auditor filters the history then the rows come from the replica', async () => {
    const onReplica = await agent.get(`/audit/logins?user=${onlyOnReplica}`);
    expect(onReplica.status).toBe(200);
    expect(onReplica.text).toContain(onlyOnReplica);
    const [{ n }] = (await t.sequelize.query<{ n: string }>(
      'SELECT count(*) AS n FROM login_events WHERE username = :u',
      { replacements: { u: onlyOnReplica }, type: QueryTypes.SELECT },
    )) as [{ n: string }];
    expect(Number(n)).toBe(0);
    // The auditor's own login went to the primary: not on the "replica" (a lagging one alike).
    const own = await agent.get(`/audit/logins?user=${auditor}`);
    expect(own.status).toBe(200);
    expect(own.text).not.toContain(`data-event-id`);
  });

  it('when the auditor exports the CSV then it streams from the replica too', async () => {
    const res = await agent.get(`/audit/logins.csv?user=${onlyOnReplica}`).buffer(true);
    expect(res.status).toBe(200);
    expect(res.text).toContain(onlyOnReplica);
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

import { randomBytes } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import type request from 'supertest';
import { buildTestApp, type TestApp } from '../support/test-app';
import { makeEstablishment } from '../support/factories';
import { agentFor, csrfOf } from '../support/http';
import { signedIn, type NewUserOptions } from '../support/sign-in';
import { monitorRedis, WRITE_COMMANDS } from '../support/redis-monitor';
import type { EstablishmentRecord } from '../../src/storage/establishments';

jest.setTimeout(60_000);

/**
 * GET /auth/verify, the forward-auth answer the other HIS modules rely on (through nginx's
 * auth_request): 204 + identity headers for an open session, 401 otherwise, never a redirect,
 * never a session made or written for nothing. test/integration/nginx-forward-auth.test.ts
 * drives the same route through a real nginx.
 */
let t: TestApp;
let monitor: Awaited<ReturnType<typeof monitorRedis>>;
const REGION = `Región V ${randomBytes(3).toString('hex')}`;
let home: EstablishmentRecord;
let second: EstablishmentRecord;

beforeAll(async () => {
  t = await buildTestApp();
  monitor = await monitorRedis(t.config.redis.url, t.config.redis.keyPrefix);
  home = await makeEstablishment(t.sequelize, REGION);
  second = await makeEstablishment(t.sequelize, REGION);
});
afterAll(async () => {
  await monitor.close();
  await t.close();
});

/** A new user of home and second, signed in at home, whose first home page is behind them. */
async function signedInHome(opts: NewUserOptions = {}) {
  const made = await signedIn(t, { establishments: [home, second], ...opts });
  await made.agent.get('/').expect(200);
  return made;
}

const verify = (agent: request.Agent) => agent.get('/auth/verify').redirects(0);
const expectRefused = (res: request.Response) => {
  expect(res.status).toBe(401);
  expect(res.headers.location).toBeUndefined();
  expect(res.headers['set-cookie']).toBeUndefined();
  expect(res.headers['cache-control']).toBe('no-store');
};
const regionIdOf = async (e: EstablishmentRecord) =>
  (
    await t.sequelize.query<{ id: number }>(
      'SELECT region_id AS id FROM establishments WHERE id = :id',
      {
        replacements: { id: e.id },
        type: QueryTypes.SELECT,
      },
    )
  )[0]!.id;

describe('GET /auth/verify with an open session', () => {
  it('when verified then the answer skips what only pages need: mounted before the security headers, unlike the home page', async () => {
    const { agent } = await signedInHome();
    const verified = await agent.get('/auth/verify').expect(204);
    expect(verified.headers['content-security-policy']).toBeUndefined();
    expect(verified.headers['x-frame-options']).toBeUndefined();
    const page = await agent.get('/').expect(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    // Pages are compiled once outside development (Express does so by itself only in production).
    expect(t.config.env).not.toBe('development');
    expect(t.app.get('view cache')).toBe(true);
  });

  it('when a signed-in person is verified then 204 carries their id, username, cédula, name, establishment and roles', async () => {
    const { user, agent } = await signedInHome({ name: 'Ñandutí Peña Ayala' });
    const res = await verify(agent);
    expect(res.status).toBe(204);
    expect(res.headers['x-his-user-id']).toBe(String(user.id));
    expect(res.headers['x-his-username']).toBe(user.username);
    expect(res.headers['x-his-document']).toBe(user.documentNumber);
    expect(decodeURIComponent(res.headers['x-his-name']!)).toBe('Ñandutí Peña Ayala');
    expect(res.headers['x-his-name']).toMatch(/^[\x21-\x7e]+$/);
    expect(res.headers['x-his-establishment']).toBe(home.code);
    expect(res.headers['x-his-establishment-id']).toBe(String(home.id));
    expect(res.headers['x-his-roles']).toBe('staff');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('when a regional admin switches establishment then the headers follow the switch and name the scoped role', async () => {
    const { agent } = await signedInHome({ role: 'admin', scope: `region:${REGION}` });
    expect((await verify(agent)).headers['x-his-roles']).toBe(
      `admin:region:${await regionIdOf(home)}`,
    );
    const csrf = await csrfOf(agent, '/');
    await agent
      .post('/establishment')
      .type('form')
      .send({ establishmentId: second.id, _csrf: csrf });
    expect((await verify(agent)).headers['x-his-establishment']).toBe(second.code);
  });

  it('when verified 50 times within a minute then Redis reads the session, the identity and the agreement version and writes nothing', async () => {
    const { agent } = await signedInHome();
    await monitor.take();
    for (let i = 0; i < 50; i++) expect((await verify(agent)).status).toBe(204);
    const commands = await monitor.take();
    expect(commands.filter((c) => WRITE_COMMANDS.has(c.name))).toEqual([]);
    expect(commands).toHaveLength(150);
  });

  it('when the person works only in a module then its verifications keep the session alive', async () => {
    const { agent } = await signedInHome();
    const idle = t.config.session.idleTimeoutInMinutes;
    for (let i = 0; i < 3; i++) {
      t.clock.advanceMinutes(idle - 1);
      expect((await verify(agent)).status).toBe(204);
    }
    expect((await agent.get('/').redirects(0)).status).toBe(200);
  });
});

describe('GET /auth/verify refuses with 401, never a redirect', () => {
  it('when there is no cookie then 401 and no session is created in Redis', async () => {
    await monitor.take();
    expectRefused(await verify(agentFor(t.app)));
    expect((await monitor.take()).filter((c) => WRITE_COMMANDS.has(c.name))).toEqual([]);
  });

  it('when the cookie names an anonymous session (the login form) then 401 and the session is left as it was', async () => {
    const agent = agentFor(t.app);
    await csrfOf(agent, '/login');
    await monitor.take();
    expectRefused(await verify(agent));
    expect((await monitor.take()).filter((c) => WRITE_COMMANDS.has(c.name))).toEqual([]);
  });

  it('when the session is idle beyond the timeout then 401, the expiry is audited once and the next page goes to the login', async () => {
    const { user, agent } = await signedInHome();
    t.clock.advanceMinutes(t.config.session.idleTimeoutInMinutes + 1);
    expectRefused(await verify(agent));
    expectRefused(await verify(agent));
    const rows = await t.sequelize.query<{ reason: string }>(
      `SELECT reason FROM login_events WHERE user_id = :id AND method = 'session'`,
      { replacements: { id: user.id }, type: QueryTypes.SELECT },
    );
    expect(rows.map((r) => r.reason)).toEqual(['idle_timeout']);
    expect((await agent.get('/').redirects(0)).headers.location).toBe('/login');
  });

  it('when an admin disables the person then their next verification is refused', async () => {
    const admin = await signedInHome({ role: 'admin' });
    const { user, agent } = await signedInHome();
    expect((await verify(agent)).status).toBe(204);
    const csrf = await csrfOf(admin.agent, '/');
    const res = await admin.agent
      .post(`/admin/users/${user.id}/disable`)
      .type('form')
      .send({ _csrf: csrf });
    expect(res.status).toBe(303);
    expectRefused(await verify(agent));
  });

  it('when the establishment of the session is unassigned then 401 and the session ends', async () => {
    const { user, agent } = await signedInHome();
    await t.repos.transaction(async (tx) => {
      await t.sequelize.query(
        'DELETE FROM user_establishments WHERE user_id = :user AND establishment_id = :place',
        { replacements: { user: user.id, place: home.id }, transaction: tx },
      );
    });
    await t.identities.refresh(user.id);
    expectRefused(await verify(agent));
    expect(await t.sessionIndex.list(user.id)).toEqual([]);
  });

  it('when the person must still change a one-time password then 401', async () => {
    const { user, agent } = await signedInHome();
    await t.repos.users.update(user.id, { mustChangePassword: true });
    await t.identities.refresh(user.id);
    expectRefused(await verify(agent));
  });
});

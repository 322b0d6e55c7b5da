import type request from 'supertest';
import { buildTestApp, type TestApp } from '../support/test-app';
import { agentFor, csrfOf } from '../support/http';
import { makeUser, TEST_PASSWORD } from '../support/factories';
import { signedIn } from '../support/sign-in';
import { monitorRedis, WRITE_COMMANDS, type MonitoredCommand } from '../support/redis-monitor';

jest.setTimeout(60_000);

/**
 * What a page view costs Redis, counted with MONITOR on this app's own key prefix (other test
 * files share the Redis): an unchanged session is read, never written; `lastSeenAt` (and with it
 * the key's TTL) is saved at most once a minute of activity.
 */
let t: TestApp;
let monitor: Awaited<ReturnType<typeof monitorRedis>>;
const VIEWS = 100;

beforeAll(async () => {
  t = await buildTestApp();
  monitor = await monitorRedis(t.config.redis.url, t.config.redis.keyPrefix);
});
afterAll(async () => {
  await monitor.close();
  await t.close();
});

const local = (key: string | undefined) => key?.replace(t.config.redis.keyPrefix, '') ?? '';
const summary = (commands: MonitoredCommand[]) =>
  commands.map((c) => `${c.name} ${local(c.args[0]).replace(/:.*$/, '')}`);
const writes = (commands: MonitoredCommand[]) => commands.filter((c) => WRITE_COMMANDS.has(c.name));

/** A signed-in agent whose first home page (and its one-time notice) is already behind it. */
async function settledAgent(): Promise<request.Agent> {
  const { agent } = await signedIn(t);
  await agent.get('/').expect(200);
  await monitor.take();
  await monitor.takeScriptCalls();
  await monitor.roundTrips();
  return agent;
}

describe('Redis traffic of a page view', () => {
  it(`when a signed-in person views the home page ${VIEWS} times within a minute then Redis reads the session, the identity and the agreement version and writes nothing`, async () => {
    const agent = await settledAgent();
    for (let i = 0; i < VIEWS; i++) await agent.get('/').expect(200);
    const commands = await monitor.take();
    expect(writes(commands)).toEqual([]);
    // Exactly three reads per view, the session, the cached identity and the confidentiality
    // agreement's version in force, in one round trip (one script reads them: the identity's key
    // is named inside the session).
    expect(commands).toHaveLength(3 * VIEWS);
    expect(new Set(summary(commands))).toEqual(
      new Set(['GET sess', 'GET identity', 'GET agreement']),
    );
    expect(await monitor.roundTrips()).toBe(VIEWS);
  });

  it(`when a module asks /auth/verify ${VIEWS} times then each is one Redis round trip, no write`, async () => {
    const agent = await settledAgent();
    for (let i = 0; i < VIEWS; i++) await agent.get('/auth/verify').expect(204);
    expect(writes(await monitor.take())).toEqual([]);
    expect(await monitor.roundTrips()).toBe(VIEWS);
  });

  it('when more than a minute passes between views then one save refreshes lastSeenAt and the TTL, and the next views write nothing', async () => {
    const agent = await settledAgent();
    t.clock.advanceMinutes(1.05);
    await agent.get('/').expect(200);
    const refresh = writes(await monitor.take());
    // The session and, in the same round trip, its due time in the set of session ends
    // (src/domain/sessions/session-ends.ts: what tells and audits an idle expiry once Redis has dropped
    // the session). Its record is written at login only.
    expect(summary(refresh).sort()).toEqual(['SET sess', 'ZADD sess-ends']);
    // Two scripts, two round trips: the view's read, and one save of the session with its due
    // time (it was two scripts, the session's and its record's).
    expect(await monitor.takeScriptCalls()).toEqual(['EVALSHA', 'EVALSHA']);
    expect(await monitor.roundTrips()).toBe(2);
    const sessionSave = refresh.find((c) => local(c.args[0]).startsWith('sess:'))!;
    // The save restarts the key's TTL at the idle timeout (it is the server-side idle window).
    const ttlArg = sessionSave.args.findIndex((a) => a.toUpperCase() === 'EX');
    expect(Number(sessionSave.args[ttlArg + 1])).toBe(t.config.session.idleTimeoutInMinutes * 60);

    for (let i = 0; i < 20; i++) await agent.get('/').expect(200);
    expect(writes(await monitor.take())).toEqual([]);
  });

  it("when the session index reads a person's sessions (a module's token request, an administrator's list) then it reads the sessions alone, nothing more", async () => {
    const { user, agent } = await signedIn(t);
    await agent.get('/').expect(200);
    await monitor.take();
    await monitor.takeScriptCalls();
    const sessions = await t.sessionIndex.summaries(user.id);
    expect(sessions).toHaveLength(1);
    // No script: the identity and agreement keys a page view reads with the session are not
    // read here (nor kept for a request that will never come to take them).
    expect(await monitor.takeScriptCalls()).toEqual([]);
    expect(summary(await monitor.take())).toEqual([
      'SMEMBERS user-sessions',
      'EXISTS sess',
      'GET sess',
    ]);
  });

  it("when a person logs in then each step's new session is stored once, before its redirect", async () => {
    const { user, establishments } = await makeUser(t.sequelize, { establishments: 2 });
    const agent = agentFor(t.app);
    const csrf = await csrfOf(agent, '/login');
    await monitor.take();
    /** The session keys written, one entry per write (SET run by the save's script). */
    const stored = (commands: MonitoredCommand[]) =>
      commands
        .filter((c) => c.name === 'SET' && local(c.args[0]).startsWith('sess:'))
        .map((c) => c.args[0]);

    const password = await agent
      .post('/login')
      .type('form')
      .send({ username: user.username, password: TEST_PASSWORD, _csrf: csrf });
    expect(password.headers.location).toBe('/login/establishment');
    const pending = stored(await monitor.take());
    expect(pending).toHaveLength(1);

    const choice = await csrfOf(agent, '/login/establishment');
    await monitor.take();
    const chosen = await agent
      .post('/login/establishment')
      .type('form')
      .send({ establishmentId: establishments[1]!.id, _csrf: choice });
    expect(chosen.headers.location).toBe('/');
    const signedInSession = stored(await monitor.take());
    expect(signedInSession).toHaveLength(1);
    expect(signedInSession[0]).not.toBe(pending[0]);
    // Stored before the redirect: the next request (on any instance) finds it.
    await agent.get('/').expect(200);
    await monitor.take();
  });

  it('when an anonymous visitor without a cookie asks for a page then no session is written', async () => {
    const res = await agentFor(t.app).get('/').expect(303);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(writes(await monitor.take())).toEqual([]);
  });
});

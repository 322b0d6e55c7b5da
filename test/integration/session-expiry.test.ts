import request from 'supertest';
import { QueryTypes } from 'sequelize';
import { sign } from 'cookie-signature';
import { buildTestApp, type TestApp } from '../support/test-app';
import { csrfOf } from '../support/http';
import { signedIn } from '../support/sign-in';
import { createSessionMiddleware, SESSION_COOKIE } from '../../src/web/session/middleware';
import { createSessionEnds } from '../../src/domain/sessions/session-ends';
import { createSessionTimeouts } from '../../src/web/session/timeouts';
import { createLoginEventRecorder } from '../../src/domain/audit/recorder';

jest.setTimeout(120_000);

/**
 * Idle and absolute expiry are told apart from "never existed" even after Redis has dropped the
 * session by its TTL: the session's end record (src/domain/sessions/session-ends.ts) outlives it. Redis
 * removing the key is simulated by deleting it (what its TTL does) after moving the clock.
 *
 * On the landed code the first test fails: with the session key gone, the request is anonymous,
 * `/` redirects to a plain /login, and no login_events row is ever written.
 */
let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

const idleMinutes = () => t.config.session.idleTimeoutInMinutes;
const sessionKey = (sid: string) => `${t.config.redis.keyPrefix}sess:${sid}`;
const endKey = (sid: string) => `${t.config.redis.keyPrefix}sess-end:${sid}`;

/** A signed-in user after their first home page; `cookie` is the raw session cookie pair. */
async function openSession() {
  const openedAt = t.clock.now().getTime();
  const signed = await signedIn(t);
  await signed.agent.get('/').expect(200);
  const [sid] = await t.sessionIndex.list(signed.user.id);
  const cookie = `${SESSION_COOKIE}=${encodeURIComponent(`s:${sign(sid!, t.config.session.secret)}`)}`;
  return { ...signed, sid: sid!, cookie, openedAt };
}

async function sessionRows(userId: number) {
  return t.sequelize.query<{ reason: string; occurred_at: Date; establishment_id: number }>(
    `SELECT reason, occurred_at, establishment_id FROM login_events
      WHERE user_id = :userId AND method = 'session' ORDER BY id`,
    { replacements: { userId }, type: QueryTypes.SELECT },
  );
}

/** What Redis does when the idle TTL runs out while nobody uses the session. */
async function idleAway(sid: string, minutes = idleMinutes() + 5) {
  t.clock.advanceMinutes(minutes);
  await t.redis.del(sessionKey(sid));
}

describe('a session Redis already dropped', () => {
  it('when Redis dropped an idle session then the next page audits idle_timeout at the time it expired and the login shows the notice', async () => {
    const s = await openSession();
    await idleAway(s.sid);
    const res = await request(t.app).get('/').set('Cookie', s.cookie);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?expired=idle');
    // The stale cookie is cleared, so the browser stops sending it.
    expect(String(res.headers['set-cookie'])).toMatch(new RegExp(`^${SESSION_COOKIE}=;`));
    const login = await request(t.app).get(res.headers.location!);
    expect(login.text).toContain('Su sesión se cerró por inactividad');

    const rows = await sessionRows(s.user.id);
    expect(rows.map((r) => r.reason)).toEqual(['idle_timeout']);
    expect(rows[0]!.occurred_at.getTime()).toBe(s.openedAt + idleMinutes() * 60_000);
    expect(rows[0]!.establishment_id).toBe(s.establishments[0]!.id);
    expect(await t.redis.exists(endKey(s.sid))).toBe(0);
    // The session index drops it too.
    expect(await t.sessionIndex.list(s.user.id)).toEqual([]);
  });

  it('when the same cookie comes back after the expiry was told then a plain login and no second row', async () => {
    const s = await openSession();
    await idleAway(s.sid);
    await request(t.app).get('/').set('Cookie', s.cookie).expect(303);
    const again = await request(t.app).get('/').set('Cookie', s.cookie);
    expect(again.headers.location).toBe('/login');
    expect(await sessionRows(s.user.id)).toHaveLength(1);
  });

  it('when a session active all shift was dropped after its absolute end then absolute_timeout at createdAt + the absolute timeout', async () => {
    const s = await openSession();
    const absoluteMs = t.config.session.absoluteTimeoutInHours * 3_600_000;
    // Active every 20 minutes until just before the absolute end.
    while (t.clock.now().getTime() + 20 * 60_000 < s.openedAt + absoluteMs) {
      t.clock.advanceMinutes(20);
      await s.agent.get('/').expect(200);
    }
    await idleAway(s.sid, 25);
    const res = await request(t.app).get('/').set('Cookie', s.cookie);
    expect(res.headers.location).toBe('/login?expired=absolute');
    expect((await request(t.app).get(res.headers.location!)).text).toContain(
      'duración máxima de un turno',
    );
    const rows = await sessionRows(s.user.id);
    expect(rows.map((r) => r.reason)).toEqual(['absolute_timeout']);
    expect(rows[0]!.occurred_at.getTime()).toBe(s.openedAt + absoluteMs);
  });

  it('when two requests bring the dropped session at once then exactly one row is written', async () => {
    const s = await openSession();
    await idleAway(s.sid);
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => request(t.app).get('/').set('Cookie', s.cookie)),
    );
    expect(answers.map((a) => a.headers.location)).toContain('/login?expired=idle');
    expect(await sessionRows(s.user.id)).toHaveLength(1);
  });

  it('when the page posts a form after its session was dropped then the login and its notice, not a CSRF error', async () => {
    const s = await openSession();
    const csrf = await csrfOf(s.agent, '/');
    await idleAway(s.sid);
    const res = await s.agent.post('/logout').type('form').send({ _csrf: csrf });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?expired=idle');
    expect((await sessionRows(s.user.id)).map((r) => r.reason)).toEqual(['idle_timeout']);
  });

  it('when a module asks /auth/verify with the dropped session then 401 and the expiry is audited once', async () => {
    const s = await openSession();
    await idleAway(s.sid);
    for (let i = 0; i < 2; i++) {
      const res = await request(t.app).get('/auth/verify').set('Cookie', s.cookie);
      expect(res.status).toBe(401);
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    expect((await sessionRows(s.user.id)).map((r) => r.reason)).toEqual(['idle_timeout']);
  });

  it('when Redis lost a session that had not expired (a restart) then a plain login and no expiry row', async () => {
    const s = await openSession();
    t.clock.advanceMinutes(5);
    await t.redis.del(sessionKey(s.sid));
    const res = await request(t.app).get('/').set('Cookie', s.cookie);
    expect(res.headers.location).toBe('/login');
    expect(await sessionRows(s.user.id)).toEqual([]);
  });
});

describe('sessions that did not expire leave nothing to tell', () => {
  it('when the cookie names a session that never existed then a plain login page and no row', async () => {
    const before = await t.sequelize.query<{ n: string }>(
      `SELECT count(*) AS n FROM login_events WHERE method = 'session'`,
      { type: QueryTypes.SELECT },
    );
    const madeUp = `${SESSION_COOKIE}=${encodeURIComponent(`s:${sign('never-existed-0123456789abcdef', t.config.session.secret)}`)}`;
    const forged = `${SESSION_COOKIE}=${encodeURIComponent('s:never-existed.forged-signature')}`;
    for (const cookie of [madeUp, forged]) {
      const res = await request(t.app).get('/').set('Cookie', cookie);
      expect(res.headers.location).toBe('/login');
      const login = await request(t.app).get('/login').set('Cookie', cookie);
      expect(login.status).toBe(200);
      expect(login.text).not.toContain('alert--info');
    }
    const after = await t.sequelize.query<{ n: string }>(
      `SELECT count(*) AS n FROM login_events WHERE method = 'session'`,
      { type: QueryTypes.SELECT },
    );
    expect(after[0]!.n).toBe(before[0]!.n);
  });

  it('when the person logged out then the record is gone and the old cookie after the idle time is no expiry', async () => {
    const s = await openSession();
    expect(await t.redis.exists(endKey(s.sid))).toBe(1);
    const csrf = await csrfOf(s.agent, '/');
    const out = await s.agent.post('/logout').type('form').send({ _csrf: csrf });
    expect(out.headers.location).toBe('/login?bye=1');
    expect(await t.redis.exists(endKey(s.sid))).toBe(0);
    t.clock.advanceMinutes(idleMinutes() + 5);
    const res = await request(t.app).get('/').set('Cookie', s.cookie);
    expect(res.headers.location).toBe('/login');
    expect(await sessionRows(s.user.id)).toEqual([]);
  });

  it('when an administrator ended the session then its record is gone too', async () => {
    const s = await openSession();
    expect(await t.sessionIndex.endAll(s.user.id, { reason: 'admin_ended' })).toBe(1);
    expect(await t.redis.exists(endKey(s.sid))).toBe(0);
    t.clock.advanceMinutes(idleMinutes() + 5);
    expect((await request(t.app).get('/').set('Cookie', s.cookie)).headers.location).toBe('/login');
    expect(await sessionRows(s.user.id)).toEqual([]);
  });

  it('when the session gets a new id (a password change) then the old id has no record and the new one has', async () => {
    const s = await openSession();
    const csrf = await csrfOf(s.agent, '/me/password');
    const changed = await s.agent.post('/me/password').type('form').send({
      _csrf: csrf,
      currentPassword: s.password,
      newPassword: 'otra frase de paso bastante larga',
      confirmation: 'otra frase de paso bastante larga',
    });
    expect(changed.headers.location).toBe('/me/password/changed');
    const [newSid] = await t.sessionIndex.list(s.user.id);
    expect(newSid).not.toBe(s.sid);
    expect(await t.redis.exists(endKey(s.sid))).toBe(0);
    expect(await t.redis.exists(endKey(newSid!))).toBe(1);
    t.clock.advanceMinutes(idleMinutes() + 5);
    expect((await request(t.app).get('/').set('Cookie', s.cookie)).headers.location).toBe('/login');
    expect(await sessionRows(s.user.id)).toEqual([]);
  });
  it('when a request that loaded the session saves it after the logout then neither the session nor its record comes back', async () => {
    const s = await openSession();
    const { store } = createSessionMiddleware(
      t.config,
      t.redis,
      createSessionEnds(t.redis, t.config.redis.keyPrefix, t.clock, t.config.session),
    );
    const loaded = await new Promise<Parameters<typeof store.set>[1]>((resolve, reject) =>
      store.get(s.sid, (err, data) => (err || !data ? reject(err) : resolve(data))),
    );
    const csrf = await csrfOf(s.agent, '/');
    await s.agent.post('/logout').type('form').send({ _csrf: csrf }).expect(303);
    // The slow request finishes now and saves what it loaded (its lastSeenAt moved).
    loaded.auth!.lastSeenAt = t.clock.now().getTime();
    await store.set(s.sid, loaded);
    expect(await t.redis.exists(sessionKey(s.sid))).toBe(0);
    expect(await t.redis.exists(endKey(s.sid))).toBe(0);
    t.clock.advanceMinutes(idleMinutes() + 5);
    expect((await request(t.app).get('/').set('Cookie', s.cookie)).headers.location).toBe('/login');
    expect(await sessionRows(s.user.id)).toEqual([]);
  });
});

describe('a session still in Redis but expired by the server clock', () => {
  it('when several requests bring it at once then exactly one row, stamped with the expiry time', async () => {
    const s = await openSession();
    t.clock.advanceMinutes(idleMinutes() + 5);
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => request(t.app).get('/').set('Cookie', s.cookie)),
    );
    expect(answers.map((a) => a.headers.location)).toContain('/login?expired=idle');
    const rows = await sessionRows(s.user.id);
    expect(rows.map((r) => r.reason)).toEqual(['idle_timeout']);
    expect(rows[0]!.occurred_at.getTime()).toBe(s.openedAt + idleMinutes() * 60_000);
    expect(await t.redis.exists(sessionKey(s.sid))).toBe(0);
    expect(await t.redis.exists(endKey(s.sid))).toBe(0);
  });
});

describe('the sweep audits the sessions nobody comes back to', () => {
  /** What main.ts runs every minute, here one per simulated instance. */
  const instance = () =>
    createSessionTimeouts({
      clock: t.clock,
      config: t.config,
      record: createLoginEventRecorder(t.sequelize, t.clock),
      ends: createSessionEnds(t.redis, t.config.redis.keyPrefix, t.clock, t.config.session),
      closedSessions: t.sessionIndex.closed,
    });

  it('when a session is left idle then the sweep writes its row at the expiry time, once across instances, and the person who returns still sees the notice', async () => {
    const s = await openSession();
    const live = await openSession();
    await live.agent.get('/').expect(200);
    await idleAway(s.sid, idleMinutes() - 1);
    // Not yet due: nothing is written.
    await Promise.all([instance().sweep(), instance().sweep()]);
    expect(await sessionRows(s.user.id)).toEqual([]);

    t.clock.advanceMinutes(2);
    await live.agent.get('/').expect(303); // the other one expired too, and is audited by its request
    await Promise.all([instance().sweep(), instance().sweep(), instance().sweep()]);
    const rows = await sessionRows(s.user.id);
    expect(rows.map((r) => r.reason)).toEqual(['idle_timeout']);
    expect(rows[0]!.occurred_at.getTime()).toBe(s.openedAt + idleMinutes() * 60_000);
    expect(await sessionRows(live.user.id)).toHaveLength(1);

    const back = await request(t.app).get('/').set('Cookie', s.cookie);
    expect(back.headers.location).toBe('/login?expired=idle');
    expect(await sessionRows(s.user.id)).toHaveLength(1);
  });

  it('when a session is in use then the sweep leaves it alone', async () => {
    const s = await openSession();
    for (let i = 0; i < 4; i++) {
      t.clock.advanceMinutes(idleMinutes() - 2);
      await s.agent.get('/').expect(200);
      await instance().sweep();
    }
    expect(await sessionRows(s.user.id)).toEqual([]);
    expect((await s.agent.get('/')).status).toBe(200);
  });

  it('when the person logged out then the sweep finds nothing to audit', async () => {
    const s = await openSession();
    const csrf = await csrfOf(s.agent, '/');
    await s.agent.post('/logout').type('form').send({ _csrf: csrf }).expect(303);
    t.clock.advanceMinutes(idleMinutes() + 5);
    await instance().sweep();
    expect(await sessionRows(s.user.id)).toEqual([]);
  });
});

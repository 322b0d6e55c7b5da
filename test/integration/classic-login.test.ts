import request from 'supertest';
import { buildTestApp, type TestApp } from '../support/test-app';
import { makeUser, makeEstablishment, TEST_PASSWORD } from '../support/factories';
import { agentFor, csrfOf, loginAndChoose, postLogin, sessionCookie } from '../support/http';
import { QueryTypes } from 'sequelize';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ LOCKOUT_MAX_FAILURES: '3' });
});
afterAll(() => t.close());

const lastEvents = (username: string) =>
  t.sequelize.query<{
    method: string;
    outcome: string;
    reason: string;
    ip: string;
    user_agent: string;
    establishment_id: number | null;
  }>(
    'SELECT method, outcome, reason, ip, user_agent, establishment_id FROM login_events WHERE username = :username ORDER BY id',
    { replacements: { username }, type: QueryTypes.SELECT },
  );

describe('classic login journey', () => {
  it('when the credentials are good then the establishment step, then home with the name and badge', async () => {
    const { user, establishments } = await makeUser(t.sequelize);
    const agent = agentFor(t.app);
    const login = await postLogin(agent, user.username, TEST_PASSWORD);
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/login/establishment');

    const choice = await agent.get('/login/establishment');
    expect(choice.status).toBe(200);
    expect(choice.text).toContain(establishments[0]!.name);

    const done = await loginAndChoose(
      agentFor(t.app),
      user.username,
      TEST_PASSWORD,
      establishments[0]!.id,
    );
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/');
  });

  it('when logged in then home shows the name, the badge with its tooltip and the establishment', async () => {
    const { user, establishments } = await makeUser(t.sequelize);
    const agent = agentFor(t.app);
    await loginAndChoose(agent, user.username, TEST_PASSWORD, establishments[0]!.id);
    const home = await agent.get('/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('Persona de Prueba');
    expect(home.text).toContain('data-eid-badge="never"');
    expect(home.text).toContain('Aún no inició sesión con una cuenta de Identidad Electrónica');
    expect(home.text).toContain(establishments[0]!.name);
    expect(home.headers['content-security-policy']).toContain("script-src 'self'");
    expect(home.text).not.toMatch(/<script(?![^>]*\bsrc=)/);
  });

  it('when the login succeeds then a success row with method, establishment, IP and user agent is written', async () => {
    const { user, establishments } = await makeUser(t.sequelize);
    await loginAndChoose(
      agentFor(t.app).set('User-Agent', 'jest-agent/1.0'),
      user.username,
      TEST_PASSWORD,
      establishments[0]!.id,
    );
    const events = await lastEvents(user.username);
    expect(events).toEqual([
      expect.objectContaining({
        method: 'classic',
        outcome: 'success',
        reason: 'login',
        establishment_id: establishments[0]!.id,
        user_agent: 'jest-agent/1.0',
      }),
    ]);
    expect(events[0]!.ip).toMatch(/127\.0\.0\.1|::1/);
  });
});

describe('credential failures', () => {
  it('when the user is unknown, the password wrong, the account disabled or locked then the same status and message', async () => {
    const { user } = await makeUser(t.sequelize);
    const { user: disabled } = await makeUser(t.sequelize);
    await t.repos.users.update(disabled.id, { status: 'disabled' });

    const unknown = await postLogin(agentFor(t.app), 'nadie-existe', 'whatever-password');
    const wrong = await postLogin(agentFor(t.app), user.username, 'wrong-password');
    const off = await postLogin(agentFor(t.app), disabled.username, TEST_PASSWORD);
    for (const res of [unknown, wrong, off]) {
      expect(res.status).toBe(401);
      expect(res.text).toContain('Usuario o contraseña incorrectos');
      expect(sessionCookie(res)).toBeUndefined();
    }
    expect((await lastEvents('nadie-existe')).at(-1)).toMatchObject({
      outcome: 'failure',
      reason: 'unknown_user',
    });
    expect((await lastEvents(user.username)).at(-1)).toMatchObject({
      outcome: 'failure',
      reason: 'bad_password',
    });
    expect((await lastEvents(disabled.username)).at(-1)).toMatchObject({
      outcome: 'failure',
      reason: 'account_disabled',
    });
  });

  it('when the failures reach the threshold then even the right password is refused with the same message', async () => {
    const { user } = await makeUser(t.sequelize);
    for (let i = 0; i < 3; i++) await postLogin(agentFor(t.app), user.username, 'wrong-password');
    const locked = await postLogin(agentFor(t.app), user.username, TEST_PASSWORD);
    expect(locked.status).toBe(401);
    expect(locked.text).toContain('Usuario o contraseña incorrectos');
    const reasons = (await lastEvents(user.username)).map((e) => e.reason);
    expect(reasons).toContain('lockout_started');
    expect(reasons.at(-1)).toBe('account_locked');
  });

  it('when parallel failures race then the lockout count is exact (atomic in Redis)', async () => {
    const { user } = await makeUser(t.sequelize);
    await Promise.all(
      Array.from({ length: 6 }, () => postLogin(agentFor(t.app), user.username, 'wrong-password')),
    );
    const reasons = (await lastEvents(user.username)).map((e) => e.reason);
    expect(reasons.filter((r) => r === 'lockout_started')).toHaveLength(1);
  });

  it('when an e-ID-only account tries a password then it is refused generically', async () => {
    const { user } = await makeUser(t.sequelize, { password: null });
    const res = await postLogin(agentFor(t.app), user.username, 'anything-at-all');
    expect(res.status).toBe(401);
    expect((await lastEvents(user.username)).at(-1)).toMatchObject({ reason: 'no_password' });
  });

  it('when the form lacks fields then a 400 with a Spanish message and no session', async () => {
    const agent = agentFor(t.app);
    const csrf = await csrfOf(agent, '/login');
    const res = await agent
      .post('/login')
      .type('form')
      .send({ username: '', password: '', _csrf: csrf });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Ingrese su usuario y su contraseña.');
  });

  it('when the CSRF token is missing or wrong then 403 and nothing happens', async () => {
    const { user } = await makeUser(t.sequelize);
    const agent = agentFor(t.app);
    await agent.get('/login');
    const missing = await agent
      .post('/login')
      .type('form')
      .send({ username: user.username, password: TEST_PASSWORD });
    const wrong = await agent
      .post('/login')
      .type('form')
      .send({ username: user.username, password: TEST_PASSWORD, _csrf: 'forged' });
    for (const res of [missing, wrong]) {
      expect(res.status).toBe(403);
      expect(res.text).toContain('El formulario expiró');
    }
    expect(await lastEvents(user.username)).toEqual([]);
  });
});

describe('sessions', () => {
  it('when logging in then the session id changes and the old one is dead (no fixation)', async () => {
    const { user, establishments } = await makeUser(t.sequelize);
    const agent = agentFor(t.app);
    // The login page makes no session; the e-ID start does (its state), so a browser can hold an
    // anonymous session id when it posts the form.
    const page = await agent.get('/login');
    expect(sessionCookie(page)).toBeUndefined();
    const before = sessionCookie(await agent.get('/auth/eid'));
    expect(before).toBeDefined();
    const login = await agent
      .post('/login')
      .type('form')
      .send({
        username: user.username,
        password: TEST_PASSWORD,
        _csrf: /name="_csrf" value="([^"]+)"/.exec(page.text)![1],
      });
    const afterCredentials = sessionCookie(login);
    expect(afterCredentials).toBeDefined();
    expect(afterCredentials).not.toBe(before);
    const csrf = await csrfOf(agent, '/login/establishment');
    const chosen = await agent
      .post('/login/establishment')
      .type('form')
      .send({ establishmentId: establishments[0]!.id, _csrf: csrf });
    const after = sessionCookie(chosen);
    expect(after).toBeDefined();
    expect(after).not.toBe(afterCredentials);

    const old = await request(t.app).get('/').set('Cookie', before!);
    expect(old.status).toBe(303);
    expect(old.headers.location).toBe('/login');
    const oldPending = await request(t.app).get('/').set('Cookie', afterCredentials!);
    expect(oldPending.headers.location).toBe('/login');
    const current = await request(t.app).get('/').set('Cookie', after!);
    expect(current.status).toBe(200);
  });

  it('when the session cookie is set then it is HttpOnly and SameSite=Lax, and not Secure on plain HTTP', async () => {
    const res = await request(t.app).get('/login');
    const raw = ([] as string[]).concat(res.headers['set-cookie'] ?? []).join(';');
    expect(raw).toMatch(/HttpOnly/);
    expect(raw).toMatch(/SameSite=Lax/);
    expect(raw).not.toMatch(/Secure/);
  });

  it('when logging out then the Redis session is destroyed and the cookie no longer opens home', async () => {
    const { user, establishments } = await makeUser(t.sequelize);
    const agent = agentFor(t.app);
    const chosen = await loginAndChoose(agent, user.username, TEST_PASSWORD, establishments[0]!.id);
    const cookie = sessionCookie(chosen)!;
    const sid = decodeURIComponent(cookie.split('=')[1]!).slice(2).split('.')[0]!;
    expect(await t.redis.exists(`${t.config.redis.keyPrefix}sess:${sid}`)).toBe(1);
    expect(await t.sessionIndex.list(user.id)).toEqual([sid]);

    const csrf = await csrfOf(agent, '/');
    const out = await agent.post('/logout').type('form').send({ _csrf: csrf });
    expect(out.status).toBe(303);
    expect(out.headers.location).toBe('/login?bye=1');
    expect(await t.redis.exists(`${t.config.redis.keyPrefix}sess:${sid}`)).toBe(0);
    expect(await t.sessionIndex.list(user.id)).toEqual([]);
    const replay = await request(t.app).get('/').set('Cookie', cookie);
    expect(replay.headers.location).toBe('/login');
    expect((await lastEvents(user.username)).at(-1)).toMatchObject({
      method: 'logout',
      outcome: 'success',
    });
  });

  it('when a user has sessions on two PCs then the index lists both and ending them all closes both', async () => {
    const { user, establishments } = await makeUser(t.sequelize);
    const pcA = await loginAndChoose(
      agentFor(t.app),
      user.username,
      TEST_PASSWORD,
      establishments[0]!.id,
    );
    const pcB = await loginAndChoose(
      agentFor(t.app),
      user.username,
      TEST_PASSWORD,
      establishments[0]!.id,
    );
    expect(await t.sessionIndex.list(user.id)).toHaveLength(2);
    const ttl = await t.redis.ttl(`${t.config.redis.keyPrefix}user-sessions:${user.id}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(t.config.session.absoluteTimeoutInHours * 3600);
    expect(await t.sessionIndex.endAll(user.id, { reason: 'admin_ended' })).toBe(2);
    for (const res of [pcA, pcB]) {
      expect(
        (await request(t.app).get('/').set('Cookie', sessionCookie(res)!)).headers.location,
      ).toBe('/login');
    }
    expect(await t.sessionIndex.list(user.id)).toEqual([]);
  });

  it('when a user is disabled during a session then the next request ends it', async () => {
    const { user, establishments } = await makeUser(t.sequelize);
    const agent = agentFor(t.app);
    await loginAndChoose(agent, user.username, TEST_PASSWORD, establishments[0]!.id);
    expect((await agent.get('/')).status).toBe(200);
    // What the disable command does after its transaction: the open session sees it next.
    await t.repos.users.update(user.id, { status: 'disabled' });
    await t.identities.refresh(user.id);
    expect((await agent.get('/')).headers.location).toBe('/login');
    expect(await t.sessionIndex.list(user.id)).toEqual([]);
  });

  it('when idle longer than the idle timeout then the session ends on the next request', async () => {
    const { user, establishments } = await makeUser(t.sequelize);
    const agent = agentFor(t.app);
    await loginAndChoose(agent, user.username, TEST_PASSWORD, establishments[0]!.id);
    t.clock.advanceMinutes(t.config.session.idleTimeoutInMinutes - 1);
    expect((await agent.get('/')).status).toBe(200);
    t.clock.advanceMinutes(t.config.session.idleTimeoutInMinutes - 1);
    expect((await agent.get('/')).status).toBe(200);
    t.clock.advanceMinutes(t.config.session.idleTimeoutInMinutes + 1);
    const expired = await agent.get('/');
    expect(expired.status).toBe(303);
    expect(expired.headers.location).toBe('/login?expired=idle');
    expect((await agent.get('/login?expired=idle')).text).toContain('inactividad');
    expect((await lastEvents(user.username)).length).toBeGreaterThan(0);
    expect((await agent.get('/')).headers.location).toBe('/login');
  });

  it('when active beyond the absolute lifetime then the session ends even if never idle', async () => {
    const { user, establishments } = await makeUser(t.sequelize);
    const agent = agentFor(t.app);
    await loginAndChoose(agent, user.username, TEST_PASSWORD, establishments[0]!.id);
    const steps = Math.ceil((t.config.session.absoluteTimeoutInHours * 60) / 20) + 1;
    let last = 200;
    for (let i = 0; i < steps && last === 200; i++) {
      t.clock.advanceMinutes(20);
      last = (await agent.get('/')).status;
    }
    expect(last).toBe(303);
    expect((await lastEvents(user.username)).length).toBeGreaterThan(0);
    const res = await agent.get('/');
    expect(res.headers.location).toBe('/login');
  });
});

describe('establishment selection', () => {
  it('when a user has several establishments then only theirs are offered and the last one is preselected', async () => {
    const other = await makeEstablishment(t.sequelize);
    const { user, establishments } = await makeUser(t.sequelize, { establishments: 2 });
    const agent = agentFor(t.app);
    await postLogin(agent, user.username, TEST_PASSWORD);
    const first = await agent.get('/login/establishment');
    expect(first.text).not.toContain(other.name);
    expect(first.text).toContain('Elija un establecimiento');
    const csrf = await csrfOf(agent, '/login/establishment');
    await agent
      .post('/login/establishment')
      .type('form')
      .send({ establishmentId: establishments[1]!.id, _csrf: csrf });

    const again = agentFor(t.app);
    await postLogin(again, user.username, TEST_PASSWORD);
    const second = await again.get('/login/establishment');
    expect(second.text).toMatch(new RegExp(`value="${establishments[1]!.id}" selected`));
  });

  it('when someone posts an establishment not assigned to them then no session opens', async () => {
    const other = await makeEstablishment(t.sequelize);
    const { user } = await makeUser(t.sequelize);
    const agent = agentFor(t.app);
    await postLogin(agent, user.username, TEST_PASSWORD);
    const csrf = await csrfOf(agent, '/login/establishment');
    const res = await agent
      .post('/login/establishment')
      .type('form')
      .send({ establishmentId: other.id, _csrf: csrf });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Seleccione uno de sus establecimientos asignados');
    expect((await agent.get('/')).headers.location).toBe('/login');
  });

  it('when no establishment is assigned then a clear message, no session, and an audit row', async () => {
    const { user } = await makeUser(t.sequelize, { establishments: [] });
    const agent = agentFor(t.app);
    await postLogin(agent, user.username, TEST_PASSWORD);
    const res = await agent.get('/login/establishment');
    expect(res.status).toBe(403);
    expect(res.text).toContain('no tiene ningún establecimiento asignado');
    expect((await agent.get('/')).headers.location).toBe('/login');
    expect((await lastEvents(user.username)).at(-1)).toMatchObject({
      outcome: 'failure',
      reason: 'no_establishment',
    });
  });

  it('when every assigned establishment was deactivated then the page names it instead of "sin establecimiento"', async () => {
    const { user, establishments } = await makeUser(t.sequelize, { establishments: 1 });
    await t.repos.transaction((tx) =>
      t.repos.establishments.update(establishments[0]!.id, { active: false }, tx),
    );
    const agent = agentFor(t.app);
    await postLogin(agent, user.username, TEST_PASSWORD);
    const res = await agent.get('/login/establishment');
    expect(res.status).toBe(403);
    expect(res.text).toContain(
      `el establecimiento asignado a su cuenta (${establishments[0]!.name}) fue desactivado`,
    );
    expect(res.text).not.toContain('no tiene ningún establecimiento asignado');
  });

  it('when switching establishment then the session continues there and the switch is audited', async () => {
    const { user, establishments } = await makeUser(t.sequelize, { establishments: 2 });
    const agent = agentFor(t.app);
    await loginAndChoose(agent, user.username, TEST_PASSWORD, establishments[0]!.id);
    const csrf = await csrfOf(agent, '/');
    const res = await agent
      .post('/establishment')
      .type('form')
      .send({ establishmentId: establishments[1]!.id, _csrf: csrf });
    expect(res.status).toBe(303);
    const home = await agent.get('/');
    expect(home.text).toMatch(
      new RegExp(`data-testid="current-establishment">${establishments[1]!.name}`),
    );
    const events = await t.sequelize.query<{ method: string; establishment_id: number }>(
      'SELECT method, establishment_id FROM login_events WHERE user_id = :id ORDER BY id',
      { replacements: { id: user.id }, type: QueryTypes.SELECT },
    );
    expect(events.at(-1)).toEqual({ method: 'switch', establishment_id: establishments[1]!.id });
  });
});

describe('operations endpoints', () => {
  it('when logins fail then /metrics counts them by outcome (no reason) and times requests by route pattern', async () => {
    const { user } = await makeUser(t.sequelize);
    await postLogin(agentFor(t.app), user.username, 'wrong-password');
    await request(t.app).get(`/no-such-page-${user.id}`);
    const metrics = await request(t.app).get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(
      /his_login_events_total\{method="classic",outcome="failure"\} [1-9]/,
    );
    expect(metrics.text).toContain('route="/login"');
    expect(metrics.text).not.toContain(`no-such-page-${user.id}`);
  });

  it('when PostgreSQL and Redis answer then /readyz and /healthz say ok', async () => {
    expect((await request(t.app).get('/healthz')).body).toEqual({ status: 'ok' });
    expect((await request(t.app).get('/readyz')).body).toEqual({
      status: 'ok',
      postgres: 'ok',
      redis: 'ok',
      eid: 'ok',
    });
  });
});

import { QueryTypes, type Sequelize } from 'sequelize';
import { buildTestApp, type TestApp } from '../support/test-app';
import { makeUser, TEST_PASSWORD } from '../support/factories';
import { agentFor, loginAndChoose, postLogin, sessionCookie } from '../support/http';
import type { EidStatus } from '../../src/domain/authentication/eid-policy';

/**
 * The forced e-ID re-authentication rule seen through HTTP, classic side: the notice instead of
 * a session, the warning between the stale and re-auth limits, the rollout date, exemptions and
 * the provider being down. Every date is relative to one fixed clock.
 */

const NOW = '2026-11-20T12:00:00Z'; // 09:00 in Asunción (UTC-3)
const DAY_MS = 86_400_000;
const providerDown: EidStatus = { available: () => false };

const loginEvents = (sequelize: Sequelize, username: string) =>
  sequelize.query<{ method: string; outcome: string; reason: string; degraded: boolean }>(
    'SELECT method, outcome, reason, degraded FROM login_events WHERE username = :username ORDER BY id',
    { replacements: { username }, type: QueryTypes.SELECT },
  );

// The models are module-global and bind to the latest connection opened: the describes that
// build an app of their own (rollout, degraded, deny) come last, each closing its own before the
// next one opens.
let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({}, { start: NOW });
});
afterAll(() => t.close());
beforeEach(() => t.clock.set(NOW));

describe('when the last e-ID login is older than the re-auth limit', () => {
  const sevenMonthsAgo = new Date('2026-04-20T12:00:00Z');

  it('when the right password is given then no session opens and the person is sent to the e-ID notice', async () => {
    const { user } = await makeUser(t.sequelize, { lastEidLoginAt: sevenMonthsAgo });
    const agent = agentFor(t.app);
    const login = await postLogin(agent, user.username, TEST_PASSWORD);
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/login/eid-required');

    const home = await agent.get('/');
    expect(home.status).toBe(303);
    expect(home.headers.location).toBe('/login');
    const establishmentStep = await agent.get('/login/establishment');
    expect(establishmentStep.headers.location).toBe('/login');

    expect(await loginEvents(t.sequelize, user.username)).toEqual([
      { method: 'classic', outcome: 'failure', reason: 'eid_reauth_expired', degraded: false },
    ]);
  });

  it('when the notice is shown then it says how many months ago and links to the e-ID login', async () => {
    const { user } = await makeUser(t.sequelize, { lastEidLoginAt: sevenMonthsAgo });
    const agent = agentFor(t.app);
    await postLogin(agent, user.username, TEST_PASSWORD);
    const notice = await agent.get('/login/eid-required');
    expect(notice.status).toBe(200);
    expect(notice.text).toContain('hace 7 meses');
    expect(notice.text).toContain('20/04/2026 09:00');
    expect(notice.text).toMatch(
      /<a [^>]*href="\/auth\/eid"[^>]*>\s*Ingresar con Identidad Electrónica\s*<\/a>/,
    );
  });

  it('when the limit is passed by a single day then it is already refused', async () => {
    const { user } = await makeUser(t.sequelize, {
      lastEidLoginAt: new Date(new Date('2026-05-20T12:00:00Z').getTime() - DAY_MS),
    });
    const login = await postLogin(agentFor(t.app), user.username, TEST_PASSWORD);
    expect(login.headers.location).toBe('/login/eid-required');
  });

  it('when the limit is reached exactly (not passed) then the login still proceeds with the last-day warning', async () => {
    const { user, establishments } = await makeUser(t.sequelize, {
      lastEidLoginAt: new Date('2026-05-20T12:00:00Z'),
    });
    const agent = agentFor(t.app);
    const chosen = await loginAndChoose(agent, user.username, TEST_PASSWORD, establishments[0]!.id);
    expect(chosen.headers.location).toBe('/');
    expect((await agent.get('/')).text).toMatch(
      /data-testid="reauth-warning"[^>]*>\s*<p>[^<]*Le queda 1 día para hacerlo/,
    );
  });

  it('when the password is wrong then the generic failure comes first and the e-ID is not mentioned', async () => {
    const { user } = await makeUser(t.sequelize, { lastEidLoginAt: sevenMonthsAgo });
    const login = await postLogin(agentFor(t.app), user.username, 'wrong-password');
    expect(login.status).toBe(401);
    expect(login.text).toContain('Usuario o contraseña incorrectos');
    expect((await loginEvents(t.sequelize, user.username)).map((e) => e.reason)).toEqual([
      'bad_password',
    ]);
  });
});

describe('when the last e-ID login is stale but within the re-auth limit', () => {
  it('when logging in then the journey continues and home warns with the exact days left and the orange badge', async () => {
    const last = new Date('2026-07-20T12:00:00Z');
    const { user, establishments } = await makeUser(t.sequelize, { lastEidLoginAt: last });
    // deadline = last + 6 calendar months = 20/01/2027, the same time of day.
    const deadline = new Date('2027-01-20T12:00:00Z');
    const daysLeft = Math.ceil((deadline.getTime() - new Date(NOW).getTime()) / DAY_MS);
    expect(daysLeft).toBe(61);

    const agent = agentFor(t.app);
    const chosen = await loginAndChoose(agent, user.username, TEST_PASSWORD, establishments[0]!.id);
    expect(chosen.headers.location).toBe('/');
    const home = await agent.get('/');
    expect(home.status).toBe(200);
    expect(home.text).toMatch(
      new RegExp(`data-testid="reauth-warning"[^>]*>\\s*<p>[^<]*Le quedan ${daysLeft} días`),
    );
    expect(home.text).toContain('data-eid-badge="stale"');
    expect(home.text).toContain(
      'Su último inicio de sesión con Identidad Electrónica fue hace más de 3 meses (20/07/2026 09:00)',
    );
    expect((await loginEvents(t.sequelize, user.username)).at(-1)).toMatchObject({
      outcome: 'success',
      reason: 'login',
      degraded: false,
    });
  });
});

describe('when the last e-ID login is recent', () => {
  it('when logging in then no warning and the blue badge with the Asunción date and time', async () => {
    // 01:30 UTC on the 21st is still the 20th at 22:30 in Asunción.
    const { user, establishments } = await makeUser(t.sequelize, {
      lastEidLoginAt: new Date('2026-10-21T01:30:00Z'),
    });
    const agent = agentFor(t.app);
    await loginAndChoose(agent, user.username, TEST_PASSWORD, establishments[0]!.id);
    const home = await agent.get('/');
    expect(home.status).toBe(200);
    expect(home.text).not.toContain('data-testid="reauth-warning"');
    expect(home.text).not.toContain('Le quedan');
    expect(home.text).toContain('data-eid-badge="verified"');
    expect(home.text).toContain(
      'Último inicio de sesión con Identidad Electrónica: 20/10/2026 22:30',
    );
  });
});

describe('when the user is exempted', () => {
  const eightMonthsAgo = new Date('2026-03-20T12:00:00Z');

  it('when the exemption has not expired then the classic login proceeds despite 8 months', async () => {
    const { user } = await makeUser(t.sequelize, { lastEidLoginAt: eightMonthsAgo });
    await t.repos.users.update(user.id, {
      eidExemptUntil: new Date('2026-12-31T12:00:00Z'),
      eidExemptReason: 'Licencia médica; sin acceso a la Identidad Electrónica',
    });
    const login = await postLogin(agentFor(t.app), user.username, TEST_PASSWORD);
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/login/establishment');
  });

  it('when the exemption has expired then the re-authentication is demanded again', async () => {
    const { user } = await makeUser(t.sequelize, { lastEidLoginAt: eightMonthsAgo });
    await t.repos.users.update(user.id, {
      eidExemptUntil: new Date('2026-11-01T12:00:00Z'),
      eidExemptReason: 'Licencia médica',
    });
    const login = await postLogin(agentFor(t.app), user.username, TEST_PASSWORD);
    expect(login.headers.location).toBe('/login/eid-required');
  });
});

describe('the notice page on its own', () => {
  it('when there is no pending demand then GET /login/eid-required redirects to /login', async () => {
    const res = await agentFor(t.app).get('/login/eid-required');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login');
  });

  it('when the login page is shown with the provider up then there is no degraded banner', async () => {
    const page = await agentFor(t.app).get('/login');
    expect(page.text).not.toContain('El servicio de Identidad Electrónica no responde');
  });
});

describe('when EID_REQUIRED_SINCE is in the past', () => {
  let rollout: TestApp;
  beforeAll(async () => {
    rollout = await buildTestApp({ EID_REQUIRED_SINCE: '2026-01-01' }, { start: NOW });
  });
  afterAll(() => rollout.close());

  it('when a user never used the e-ID then the classic login is refused and the notice explains the rollout', async () => {
    const { user } = await makeUser(rollout.sequelize, { lastEidLoginAt: null });
    const agent = agentFor(rollout.app);
    const login = await postLogin(agent, user.username, TEST_PASSWORD);
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/login/eid-required');
    expect((await agent.get('/')).headers.location).toBe('/login');
    expect((await loginEvents(rollout.sequelize, user.username)).at(-1)).toMatchObject({
      outcome: 'failure',
      reason: 'eid_required_never_used',
    });

    const notice = await agent.get('/login/eid-required');
    expect(notice.status).toBe(200);
    expect(notice.text).toContain('aún no inició sesión con una cuenta de Identidad Electrónica');
    expect(notice.text).toContain('Desde el 01/01/2026');
    expect(notice.text).toContain('href="/auth/eid"');
  });

  it('when a user used the e-ID recently then the rollout date does not stop them', async () => {
    const { user } = await makeUser(rollout.sequelize, {
      lastEidLoginAt: new Date('2026-10-20T12:00:00Z'),
    });
    const login = await postLogin(agentFor(rollout.app), user.username, TEST_PASSWORD);
    expect(login.headers.location).toBe('/login/establishment');
  });
});

describe('when the e-ID provider is down (degraded mode allowed)', () => {
  let degraded: TestApp;
  beforeAll(async () => {
    degraded = await buildTestApp({}, { eidStatus: providerDown, start: NOW });
  });
  afterAll(() => degraded.close());

  it('when the login page is shown then the banner says the e-ID does not answer', async () => {
    const page = await agentFor(degraded.app).get('/login');
    expect(page.status).toBe(200);
    expect(page.text).toContain('El servicio de Identidad Electrónica no responde');
  });

  it('when a user at 8 months logs in then they get in and the success row is flagged degraded', async () => {
    const { user, establishments } = await makeUser(degraded.sequelize, {
      lastEidLoginAt: new Date('2026-03-20T12:00:00Z'),
    });
    const agent = agentFor(degraded.app);
    const chosen = await loginAndChoose(agent, user.username, TEST_PASSWORD, establishments[0]!.id);
    expect(chosen.status).toBe(303);
    expect(chosen.headers.location).toBe('/');
    expect(sessionCookie(chosen)).toBeDefined();
    const home = await agent.get('/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('modo de contingencia');
    expect(await loginEvents(degraded.sequelize, user.username)).toEqual([
      { method: 'classic', outcome: 'success', reason: 'degraded_mode', degraded: true },
    ]);
  });

  it('when a user needs no re-authentication then the login is not flagged degraded', async () => {
    const { user, establishments } = await makeUser(degraded.sequelize, {
      lastEidLoginAt: new Date('2026-10-20T12:00:00Z'),
    });
    await loginAndChoose(
      agentFor(degraded.app),
      user.username,
      TEST_PASSWORD,
      establishments[0]!.id,
    );
    expect(await loginEvents(degraded.sequelize, user.username)).toEqual([
      { method: 'classic', outcome: 'success', reason: 'login', degraded: false },
    ]);
  });
});

describe('when the e-ID provider is down and EID_DEGRADED_MODE=deny', () => {
  let deny: TestApp;
  beforeAll(async () => {
    deny = await buildTestApp(
      { EID_DEGRADED_MODE: 'deny' },
      { eidStatus: providerDown, start: NOW },
    );
  });
  afterAll(() => deny.close());

  it('when a user at 8 months logs in then they are still refused', async () => {
    const { user } = await makeUser(deny.sequelize, {
      lastEidLoginAt: new Date('2026-03-20T12:00:00Z'),
    });
    const agent = agentFor(deny.app);
    const login = await postLogin(agent, user.username, TEST_PASSWORD);
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/login/eid-required');
    expect((await agent.get('/')).headers.location).toBe('/login');
    expect(await loginEvents(deny.sequelize, user.username)).toEqual([
      { method: 'classic', outcome: 'failure', reason: 'eid_reauth_expired', degraded: false },
    ]);
  });
});

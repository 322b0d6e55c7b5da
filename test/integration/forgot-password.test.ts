import type request from 'supertest';
import { QueryTypes } from 'sequelize';
import type { TestApp } from '../support/test-app';
import type { SandboxProcess } from '../support/sandbox-process';
import { makeUser, TEST_PASSWORD, uniqueDocument } from '../support/factories';
import {
  agentFor,
  csrfFrom,
  csrfOf,
  loginAndChoose,
  postLogin,
  sessionCookie,
} from '../support/http';
import { buildEidTestApp, pathOf, providerLeg, startTestSandbox } from '../support/eid-flow';
import { loginAtProvider } from '../support/provider-login';
import { SANDBOX_PASSWORD } from '../../src/sandbox/citizens';
import { formatCedula } from '../../src/shared/cedula';

const NEW_PASSWORD = 'mi perro come naranjas los martes';
const MAX_FAILURES = 3;

describe.each(['mitic', 'oidc'] as const)('forgotten password with the %s e-ID', (protocol) => {
  let sandbox: SandboxProcess;
  let t: TestApp;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    t = await buildEidTestApp(protocol, sandbox, { LOCKOUT_MAX_FAILURES: String(MAX_FAILURES) });
  });
  afterAll(async () => {
    await t?.close();
    await sandbox?.stop();
  });
  // The sandbox stamps tokens with the real time: a test that moves the clock puts it back.
  afterEach(() => t.clock.set(new Date()));

  /** A user whose cédula is a sandbox citizen of this test only. */
  const citizenUser = async (opts: Parameters<typeof makeUser>[1] = {}) => {
    const document = uniqueDocument();
    await sandbox.addCitizen({ cedula: document, nombres: 'Persona', apellidos: 'De Prueba' });
    return makeUser(t.sequelize, { ...opts, document });
  };

  /** "¿Olvidó su contraseña?" → "Continuar con Identidad Electrónica" → the provider's answer. */
  async function forgotLeg(agent: request.Agent, how: { cedula: string } | { cancel: true }) {
    const page = await agent.get('/login/forgot');
    expect(page.text).toContain('Continuar con Identidad Electrónica');
    const start = await agent
      .post('/login/forgot')
      .type('form')
      .send({ _csrf: csrfFrom(page.text) });
    expect(start.headers.location).toBe('/auth/eid?intent=password-reset');
    const toProvider = await agent.get(start.headers.location!);
    expect(toProvider.status).toBe(303);
    const authorizeUrl = toProvider.headers.location!;
    // A reset proves the person now: an old provider session on a shared PC is not enough.
    if (protocol === 'oidc') expect(new URL(authorizeUrl).searchParams.get('prompt')).toBe('login');
    const callback = await loginAtProvider(
      authorizeUrl,
      'cancel' in how ? how : { cedula: how.cedula, password: SANDBOX_PASSWORD },
    );
    // The session the callback lands in (not regenerated on a cancel or a refusal).
    const sid = decodeURIComponent(sessionCookie(start)!.split('=')[1]!).slice(2).split('.')[0]!;
    return { back: await agent.get(pathOf(callback)), sid };
  }

  /** What Redis holds for a session id. */
  const storedSession = async (sid: string) =>
    JSON.parse((await t.redis.get(`${t.config.redis.keyPrefix}sess:${sid}`)) ?? 'null') as Record<
      string,
      unknown
    > | null;

  async function setNewPassword(agent: request.Agent, password = NEW_PASSWORD, csrf?: string) {
    csrf ??= await csrfOf(agent, '/login/forgot/new-password');
    return agent
      .post('/login/forgot/new-password')
      .type('form')
      .send({ newPassword: password, confirmation: password, _csrf: csrf });
  }

  const classicLoginTo = async (username: string, password: string) =>
    (await postLogin(agentFor(t.app), username, password)).headers.location;

  const resetEvents = (userId: number) =>
    t.sequelize.query<{ outcome: string; actor_user_id: number; details: object }>(
      `SELECT outcome, actor_user_id, details FROM admin_events
        WHERE target_user_id = :userId AND action = 'me.resetPasswordWithEid' ORDER BY id`,
      { replacements: { userId }, type: QueryTypes.SELECT },
    );

  it('when the same person logs in with the e-ID then the new password works, the old does not, and the account is unlocked', async () => {
    const { user } = await citizenUser();
    for (let i = 0; i < MAX_FAILURES; i++) await postLogin(agentFor(t.app), user.username, 'bad');
    expect(await classicLoginTo(user.username, TEST_PASSWORD)).toBeUndefined(); // locked

    const agent = agentFor(t.app);
    const { back } = await forgotLeg(agent, { cedula: user.documentNumber });
    expect(back.headers.location).toBe('/login/forgot/new-password');
    const form = await agent.get('/login/forgot/new-password');
    expect(form.text).toContain(user.username);
    expect(form.text).toContain(formatCedula(user.documentNumber));
    expect((await agent.get('/')).headers.location).toBe('/login'); // no session from the e-ID

    const done = await setNewPassword(agent);
    expect(done.headers.location).toBe('/login');
    const login = await agent.get('/login');
    expect(login.text).toContain('Su nueva contraseña quedó guardada.');
    // The username is filled in (once) and the password field focused.
    expect(login.text).toMatch(new RegExp(`id="username"[^>]*value="${user.username}"`));
    expect(login.text).toMatch(/id="password"[^>]*autofocus/);
    expect((await agent.get('/login')).text).not.toContain(`value="${user.username}"`);
    expect((await agent.get('/')).headers.location).toBe('/login'); // still no session
    expect(await classicLoginTo(user.username, NEW_PASSWORD)).toBe('/login/establishment');
    expect(await classicLoginTo(user.username, TEST_PASSWORD)).toBeUndefined();
    const [event] = await resetEvents(user.id);
    expect(event).toMatchObject({ outcome: 'success', actor_user_id: user.id });
    expect(JSON.stringify(event)).not.toContain(NEW_PASSWORD);
  });

  it('when the password is reset then every open session of the account ends', async () => {
    const { user, establishments } = await citizenUser();
    const elsewhere = agentFor(t.app);
    await loginAndChoose(elsewhere, user.username, TEST_PASSWORD, establishments[0]!.id);
    expect((await elsewhere.get('/')).status).toBe(200);

    const agent = agentFor(t.app);
    await forgotLeg(agent, { cedula: user.documentNumber });
    expect((await setNewPassword(agent)).headers.location).toBe('/login');
    expect((await elsewhere.get('/')).headers.location).toBe('/login');
    expect(await t.sessionIndex.list(user.id)).toEqual([]);
    expect((await resetEvents(user.id))[0]?.details).toMatchObject({ sessionsEnded: 1 });
  });

  it('when the new password breaks the policy then its message is beside the field and nothing changes', async () => {
    const { user } = await citizenUser();
    const agent = agentFor(t.app);
    await forgotLeg(agent, { cedula: user.documentNumber });
    const res = await setNewPassword(agent, 'corta');
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/id="newPassword-error"[^>]*>Use al menos 12 caracteres\.</);
    expect(await classicLoginTo(user.username, TEST_PASSWORD)).toBe('/login/establishment');
  });

  it('when more than 10 minutes pass after the e-ID login then the reset is refused and must start over', async () => {
    const { user } = await citizenUser();
    const agent = agentFor(t.app);
    await forgotLeg(agent, { cedula: user.documentNumber });
    const csrf = await csrfOf(agent, '/login/forgot/new-password');
    t.clock.advanceMinutes(11);
    const res = await setNewPassword(agent, NEW_PASSWORD, csrf);
    expect(res.headers.location).toBe('/login/forgot');
    expect((await agent.get('/login/forgot')).text).toContain(
      'Pasaron más de 10 minutos desde que verificó su identidad.',
    );
    expect((await agent.get('/login/forgot/new-password')).headers.location).toBe('/login/forgot');
    expect(await classicLoginTo(user.username, TEST_PASSWORD)).toBe('/login/establishment');
    expect(await resetEvents(user.id)).toEqual([
      expect.objectContaining({ outcome: 'denied', details: { reason: 'reset_expired' } }),
    ]);
  });

  it('when the e-ID is of a cédula without HIS account then the existing refusal page, and no reset', async () => {
    const document = uniqueDocument();
    await sandbox.addCitizen({ cedula: document, nombres: 'Sin', apellidos: 'Cuenta' });
    const agent = agentFor(t.app);
    const { back } = await forgotLeg(agent, { cedula: document });
    expect(back.status).toBe(403);
    expect(back.text).toContain('Cédula no habilitada en el HIS');
    expect((await agent.get('/login/forgot/new-password')).headers.location).toBe('/login/forgot');
  });

  it('when the e-ID login is cancelled then no reset is left, and the plain e-ID button logs in as usual', async () => {
    const { user } = await citizenUser();
    const agent = agentFor(t.app);
    const { back, sid } = await forgotLeg(agent, { cancel: true });
    expect(back.headers.location).toBe('/login');
    const stored = await storedSession(sid);
    expect(stored).toMatchObject({ flash: expect.anything() }); // the session is there…
    expect(stored).not.toHaveProperty('passwordReset'); // …without the reset intent
    expect(stored).not.toHaveProperty('passwordResetVerified');
    expect((await agent.get('/login/forgot/new-password')).headers.location).toBe('/login/forgot');

    // Start a reset, abandon it, and use the ordinary "Ingresar con Identidad Electrónica".
    const page = await agent.get('/login/forgot');
    await agent
      .post('/login/forgot')
      .type('form')
      .send({ _csrf: csrfFrom(page.text) });
    const login = await agent.get(
      pathOf(await providerLeg(agent, { cedula: user.documentNumber })),
    );
    expect(login.headers.location).toBe('/login/establishment');
  });

  it('when an e-ID-only account is in an e-ID session then /me/password sets its first HIS password', async () => {
    const { user, establishments } = await citizenUser({ password: null });
    const agent = agentFor(t.app);
    await agent.get(pathOf(await providerLeg(agent, { cedula: user.documentNumber })));
    const csrf = await csrfOf(agent, '/login/establishment');
    await agent
      .post('/login/establishment')
      .type('form')
      .send({ establishmentId: establishments[0]!.id, _csrf: csrf });
    const page = await agent.get('/me/password');
    expect(page.text).toContain('Crear contraseña del HIS');
    expect(page.text).not.toContain('name="currentPassword"');
    const res = await agent
      .post('/me/password')
      .type('form')
      .send({ newPassword: NEW_PASSWORD, confirmation: NEW_PASSWORD, _csrf: csrfFrom(page.text) });
    expect(res.headers.location).toBe('/me/password/changed');
    expect(await classicLoginTo(user.username, NEW_PASSWORD)).toBe('/login/establishment');
  });
});

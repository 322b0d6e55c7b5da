import type request from 'supertest';
import { QueryTypes } from 'sequelize';
import { buildTestApp, type TestApp } from '../support/test-app';
import { TEST_PASSWORD, uniqueDocument } from '../support/factories';
import { agentFor, csrfOf, loginAndChoose, postLogin, sessionCookie } from '../support/http';
import { signedIn } from '../support/sign-in';

const NEW_PASSWORD = 'tortuga violeta bajo la lluvia';
const MAX_FAILURES = 3;

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ LOCKOUT_MAX_FAILURES: String(MAX_FAILURES) });
});
afterAll(() => t.close());

async function submit(agent: request.Agent, fields: Record<string, string>) {
  const csrf = await csrfOf(agent, '/me/password');
  return agent
    .post('/me/password')
    .type('form')
    .send({ ...fields, _csrf: csrf });
}

const change = (agent: request.Agent, newPassword = NEW_PASSWORD) =>
  submit(agent, { currentPassword: TEST_PASSWORD, newPassword, confirmation: newPassword });

/** The message shown beside a field (the field-error partial), or undefined. */
const fieldError = (html: string, name: string) =>
  new RegExp(`id="${name}-error"[^>]*>([^<]*)<`).exec(html)?.[1];

const adminEvents = (userId: number) =>
  t.sequelize.query<{ action: string; outcome: string; actor_user_id: number; details: object }>(
    `SELECT action, outcome, actor_user_id, details FROM admin_events
      WHERE target_user_id = :userId ORDER BY id`,
    { replacements: { userId }, type: QueryTypes.SELECT },
  );

const classicLoginTo = async (username: string, password: string) =>
  (await postLogin(agentFor(t.app), username, password)).headers.location;

describe('/me/password', () => {
  it('when the current password is right and the new one acceptable then it changes under a new session id, audited', async () => {
    const { user, agent } = await signedIn(t);
    const page = await agent.get('/me/password');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Contraseña actual');

    const res = await change(agent);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/me/password/changed');
    expect(sessionCookie(res)).toBeDefined(); // regenerated
    const offer = await agent.get('/me/password/changed');
    expect(offer.text).toContain('Su contraseña se cambió correctamente.');
    expect(offer.text).toContain('Continuar');
    expect((await agent.get('/')).status).toBe(200); // still signed in

    expect(await classicLoginTo(user.username, NEW_PASSWORD)).toBe('/login/establishment');
    expect(await classicLoginTo(user.username, TEST_PASSWORD)).toBeUndefined(); // 401, no redirect
    expect(await adminEvents(user.id)).toEqual([
      expect.objectContaining({
        action: 'me.changePassword',
        outcome: 'success',
        actor_user_id: user.id,
      }),
    ]);
  });

  it('when the current password is wrong then the error is beside its field, nothing changes and it is audited', async () => {
    const { user, agent } = await signedIn(t);
    const res = await submit(agent, {
      currentPassword: 'not-my-password',
      newPassword: NEW_PASSWORD,
      confirmation: NEW_PASSWORD,
    });
    expect(res.status).toBe(400);
    expect(fieldError(res.text, 'currentPassword')).toBe('La contraseña actual no es correcta.');
    expect(res.text).toMatch(/id="currentPassword"[^>]*aria-invalid="true"/);
    expect(res.text).not.toContain('not-my-password'); // a refused password is never sent back
    expect(await classicLoginTo(user.username, TEST_PASSWORD)).toBe('/login/establishment');
    expect(await adminEvents(user.id)).toEqual([
      expect.objectContaining({
        action: 'me.changePassword',
        outcome: 'denied',
        details: { reason: 'bad_current_password', lockoutStarted: false },
      }),
    ]);
  });

  it('when the current password is wrong too often then the account is locked for the login form too', async () => {
    const { user, agent } = await signedIn(t);
    const wrong = {
      currentPassword: 'nope',
      newPassword: NEW_PASSWORD,
      confirmation: NEW_PASSWORD,
    };
    for (let i = 1; i < MAX_FAILURES; i++) await submit(agent, wrong);
    const last = await submit(agent, wrong);
    expect(fieldError(last.text, 'currentPassword')).toContain('quedó bloqueada');
    // Locked: even the right current password is not checked now, and the login form refuses.
    const right = await change(agent);
    expect(right.status).toBe(400);
    expect(fieldError(right.text, 'currentPassword')).toContain('Demasiados intentos fallidos');
    expect(await classicLoginTo(user.username, TEST_PASSWORD)).toBeUndefined();
  });

  it.each([
    ['too short', () => 'corta', 'Use al menos 12 caracteres.'],
    [
      'common',
      () => 'password1234',
      'Esa contraseña es demasiado común. Elija otra, por ejemplo una frase de varias palabras.',
    ],
    [
      'built from the name',
      () => 'Gonzalez2026!!',
      'La contraseña no puede basarse en su nombre, su usuario o su cédula.',
    ],
    [
      'built from the cédula',
      (cedula: string) => `clave${cedula}x`,
      'La contraseña no puede basarse en su nombre, su usuario o su cédula.',
    ],
    ['the current one', () => TEST_PASSWORD, 'La nueva contraseña debe ser distinta de la actual.'],
  ])(
    'when the new password is %s then its message is beside the new-password field',
    async (_case, password: (cedula: string) => string, message) => {
      const document = uniqueDocument();
      const { user, agent } = await signedIn(t, { name: 'María Elena González Benítez', document });
      const res = await change(agent, password(document));
      expect(res.status).toBe(400);
      expect(fieldError(res.text, 'newPassword')).toBe(message);
      expect(res.text).toMatch(/id="newPassword"[^>]*aria-invalid="true"/);
      expect(fieldError(res.text, 'currentPassword')).toBeUndefined();
      expect(await classicLoginTo(user.username, TEST_PASSWORD)).toBe('/login/establishment');
    },
  );

  it('when the confirmation differs then its message is beside the confirmation field', async () => {
    const { agent } = await signedIn(t);
    const res = await submit(agent, {
      currentPassword: TEST_PASSWORD,
      newPassword: NEW_PASSWORD,
      confirmation: `${NEW_PASSWORD}!`,
    });
    expect(res.status).toBe(400);
    expect(fieldError(res.text, 'confirmation')).toBe(
      'La confirmación no coincide con la nueva contraseña.',
    );
    expect(fieldError(res.text, 'newPassword')).toBeUndefined();
  });

  it('when the form is refused then the fields that were accepted are filled in again, the refused ones empty', async () => {
    const { agent } = await signedIn(t);
    const wrongCurrent = await submit(agent, {
      currentPassword: 'not-my-password',
      newPassword: NEW_PASSWORD,
      confirmation: NEW_PASSWORD,
    });
    const valueOf = (html: string, id: string) =>
      new RegExp(`id="${id}"[^>]*value="([^"]*)"`).exec(html)?.[1];
    expect(valueOf(wrongCurrent.text, 'currentPassword')).toBe('');
    expect(valueOf(wrongCurrent.text, 'newPassword')).toBe(NEW_PASSWORD);
    expect(valueOf(wrongCurrent.text, 'confirmation')).toBe(NEW_PASSWORD);

    const weakNew = await submit(agent, {
      currentPassword: TEST_PASSWORD,
      newPassword: 'corta',
      confirmation: 'corta',
    });
    expect(valueOf(weakNew.text, 'currentPassword')).toBe(TEST_PASSWORD);
    expect(valueOf(weakNew.text, 'newPassword')).toBe('');
    expect(valueOf(weakNew.text, 'confirmation')).toBe('');
    expect(weakNew.headers['cache-control']).toBe('no-store');
  });

  it('when the user has a one-time password then every page leads to /me/password until it is changed', async () => {
    const { user, agent } = await signedIn(t, { role: 'admin' });
    await t.repos.users.update(user.id, { mustChangePassword: true });
    await t.identities.refresh(user.id);
    for (const path of ['/', '/admin', '/login/forgot'])
      expect((await agent.get(path)).headers.location).toBe('/me/password');
    const page = await agent.get('/me/password');
    expect(page.text).toContain('Ingresó con una contraseña de un solo uso');
    // Not asked again: this session was opened with it.
    expect(page.text).not.toContain('name="currentPassword"');
    expect(page.text).toContain('data-testid="links-unavailable"');
    expect(page.text).not.toContain('href="/admin"');

    const again = await submit(agent, { newPassword: TEST_PASSWORD, confirmation: TEST_PASSWORD });
    expect(fieldError(again.text, 'newPassword')).toBe(
      'La nueva contraseña debe ser distinta de la contraseña de un solo uso.',
    );
    const done = await submit(agent, { newPassword: NEW_PASSWORD, confirmation: NEW_PASSWORD });
    expect(done.headers.location).toBe('/me/password/changed');
    expect((await agent.get('/')).status).toBe(200);
    expect((await t.repos.users.findById(user.id))!.mustChangePassword).toBe(false);
    expect(await adminEvents(user.id)).toEqual([
      expect.objectContaining({
        action: 'me.changePassword',
        details: { firstPassword: false, oneTimePasswordReplaced: true },
      }),
    ]);
  });

  it('when "Cerrar las otras sesiones" is chosen then the other session ends and this one stays', async () => {
    const { user, agent, establishments } = await signedIn(t);
    const other = agentFor(t.app);
    await loginAndChoose(other, user.username, TEST_PASSWORD, establishments[0]!.id);
    expect((await other.get('/')).status).toBe(200);

    await change(agent);
    const offer = await agent.get('/me/password/changed');
    expect(offer.text).toContain('Tiene 1 sesión abierta en otros equipos o navegadores.');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(offer.text)![1]!;
    const closed = await agent.post('/me/sessions/close-others').type('form').send({ _csrf: csrf });
    expect(closed.headers.location).toBe('/');

    const home = await agent.get('/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('Se cerró 1 sesión abierta en otro equipo o navegador.');
    expect((await other.get('/')).headers.location).toBe('/login');
    expect(await t.sessionIndex.list(user.id)).toHaveLength(1);
    expect((await adminEvents(user.id)).at(-1)).toMatchObject({
      action: 'me.closeOtherSessions',
      outcome: 'success',
      details: { sessions: 1 },
    });
  });

  it('when the password changes or is refused then no audit row holds a password or a hash', async () => {
    const { user, agent } = await signedIn(t);
    await submit(agent, {
      currentPassword: 'wrong-guess-123',
      newPassword: 'x',
      confirmation: 'y',
    });
    await change(agent);
    const rows = JSON.stringify(
      await t.sequelize.query('SELECT * FROM admin_events WHERE target_user_id = :id', {
        replacements: { id: user.id },
        type: QueryTypes.SELECT,
      }),
    );
    expect(rows).toContain('me.changePassword');
    for (const secret of [TEST_PASSWORD, NEW_PASSWORD, 'wrong-guess-123', '$argon2'])
      expect(rows).not.toContain(secret);
  });

  it('when the account lost its password during a classic session then the page explains the e-ID step instead of a form', async () => {
    const { user, agent } = await signedIn(t);
    await t.repos.users.update(user.id, { passwordHash: null });
    const page = await agent.get('/me/password');
    expect(page.text).toContain('Verificar con Identidad Electrónica');
    expect(page.text).not.toContain('name="newPassword"');
    const res = await submit(agent, { newPassword: NEW_PASSWORD, confirmation: NEW_PASSWORD });
    expect(res.status).toBe(403);
    expect((await t.repos.users.findById(user.id))!.passwordHash).toBeNull();
    expect((await adminEvents(user.id)).at(-1)).toMatchObject({
      outcome: 'denied',
      details: { reason: 'eid_required' },
    });
  });
});

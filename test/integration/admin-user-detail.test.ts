import { randomBytes } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import type request from 'supertest';
import { buildTestApp, type TestApp } from '../support/test-app';
import { makeEstablishment, makeUser, TEST_PASSWORD, uniqueDocument } from '../support/factories';
import { agentFor, csrfOf, loginAndChoose, postLogin } from '../support/http';
import { signedIn, type NewUserOptions } from '../support/sign-in';
import { createRepositories } from '../../src/storage/repositories';
import { formatCedula } from '../../src/shared/cedula';
import type { EstablishmentRecord } from '../../src/storage/establishments';

/**
 * The user detail page and every change to an existing user, against the real app, PostgreSQL
 * and Redis. Other files share the database: this one works in two regiones of its own.
 */
let t: TestApp;
const tag = randomBytes(3).toString('hex');
const REGION_A = `Región A ${tag}`;
const REGION_B = `Región B ${tag}`;
let a1: EstablishmentRecord;
let a2: EstablishmentRecord;
let b1: EstablishmentRecord;

beforeAll(async () => {
  t = await buildTestApp({ LOCKOUT_MAX_FAILURES: '3' });
  [a1, a2, b1] = await Promise.all([
    makeEstablishment(t.sequelize, REGION_A),
    makeEstablishment(t.sequelize, REGION_A),
    makeEstablishment(t.sequelize, REGION_B),
  ]);
});
afterAll(() => t.close());

interface EventRow {
  action: string;
  outcome: string;
  details: Record<string, unknown>;
  target_user_id: number | null;
  actor_user_id: number | null;
  region_ids: number[];
}
const eventsFor = (userId: number) =>
  t.sequelize.query<EventRow>(
    `SELECT action, outcome, details, target_user_id, actor_user_id, region_ids
       FROM admin_events WHERE target_user_id = :userId ORDER BY id`,
    { replacements: { userId }, type: QueryTypes.SELECT },
  );
const userRow = async (id: number) => (await t.repos.users.findById(id))!;

/** A new staff user of a1 (unless `opts` say otherwise), signed in there, with their agent. */
const signedInA1 = (opts: NewUserOptions = {}, app: TestApp = t) =>
  signedIn(app, { establishments: [a1], ...opts });
const globalAdmin = () => signedInA1({ role: 'admin' });
const regionalAdmin = () => signedInA1({ role: 'admin', scope: `region:${REGION_A}` });

/** Submits a form of the detail page as a browser would (with the session's CSRF token). */
async function submit(agent: request.Agent, path: string, body: Record<string, unknown> = {}) {
  const csrf = await csrfOf(agent, '/');
  return agent
    .post(path)
    .type('form')
    .send({ ...body, _csrf: csrf });
}
const stillSignedIn = async (agent: request.Agent) => (await agent.get('/')).status === 200;

describe('the page', () => {
  it('when a global admin opens a user then every section is there with the user data', async () => {
    const admin = await globalAdmin();
    const { user } = await makeUser(t.sequelize, { establishments: [a1, b1] });
    const page = await admin.agent.get(`/admin/users/${user.id}`);
    expect(page.status).toBe(200);
    for (const heading of [
      'Datos',
      'Estado',
      'Establecimientos',
      'Roles',
      'Exención de Identidad Electrónica',
      'Sesiones activas',
    ])
      expect(page.text).toContain(`>${heading}</h2>`);
    expect(page.text).toContain(`value="${formatCedula(user.documentNumber)}"`);
    expect(page.text).toContain(`name="version" value="${user.version}"`);
    expect(page.text).toContain(a1.name);
    expect(page.text).toContain(b1.name);
    expect(page.text).toContain('href="/admin/users"');
    expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)/);
  });

  it('when the id is unknown then 404, and when it is not a number then not this page', async () => {
    const admin = await globalAdmin();
    expect((await admin.agent.get('/admin/users/999999999')).status).toBe(404);
    expect((await admin.agent.get('/admin/users/abc')).status).toBe(404);
  });

  it('when the user has an open session then it is listed with establishment, IP and browser', async () => {
    const admin = await globalAdmin();
    const target = await signedInA1();
    const page = await admin.agent.get(`/admin/users/${target.user.id}`);
    const row = /<tr data-session="[^"]+">([\s\S]*?)<\/tr>/.exec(page.text)?.[1] ?? '';
    expect(row).toContain(a1.name);
    expect(row).toMatch(/127\.0\.0\.1|::1/);
    expect(row).toContain('his-test/');
    expect(row).toContain('20/11/2026 09:00');
    expect(row).toContain('Cerrar esta sesión');
  });
});

describe('profile', () => {
  it('when name, cédula and email are saved then they are stored normalised and audited before → after', async () => {
    const admin = await globalAdmin();
    const { user } = await makeUser(t.sequelize, { establishments: [a1] });
    const document = uniqueDocument();
    const res = await submit(admin.agent, `/admin/users/${user.id}/profile`, {
      version: user.version,
      fullName: '  Ana María Benítez ',
      documentNumber: formatCedula(document),
      email: 'Ana@Example.PY',
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/admin/users/${user.id}#datos`);
    const row = await userRow(user.id);
    expect(row).toMatchObject({
      fullName: 'Ana María Benítez',
      documentNumber: document,
      email: 'ana@example.py',
      version: user.version + 1,
    });
    const [event] = await eventsFor(user.id);
    expect(event).toMatchObject({ action: 'users.update', outcome: 'success' });
    expect(event!.details).toEqual({
      before: { fullName: user.fullName, documentNumber: user.documentNumber, email: null },
      after: { fullName: 'Ana María Benítez', documentNumber: document, email: 'ana@example.py' },
    });
    expect(event!.region_ids).toEqual([a1.regionId]);
    const page = await admin.agent.get(res.headers.location!);
    expect(page.text).toContain('Se guardaron los datos.');
  });

  it('when the cédula belongs to someone else or is not a number then 400 with the message by the field', async () => {
    const admin = await globalAdmin();
    const { user } = await makeUser(t.sequelize, { establishments: [a1] });
    const { user: other } = await makeUser(t.sequelize, { establishments: [a1] });
    const base = { version: user.version, fullName: user.fullName };
    const taken = await submit(admin.agent, `/admin/users/${user.id}/profile`, {
      ...base,
      documentNumber: other.documentNumber,
    });
    expect(taken.status).toBe(400);
    expect(taken.text).toContain('Ya existe otro usuario con esta cédula.');
    expect(taken.text).toMatch(/id="documentNumber"[^>]*aria-invalid="true"/);
    const bad = await submit(admin.agent, `/admin/users/${user.id}/profile`, {
      ...base,
      documentNumber: '12a',
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Cédula inválida: escriba solo los números');
    expect(bad.text).toContain('value="12a"');
    expect((await userRow(user.id)).documentNumber).toBe(user.documentNumber);
    expect(await eventsFor(user.id)).toEqual([]);
  });

  it('when two admins save the same user from the same version then the second gets 409 and the first persists', async () => {
    const first = await globalAdmin();
    const second = await globalAdmin();
    const { user } = await makeUser(t.sequelize, { establishments: [a1] });
    const form = (fullName: string) => ({
      version: user.version,
      fullName,
      documentNumber: user.documentNumber,
    });
    const one = await submit(first.agent, `/admin/users/${user.id}/profile`, form('Nombre Uno'));
    expect(one.status).toBe(303);
    const two = await submit(second.agent, `/admin/users/${user.id}/profile`, form('Nombre Dos'));
    expect(two.status).toBe(409);
    expect(two.text).toContain(
      'Otra persona modificó este usuario mientras usted editaba. Revise los datos actuales y vuelva a guardar.',
    );
    // The form now holds the current data and version; what was typed is shown beside it.
    expect(two.text).toContain('value="Nombre Uno"');
    expect(two.text).toContain(`name="version" value="${user.version + 1}"`);
    expect(two.text).toContain('Nombre Dos');
    expect((await userRow(user.id)).fullName).toBe('Nombre Uno');
    expect((await eventsFor(user.id)).map((e) => e.action)).toEqual(['users.update']);
  });
});

describe('status', () => {
  it('when a user is disabled then their open session ends at once and the change is audited', async () => {
    const admin = await globalAdmin();
    const target = await signedInA1();
    const res = await submit(admin.agent, `/admin/users/${target.user.id}/disable`);
    expect(res.status).toBe(303);
    expect((await userRow(target.user.id)).status).toBe('disabled');
    expect(await t.sessionIndex.list(target.user.id)).toEqual([]);
    const next = await target.agent.get('/');
    expect(next.status).toBe(303);
    expect(next.headers.location).toBe('/login');
    const [event] = await eventsFor(target.user.id);
    expect(event).toMatchObject({
      action: 'users.disable',
      outcome: 'success',
      actor_user_id: admin.user.id,
      details: { before: { status: 'active' }, after: { status: 'disabled' } },
    });

    expect((await submit(admin.agent, `/admin/users/${target.user.id}/enable`)).status).toBe(303);
    expect((await userRow(target.user.id)).status).toBe('active');
    const login = await postLogin(agentFor(t.app), target.user.username, TEST_PASSWORD);
    expect(login.headers.location).toBe('/login/establishment');
  });

  it('when the audit row cannot be written then the disable is rolled back and the session goes on', async () => {
    const failing = await buildTestApp(
      {},
      {
        repos: (sq) => ({
          ...createRepositories(sq),
          adminEvents: {
            append: async () => {
              throw new Error('audit down');
            },
            appendMany: async () => {
              throw new Error('audit down');
            },
          },
        }),
      },
    );
    try {
      const admin = await signedInA1({ role: 'admin' }, failing);
      const target = await signedInA1({}, failing);
      const res = await submit(admin.agent, `/admin/users/${target.user.id}/disable`);
      expect(res.status).toBe(500);
      expect((await userRow(target.user.id)).status).toBe('active');
      expect(await stillSignedIn(target.agent)).toBe(true);
    } finally {
      await failing.close();
    }
  });

  it('when an admin unlocks a locked account then the Redis lockout is cleared and the person can log in', async () => {
    const admin = await globalAdmin();
    const { user } = await makeUser(t.sequelize, { establishments: [a1] });
    for (let i = 0; i < 3; i++) await postLogin(agentFor(t.app), user.username, 'wrong-password');
    const locked = await postLogin(agentFor(t.app), user.username, TEST_PASSWORD);
    expect(locked.headers.location).not.toBe('/login/establishment');
    const page = await admin.agent.get(`/admin/users/${user.id}`);
    expect(page.text).toContain('Bloqueada por intentos fallidos');

    expect((await submit(admin.agent, `/admin/users/${user.id}/unlock`)).status).toBe(303);
    const login = await postLogin(agentFor(t.app), user.username, TEST_PASSWORD);
    expect(login.headers.location).toBe('/login/establishment');
    const [event] = await eventsFor(user.id);
    expect(event).toMatchObject({
      action: 'users.unlock',
      outcome: 'success',
      details: { wasLocked: true },
    });
  });

  it('when the password is reset then it is shown once, sessions end, the old one fails and the new one works', async () => {
    const admin = await globalAdmin();
    const target = await signedInA1();
    const res = await submit(admin.agent, `/admin/users/${target.user.id}/password`);
    expect(res.status).toBe(200);
    const password = /data-testid="one-time-password">([^<]+)</.exec(res.text)?.[1];
    expect(password).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    expect(res.text).toContain(`href="/admin/users/${target.user.id}"`);

    expect((await target.agent.get('/')).headers.location).toBe('/login');
    const old = await postLogin(agentFor(t.app), target.user.username, TEST_PASSWORD);
    expect(old.headers.location).not.toBe('/login/establishment');
    const fresh = await postLogin(agentFor(t.app), target.user.username, password!);
    expect(fresh.headers.location).toBe('/login/establishment');
    expect((await userRow(target.user.id)).mustChangePassword).toBe(true);

    const [event] = await eventsFor(target.user.id);
    expect(event).toMatchObject({ action: 'users.resetPassword', outcome: 'success' });
    expect(JSON.stringify(event!.details)).not.toContain(password!);
    expect(JSON.stringify(event!.details)).not.toContain('argon2');
  });
});

describe('establishments and roles reach open sessions at their next request', () => {
  it('when the current establishment is removed then the session ends; another one removed leaves it', async () => {
    const admin = await globalAdmin();
    const target = await signedInA1({ establishments: [a1, a2] });
    const other = await submit(
      admin.agent,
      `/admin/users/${target.user.id}/establishments/remove`,
      {
        establishmentId: a2.id,
      },
    );
    expect(other.status).toBe(303);
    expect(await stillSignedIn(target.agent)).toBe(true);

    await submit(admin.agent, `/admin/users/${target.user.id}/establishments/remove`, {
      establishmentId: a1.id,
    });
    expect(await t.repos.users.assignedEstablishmentIds(target.user.id)).toEqual([]);
    expect((await target.agent.get('/')).headers.location).toBe('/login');
    const events = await eventsFor(target.user.id);
    expect(events.map((e) => [e.action, e.outcome])).toEqual([
      ['users.unassignEstablishment', 'success'],
      ['users.unassignEstablishment', 'success'],
    ]);
    expect(events[1]!.details).toMatchObject({ establishment: { id: a1.id, code: a1.code } });
  });

  it('when an establishment is assigned then the person can switch to it without logging in again', async () => {
    const admin = await globalAdmin();
    const target = await signedInA1();
    const res = await submit(admin.agent, `/admin/users/${target.user.id}/establishments`, {
      establishmentId: b1.id,
    });
    expect(res.status).toBe(303);
    const home = await target.agent.get('/');
    expect(home.text).toContain(`<option value="${b1.id}"`);
    const [event] = await eventsFor(target.user.id);
    expect(event).toMatchObject({ action: 'users.assignEstablishment', outcome: 'success' });
    expect([...event!.region_ids].sort()).toEqual([a1.regionId, b1.regionId].sort());

    const again = await submit(admin.agent, `/admin/users/${target.user.id}/establishments`, {
      establishmentId: b1.id,
    });
    expect(again.status).toBe(400);
    expect(again.text).toContain('Este establecimiento ya está asignado a la persona.');
  });

  it('when staff is granted admin then their open session reaches the admin pages; when revoked, 403 again', async () => {
    const admin = await globalAdmin();
    const target = await signedInA1();
    const somebody = await makeUser(t.sequelize, { establishments: [a1] });
    const adminPage = `/admin/users/${somebody.user.id}`;
    expect((await target.agent.get(adminPage)).status).toBe(403);

    // A región's admin role: the network admin's scope is strictly wider, so it can take it back
    // (a network-wide admin role would make a peer, whom only the CLI changes).
    const granted = await submit(admin.agent, `/admin/users/${target.user.id}/roles`, {
      role: 'admin',
      scope: `region:${a1.regionId}`,
    });
    expect(granted.status).toBe(303);
    expect((await target.agent.get(adminPage)).status).toBe(200);

    const grant = (await t.repos.users.grants(target.user.id)).find((g) => g.role === 'admin')!;
    const revoked = await submit(admin.agent, `/admin/users/${target.user.id}/roles/remove`, {
      grantId: grant.id,
    });
    expect(revoked.status).toBe(303);
    expect((await target.agent.get(adminPage)).status).toBe(403);
    const events = await eventsFor(target.user.id);
    expect(events.map((e) => [e.action, e.outcome])).toEqual([
      ['users.grantRole', 'success'],
      ['users.revokeRole', 'success'],
    ]);
    expect(events[0]!.details).toEqual({
      grant: { id: grant.id, role: 'admin', scope: `region:${a1.regionId}` },
    });
  });

  it('when the same role and scope is granted twice then 400 by the role field', async () => {
    const admin = await globalAdmin();
    const { user } = await makeUser(t.sequelize, { establishments: [a1] });
    const res = await submit(admin.agent, `/admin/users/${user.id}/roles`, {
      role: 'staff',
      scope: 'global',
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain('La persona ya tiene este rol en ese alcance.');
  });

  it('when a role is granted without a scope then staff needs none (as at creation) and admin is asked for one', async () => {
    const admin = await globalAdmin();
    const { user } = await makeUser(t.sequelize, { establishments: [a1], role: 'auditor' });
    const staff = await submit(admin.agent, `/admin/users/${user.id}/roles`, { role: 'staff' });
    expect(staff.status).toBe(303);
    expect((await t.repos.users.grants(user.id)).map((g) => g.role).sort()).toContain('staff');
    const adminRole = await submit(admin.agent, `/admin/users/${user.id}/roles`, {
      role: 'admin',
      scope: '',
    });
    expect(adminRole.status).toBe(400);
    expect(adminRole.text).toContain('Seleccione dónde se aplica el rol.');
  });
});

describe('exemption from the forced e-ID', () => {
  const path = (id: number) => `/admin/users/${id}/exemption`;

  it.each([
    [{ reason: 'abc', until: '2026-12-15' }, 'al menos 5 caracteres'],
    [{ reason: 'Sin celular', until: '2026-11-20' }, 'La fecha debe ser posterior a hoy.'],
    [{ reason: 'Sin celular', until: '2027-11-21' }, 'como máximo 12 meses'],
    [{ reason: 'Sin celular', until: '2027-02-30' }, 'Indique una fecha válida'],
    [{ reason: 'Sin celular', until: '' }, 'Indique una fecha válida'],
  ])('when the form is %j then 400 with "%s" and nothing stored', async (form, message) => {
    const admin = await globalAdmin();
    const { user } = await makeUser(t.sequelize, { establishments: [a1] });
    const res = await submit(admin.agent, path(user.id), form);
    expect(res.status).toBe(400);
    expect(res.text).toContain(message);
    expect((await userRow(user.id)).eidExemptUntil).toBeNull();
  });

  it('when an exemption is set then it lasts to the end of that day in Asunción; cleared, it is gone, each act under its own audit code', async () => {
    const admin = await globalAdmin();
    const { user } = await makeUser(t.sequelize, { establishments: [a1] });
    const res = await submit(admin.agent, path(user.id), {
      reason: 'Sin teléfono inteligente',
      until: '2026-12-15',
    });
    expect(res.status).toBe(303);
    const row = await userRow(user.id);
    expect(row.eidExemptUntil?.toISOString()).toBe('2026-12-16T03:00:00.000Z');
    expect(row.eidExemptReason).toBe('Sin teléfono inteligente');
    const page = await admin.agent.get(`/admin/users/${user.id}`);
    expect(page.text).toContain('Exenta hasta el <strong>15/12/2026</strong>');

    expect((await submit(admin.agent, `${path(user.id)}/clear`)).status).toBe(303);
    expect((await userRow(user.id)).eidExemptUntil).toBeNull();
    expect((await eventsFor(user.id)).map((e) => [e.action, e.outcome])).toEqual([
      ['users.exempt', 'success'],
      ['users.clearExemption', 'success'],
    ]);
  });
});

describe('sessions', () => {
  it('when one session is ended then only that one ends; "Cerrar todas" ends the rest; each act under its own audit code', async () => {
    const admin = await globalAdmin();
    const target = await signedInA1();
    const second = agentFor(t.app);
    await loginAndChoose(second, target.user.username, TEST_PASSWORD, a1.id);
    const page = await admin.agent.get(`/admin/users/${target.user.id}`);
    const handles = [...page.text.matchAll(/data-session="([^"]+)"/g)].map((m) => m[1]!);
    expect(handles).toHaveLength(2);

    await submit(admin.agent, `/admin/users/${target.user.id}/sessions/end`, {
      session: handles[0],
    });
    const alive = [await stillSignedIn(target.agent), await stillSignedIn(second)];
    expect(alive.filter(Boolean)).toHaveLength(1);

    await submit(admin.agent, `/admin/users/${target.user.id}/sessions/end-all`);
    expect([await stillSignedIn(target.agent), await stillSignedIn(second)]).toEqual([
      false,
      false,
    ]);
    expect((await eventsFor(target.user.id)).map((e) => e.action)).toEqual([
      'users.endSession',
      'users.endAllSessions',
    ]);
  });

  it('when an admin ends all their own sessions then the current one is over too (not saved back)', async () => {
    const admin = await globalAdmin();
    const res = await submit(admin.agent, `/admin/users/${admin.user.id}/sessions/end-all`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login');
    expect(await stillSignedIn(admin.agent)).toBe(false);
    expect(await t.sessionIndex.list(admin.user.id)).toEqual([]);
  });
});

describe('tampered ids change nothing', () => {
  it("when another user's session handle is sent then 404 and that session goes on", async () => {
    const admin = await globalAdmin();
    const victim = await signedInA1();
    const { user } = await makeUser(t.sequelize, { establishments: [a1] });
    const page = await admin.agent.get(`/admin/users/${victim.user.id}`);
    const handle = /data-session="([^"]+)"/.exec(page.text)![1];
    const res = await submit(admin.agent, `/admin/users/${user.id}/sessions/end`, {
      session: handle,
    });
    expect(res.status).toBe(404);
    expect(await stillSignedIn(victim.agent)).toBe(true);
  });

  it("when another user's grant id or an unassigned establishment is sent then 404 and nothing changes", async () => {
    const admin = await globalAdmin();
    const { user } = await makeUser(t.sequelize, { establishments: [a1] });
    const { user: other } = await makeUser(t.sequelize, { establishments: [a1] });
    const [otherGrant] = await t.repos.users.grants(other.id);
    const revoke = await submit(admin.agent, `/admin/users/${user.id}/roles/remove`, {
      grantId: otherGrant!.id,
    });
    expect(revoke.status).toBe(404);
    expect(await t.repos.users.grants(other.id)).toHaveLength(1);
    const unassign = await submit(admin.agent, `/admin/users/${user.id}/establishments/remove`, {
      establishmentId: b1.id,
    });
    expect(unassign.status).toBe(404);
    expect(await eventsFor(user.id)).toEqual([]);
    expect(await eventsFor(other.id)).toEqual([]);
  });
});

describe('hidden fields sent altered', () => {
  it('when a row action comes back without its id then 400 with a Spanish message at the top and nothing changes', async () => {
    const admin = await globalAdmin();
    const target = await signedInA1();
    for (const path of ['sessions/end', 'roles/remove']) {
      const res = await submit(admin.agent, `/admin/users/${target.user.id}/${path}`, {});
      expect(res.status).toBe(400);
      expect(res.text).toContain('No se guardó el cambio. Recargue la página e intente de nuevo.');
    }
    // The place's id shares its name with the "Asignar establecimiento" field: said beside it.
    const res = await submit(admin.agent, `/admin/users/${target.user.id}/establishments/remove`, {
      establishmentId: 'x',
    });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(
      /id="establishmentId-error"[^>]*>Recargue la página e intente de nuevo\./,
    );
    expect(await stillSignedIn(target.agent)).toBe(true);
    expect(await eventsFor(target.user.id)).toEqual([]);
  });
});

describe('a regional admin', () => {
  const deniedFor = async (userId: number, action: string) =>
    (await eventsFor(userId)).filter((e) => e.action === action && e.outcome === 'denied');

  it('when the user belongs to another región then 404 like an unknown id, on the page and on a change, audited, nothing changed', async () => {
    const admin = await regionalAdmin();
    const { user } = await makeUser(t.sequelize, { establishments: [b1] });
    const unknown = 2_000_000_000;
    const page = await admin.agent.get(`/admin/users/${user.id}`);
    const none = await admin.agent.get(`/admin/users/${unknown}`);
    expect([page.status, none.status]).toEqual([404, 404]);
    const change = await submit(admin.agent, `/admin/users/${user.id}/disable`);
    const changeNone = await submit(admin.agent, `/admin/users/${unknown}/disable`);
    expect([change.status, changeNone.status]).toEqual([404, 404]);
    expect((await userRow(user.id)).status).toBe('active');
    const [denied] = await deniedFor(user.id, 'users.disable');
    // Visible to the auditors of the user's región and of the admin's own.
    expect(denied).toMatchObject({ actor_user_id: admin.user.id });
    expect([...denied!.region_ids].sort()).toEqual([a1.regionId, b1.regionId].sort());
  });

  it('when a user of the región is shown then only scopes inside the región are offered', async () => {
    const admin = await regionalAdmin();
    const { user } = await makeUser(t.sequelize, { establishments: [a1] });
    const page = await admin.agent.get(`/admin/users/${user.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`value="region:${a1.regionId}"`);
    expect(page.text).not.toContain('value="global"');
    expect(page.text).not.toContain(`value="region:${b1.regionId}"`);
    expect(page.text).not.toContain(`<option value="${b1.id}"`);
  });

  it.each([
    ['a global role', 'global'],
    ['a role in another región', 'region:B'],
  ])('when granting %s then 403, a denied row, and no grant', async (_what, scope) => {
    const admin = await regionalAdmin();
    const { user } = await makeUser(t.sequelize, { establishments: [a1] });
    const res = await submit(admin.agent, `/admin/users/${user.id}/roles`, {
      role: 'admin',
      scope: scope === 'region:B' ? `region:${b1.regionId}` : scope,
    });
    expect(res.status).toBe(403);
    expect(await t.repos.users.grants(user.id)).toHaveLength(1);
    expect(await deniedFor(user.id, 'users.grantRole')).toHaveLength(1);
  });

  it("when assigning another región's establishment then 403, a denied row, and no assignment", async () => {
    const admin = await regionalAdmin();
    const { user } = await makeUser(t.sequelize, { establishments: [a1] });
    const res = await submit(admin.agent, `/admin/users/${user.id}/establishments`, {
      establishmentId: b1.id,
    });
    expect(res.status).toBe(403);
    expect(await t.repos.users.assignedEstablishmentIds(user.id)).toEqual([a1.id]);
    expect(await deniedFor(user.id, 'users.assignEstablishment')).toHaveLength(1);
  });

  it('when editing own roles or disabling oneself then 403, denied rows, and nothing changed', async () => {
    const admin = await regionalAdmin();
    const self = `/admin/users/${admin.user.id}`;
    const page = await admin.agent.get(self);
    expect(page.text).toContain('No puede cambiar sus propios roles.');
    expect(page.text).not.toContain(`action="${self}/roles"`);

    const grant = await submit(admin.agent, `${self}/roles`, {
      role: 'admin',
      scope: `establishment:${a1.id}`,
    });
    const [own] = await t.repos.users.grants(admin.user.id);
    const revoke = await submit(admin.agent, `${self}/roles/remove`, { grantId: own!.id });
    const disable = await submit(admin.agent, `${self}/disable`);
    expect([grant.status, revoke.status, disable.status]).toEqual([403, 403, 403]);
    expect(await t.repos.users.grants(admin.user.id)).toHaveLength(1);
    expect((await userRow(admin.user.id)).status).toBe('active');
    expect(
      (await eventsFor(admin.user.id)).filter((e) => e.outcome === 'denied').map((e) => e.action),
    ).toEqual(['users.grantRole', 'users.revokeRole', 'users.disable']);
  });

  it('when staff try a change then 403 at the gate and a denied row', async () => {
    const staff = await signedInA1();
    const { user } = await makeUser(t.sequelize, { establishments: [a1] });
    const res = await submit(staff.agent, `/admin/users/${user.id}/disable`);
    expect(res.status).toBe(403);
    expect((await userRow(user.id)).status).toBe('active');
    const [row] = await t.sequelize.query<{ outcome: string; target_id: string }>(
      `SELECT outcome, target_id FROM admin_events WHERE actor_user_id = :id`,
      { replacements: { id: staff.user.id }, type: QueryTypes.SELECT },
    );
    expect(row).toEqual({ outcome: 'denied', target_id: `POST /admin/users/${user.id}/disable` });
  });
});

import { randomBytes } from 'node:crypto';
import type request from 'supertest';
import { QueryTypes } from 'sequelize';
import { buildTestApp, type TestApp } from '../support/test-app';
import { makeEstablishment, makeUser, TEST_PASSWORD, uniqueDocument } from '../support/factories';
import { agentFor, csrfOf, loginAndChoose, postLogin } from '../support/http';
import { signedIn, type SignedInUser } from '../support/sign-in';
import { recordExpiries } from '../../src/domain/users/expiry';
import type { EstablishmentRecord } from '../../src/storage/establishments';

/**
 * Temporary staff: an account, or one of its establishment assignments, valid until a day. From
 * the end of that day in Asunción the login is refused with its own message, open sessions end
 * at their next request (the login page says why), and the expiry is audited once by the system.
 */
jest.setTimeout(60_000);

let t: TestApp;
let admin: SignedInUser;
let a: EstablishmentRecord;
let b: EstablishmentRecord;
const tag = randomBytes(3).toString('hex');
const REGION = `Región Vigencia ${tag}`;

beforeAll(async () => {
  // 2026-11-20 09:00 in Asunción.
  t = await buildTestApp({}, { start: '2026-11-20T12:00:00Z' });
  a = await makeEstablishment(t.sequelize, REGION);
  b = await makeEstablishment(t.sequelize, REGION);
  admin = await signedIn(t, { role: 'admin', establishments: [a] });
});
afterAll(() => t.close());

async function submit(agent: request.Agent, path: string, body: Record<string, unknown>) {
  const csrf = await csrfOf(agent, '/');
  return agent
    .post(path)
    .type('form')
    .send({ ...body, _csrf: csrf });
}

const notice = (html: string) => /class="alert alert--info" role="status">([^<]*)</.exec(html)?.[1];
const expiryRows = (userId: number, action: string) =>
  t.sequelize.query<{ actor_username: string; details: { validUntil: string } }>(
    'SELECT actor_username, details FROM admin_events WHERE action = :action AND target_user_id = :userId',
    { replacements: { action, userId }, type: QueryTypes.SELECT },
  );
const deps = () => ({
  repos: t.repos,
  clock: t.clock,
  sessions: t.sessionIndex,
  identities: t.identities,
});

describe('an account valid until a day', () => {
  it('when an admin creates it then the day is stored as its end, shown on the page and in the list', async () => {
    const username = `temp${tag}`;
    const res = await submit(admin.agent, '/admin/users/new', {
      fullName: 'Residente Temporal',
      documentNumber: uniqueDocument(),
      username,
      establishmentIds: String(a.id),
      role: 'staff',
      accountKind: 'eid',
      validUntil: '2026-12-10',
    });
    expect(res.status).toBe(200);
    const user = (await t.repos.users.findByUsername(username))!;
    // The first instant after 10/12/2026 in Asunción (UTC−3).
    expect(user.validUntil?.toISOString()).toBe('2026-12-11T03:00:00.000Z');
    expect((await admin.agent.get(`/admin/users/${user.id}`)).text).toContain(
      'Válida hasta el 10/12/2026 inclusive',
    );
    const list = await admin.agent.get(`/admin/users?q=${username}&expiring=si`);
    expect(list.text).toContain(`data-user-id="${user.id}"`);
    expect(list.text).toContain('Vence el 10/12/2026');
  });

  it('when a date is today or past then it is refused beside the field', async () => {
    const { user } = await makeUser(t.sequelize, { establishments: [a] });
    const res = await submit(admin.agent, `/admin/users/${user.id}/validity`, {
      validUntil: '2026-11-20',
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain('La fecha debe ser posterior a hoy.');
  });

  it('when its end passes then the session ends at its next request, the login says why, and the expiry is audited once', async () => {
    const person = await signedIn(t, { establishments: [a] });
    // Ten minutes from now (a fixture: the screens offer whole days).
    await t.repos.transaction((tx) =>
      t.repos.users.setValidity(person.user.id, new Date(t.clock.now().getTime() + 600_000), tx),
    );
    await t.identities.refresh(person.user.id);
    expect((await person.agent.get('/')).status).toBe(200);
    t.clock.advanceMinutes(11);
    expect((await person.agent.get('/')).headers.location).toBe('/login');
    expect(notice((await person.agent.get('/login')).text)).toContain(
      'Su cuenta llegó a su fecha de vencimiento',
    );

    const refused = await postLogin(agentFor(t.app), person.user.username, TEST_PASSWORD);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('Su cuenta venció el 20/11/2026');
    const wrong = await postLogin(agentFor(t.app), person.user.username, 'wrong-password');
    expect(wrong.text).toContain('Usuario o contraseña incorrectos');
    expect(wrong.text).not.toContain('venció');

    expect(await recordExpiries(deps())).toBeGreaterThanOrEqual(1);
    await recordExpiries(deps());
    const rows = await expiryRows(person.user.id, 'users.expire');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.actor_username).toBe('sistema');
  });

  it('when the expiry job runs first then the session is ended by it, told why', async () => {
    const person = await signedIn(t, { establishments: [a] });
    await t.repos.transaction((tx) =>
      t.repos.users.setValidity(person.user.id, new Date(t.clock.now().getTime() + 60_000), tx),
    );
    t.clock.advanceMinutes(2);
    await recordExpiries(deps());
    expect(await t.sessionIndex.list(person.user.id)).toEqual([]);
    expect((await person.agent.get('/')).headers.location).toBe('/login');
    expect(notice((await person.agent.get('/login')).text)).toContain('fecha de vencimiento');
  });
});

describe('an assignment valid until a day', () => {
  it('when it ends then that establishment is no longer offered, its session ends, and the other goes on', async () => {
    const { user, password } = await makeUser(t.sequelize, { establishments: [a, b] });
    const inA = agentFor(t.app);
    await loginAndChoose(inA, user.username, password, a.id);
    const set = await submit(admin.agent, `/admin/users/${user.id}/establishments/validity`, {
      establishmentId: a.id,
      validUntil: '2026-11-21',
    });
    expect(set.status).toBe(303);
    expect((await admin.agent.get(`/admin/users/${user.id}`)).text).toContain(
      'Hasta el 21/11/2026',
    );
    // Past the end of 21/11 in Asunción; the session kept alive meanwhile is not the point here.
    t.clock.advanceMinutes(40 * 60);
    const fresh = agentFor(t.app);
    await postLogin(fresh, user.username, password);
    const step = await fresh.get('/login/establishment');
    expect(step.text).toContain(b.name);
    expect(step.text).not.toContain(a.name);
    await recordExpiries(deps());
    const rows = await expiryRows(user.id, 'users.expireAssignment');
    expect(rows).toHaveLength(1);
  });
});

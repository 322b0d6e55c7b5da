import { QueryTypes } from 'sequelize';
import type request from 'supertest';
import type { TestApp } from '../support/test-app';
import {
  startTestSandbox,
  buildEidTestApp,
  citizenUser,
  pathOf,
  CLIENT_ID,
} from '../support/eid-flow';
import type { SandboxProcess } from '../support/sandbox-process';
import { agentFor, csrfOf, loginAndChoose } from '../support/http';
import { loginAtProvider } from '../support/provider-login';
import { makeEstablishment, makeUser, TEST_PASSWORD } from '../support/factories';
import { SANDBOX_PASSWORD } from '../../src/sandbox/citizens';
import type { EidStatus } from '../../src/domain/authentication/eid-policy';

/**
 * Step-up for the powerful (ADMIN_EID_STEP_UP): the admin and audit areas need a session opened or
 * re-verified with the Identidad Electrónica within ADMIN_EID_MAX_AGE_IN_HOURS; a classic-login
 * admin is sent through the e-ID (the same person) and back; while the provider is down they
 * proceed under a banner and their changes are flagged in the audit.
 */
jest.setTimeout(60_000);

let sandbox: SandboxProcess;
let t: TestApp;
const provider = { up: true };
const status: EidStatus = { available: () => provider.up };

beforeAll(async () => {
  sandbox = await startTestSandbox();
  t = await buildEidTestApp(
    'mitic',
    sandbox,
    { ADMIN_EID_STEP_UP: 'true', ADMIN_EID_MAX_AGE_IN_HOURS: '1' },
    { eidStatus: status },
  );
});
afterAll(async () => {
  await t?.close();
  await sandbox?.stop();
});
beforeEach(() => {
  provider.up = true;
  // The sandbox stamps its tokens with the real time, which the app checks with its clock.
  t.clock.set(new Date());
});

const names = { nombres: 'Admin', apellidos: 'de Prueba' };

/** A network admin who is also a sandbox citizen, signed in with the classic login. */
async function classicAdmin() {
  const place = await makeEstablishment(t.sequelize);
  const admin = await citizenUser(t, sandbox, names, { role: 'admin', establishments: [place] });
  const agent = agentFor(t.app);
  const done = await loginAndChoose(agent, admin.user.username, TEST_PASSWORD, place.id);
  expect(done.headers.location).toBe('/');
  return { ...admin, agent, place };
}

/** The e-ID leg from an open session, started at `/auth/eid?next=…`, as `cedula`. */
async function verifyWithEid(agent: request.Agent, next: string, cedula: string) {
  const start = await agent.get(`/auth/eid?next=${encodeURIComponent(next)}`);
  expect(start.status).toBe(303);
  const callback = await loginAtProvider(start.headers.location!, {
    cedula,
    password: SANDBOX_PASSWORD,
  });
  return agent.get(pathOf(callback));
}

it('when a classic-login admin opens an admin page then they are sent to verify with the e-ID, and come back to it', async () => {
  const { agent, document } = await classicAdmin();
  const page = await agent.get('/admin/users?q=ana');
  expect(page.status).toBe(303);
  expect(page.headers.location).toBe('/login/step-up?next=%2Fadmin%2Fusers%3Fq%3Dana');
  const notice = await agent.get(page.headers.location!);
  expect(notice.status).toBe(200);
  expect(notice.text).toContain(
    'Verifique su identidad con la Identidad Electrónica para administrar',
  );
  expect(notice.text).toContain('href="/auth/eid?next=%2Fadmin%2Fusers%3Fq%3Dana"');
  // A change is refused outright.
  const csrf = await csrfOf(agent, '/');
  const change = await agent
    .post('/admin/regions')
    .type('form')
    .send({ name: 'Región X', _csrf: csrf });
  expect(change.status).toBe(403);
  expect(change.text).toContain('Verifique su identidad con la Identidad Electrónica');

  const back = await verifyWithEid(agent, '/admin/users?q=ana', document);
  expect(back.status).toBe(303);
  expect(back.headers.location).toBe('/admin/users?q=ana');
  expect((await agent.get('/admin/users?q=ana')).status).toBe(200);
});

it('when the e-ID returns another person then the admin is not verified', async () => {
  const { agent } = await classicAdmin();
  const other = await citizenUser(t, sandbox, { nombres: 'Otra', apellidos: 'Persona' });
  const back = await verifyWithEid(agent, '/admin/users', other.document);
  expect(back.status).toBe(403);
  expect((await agent.get('/admin/users')).status).toBe(303);
});

it('when the verification is older than the limit then the admin is asked again', async () => {
  const { agent, document } = await classicAdmin();
  await verifyWithEid(agent, '/admin/users', document);
  expect((await agent.get('/admin/users')).status).toBe(200);
  // An hour and a bit of work later (a request every 20 minutes keeps the session alive).
  for (let i = 0; i < 4; i++) {
    t.clock.advanceMinutes(20);
    await agent.get('/');
  }
  expect((await agent.get('/admin/users')).headers.location).toMatch(/^\/login\/step-up/);
});

it('when the session itself was opened with the e-ID then the admin pages open at once', async () => {
  const place = await makeEstablishment(t.sequelize);
  const admin = await citizenUser(t, sandbox, names, { role: 'admin', establishments: [place] });
  const agent = agentFor(t.app);
  const start = await agent.get('/auth/eid');
  const callback = await loginAtProvider(start.headers.location!, {
    cedula: admin.document,
    password: SANDBOX_PASSWORD,
  });
  const landed = await agent.get(pathOf(callback));
  expect([landed.status, landed.headers.location, landed.text.slice(0, 200)]).toEqual([
    303,
    '/login/establishment',
    expect.any(String),
  ]);
  const csrf = await csrfOf(agent, '/login/establishment');
  await agent
    .post('/login/establishment')
    .type('form')
    .send({ establishmentId: place.id, _csrf: csrf });
  expect((await agent.get('/admin/users')).status).toBe(200);
});

it('when the provider is down then a classic-login admin proceeds under a banner and the change is flagged in its audit row', async () => {
  const { agent, user } = await classicAdmin();
  provider.up = false;
  const page = await agent.get('/admin/regions');
  expect(page.status).toBe(200);
  expect(page.text).toContain('data-testid="step-up-skipped"');
  const csrf = await csrfOf(agent, '/admin/regions');
  const name = `Región Contingencia ${CLIENT_ID.length}${Date.now() % 100000}`;
  const added = await agent.post('/admin/regions').type('form').send({ name, _csrf: csrf });
  expect(added.status).toBe(303);
  const [row] = await t.sequelize.query<{ details: Record<string, unknown> }>(
    `SELECT details FROM admin_events WHERE action = 'regions.create' AND actor_user_id = :id`,
    { replacements: { id: user.id }, type: QueryTypes.SELECT },
  );
  expect(row!.details).toMatchObject({ eidStepUpSkipped: true });
});

it('when staff without an admin role asks for an admin page then the policy answers 403, not the step-up', async () => {
  const place = await makeEstablishment(t.sequelize);
  const { user } = await makeUser(t.sequelize, { establishments: [place] });
  const agent = agentFor(t.app);
  await loginAndChoose(agent, user.username, TEST_PASSWORD, place.id);
  expect((await agent.get('/admin/users')).status).toBe(403);
});

it('when a classic-login auditor opens the audit area then the same step-up applies', async () => {
  const place = await makeEstablishment(t.sequelize);
  const auditor = await citizenUser(t, sandbox, names, {
    role: 'auditor',
    establishments: [place],
  });
  const agent = agentFor(t.app);
  await loginAndChoose(agent, auditor.user.username, TEST_PASSWORD, place.id);
  for (const path of ['/audit/logins', '/audit/eid-adoption'])
    expect((await agent.get(path)).headers.location).toBe(
      `/login/step-up?next=${encodeURIComponent(path)}`,
    );
  await verifyWithEid(agent, '/audit/logins', auditor.document);
  expect((await agent.get('/audit/logins')).status).toBe(200);
  expect((await agent.get('/audit/eid-adoption')).status).toBe(200);
});

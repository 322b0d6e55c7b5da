import { randomBytes } from 'node:crypto';
import type request from 'supertest';
import { QueryTypes } from 'sequelize';
import { buildTestApp, type TestApp } from '../support/test-app';
import { scratchDatabase } from '../support/scratch-database';
import { makeEstablishment, makeUser, TEST_PASSWORD } from '../support/factories';
import { agentFor, csrfOf, loginAndChoose, postLogin } from '../support/http';
import { signedIn, type SignedInUser } from '../support/sign-in';
import { disableInactiveAccounts } from '../../src/domain/users/inactivity';
import type { EstablishmentRecord } from '../../src/storage/establishments';

/**
 * Inactivity: an assignment not chosen at login for ASSIGNMENT_INACTIVE_PAUSE_AFTER_DAYS is
 * paused (never the one chosen last) until "Reactivar"; an account without a login for
 * ACCOUNT_INACTIVE_DISABLE_AFTER_DAYS is disabled by the daily run, audited as the system, shown
 * ahead on the list, and "Habilitar" gives it a fresh start.
 */
jest.setTimeout(60_000);

let t: TestApp;
let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
let admin: SignedInUser;
let a: EstablishmentRecord;
let b: EstablishmentRecord;
const tag = randomBytes(3).toString('hex');
const DAY_MINUTES = 24 * 60;

beforeAll(async () => {
  // The inactivity run acts on every account of its database: a database of this file's own.
  scratch = await scratchDatabase('inactivity');
  t = await buildTestApp({
    DATABASE_URL: scratch.url,
    ASSIGNMENT_INACTIVE_PAUSE_AFTER_DAYS: '90',
    ACCOUNT_INACTIVE_DISABLE_AFTER_DAYS: '180',
  });
  a = await makeEstablishment(t.sequelize, `Región Inactiva ${tag}`);
  b = await makeEstablishment(t.sequelize, `Región Inactiva ${tag}`);
});
afterAll(async () => {
  await t.close();
  await scratch.drop();
});

/** Fixtures are created at the database's now; the app runs on the test's clock: align them. */
async function atClockNow(userId: number) {
  const now = t.clock.now();
  await t.sequelize.query('UPDATE users SET created_at = :now WHERE id = :id', {
    replacements: { now, id: userId },
  });
  await t.sequelize.query(
    'UPDATE user_establishments SET last_chosen_at = :now WHERE user_id = :id',
    {
      replacements: { now, id: userId },
    },
  );
}

async function submit(agent: request.Agent, path: string, body: Record<string, unknown>) {
  const csrf = await csrfOf(agent, '/');
  return agent
    .post(path)
    .type('form')
    .send({ ...body, _csrf: csrf });
}

it('when an assignment is not chosen for 90 days then it is no longer offered, the one used last stays, and "Reactivar" offers it again', async () => {
  const { user, password } = await makeUser(t.sequelize, { establishments: [a, b] });
  await atClockNow(user.id);
  t.clock.advanceMinutes(60);
  await loginAndChoose(agentFor(t.app), user.username, password, b.id);
  t.clock.advanceMinutes(91 * DAY_MINUTES);
  admin = await signedIn(t, { role: 'admin', establishments: [a] });

  const login = agentFor(t.app);
  await postLogin(login, user.username, password);
  const step = await login.get('/login/establishment');
  expect(step.text).toContain(b.name);
  expect(step.text).not.toContain(a.name);

  const page = await admin.agent.get(`/admin/users/${user.id}`);
  expect(page.text).toMatch(/data-testid="paused">En pausa: sin elegir desde el \d\d\/\d\d\/\d{4}/);
  const resumed = await submit(admin.agent, `/admin/users/${user.id}/establishments/resume`, {
    establishmentId: a.id,
  });
  expect(resumed.status).toBe(303);
  const again = agentFor(t.app);
  await postLogin(again, user.username, password);
  expect((await again.get('/login/establishment')).text).toContain(a.name);
});

it('when an account has not logged in for 180 days then the daily run disables it as the system, the list warned 14 days ahead, and Habilitar restarts its clock', async () => {
  const { user } = await makeUser(t.sequelize, { establishments: [a], name: `Inactiva ${tag}` });
  await atClockNow(user.id);
  const run = () =>
    disableInactiveAccounts({
      repos: t.repos,
      clock: t.clock,
      sessions: t.sessionIndex,
      identities: t.identities,
      days: 180,
    });
  t.clock.advanceMinutes(170 * DAY_MINUTES);
  admin = await signedIn(t, { role: 'admin', establishments: [a] });
  const list = await admin.agent.get(`/admin/users?q=${encodeURIComponent(`Inactiva ${tag}`)}`);
  expect(list.text).toMatch(/data-testid="disable-on">Se deshabilitará el \d\d\/\d\d\/\d{4}/);
  expect((await run()).map((u) => u.id)).not.toContain(user.id);

  t.clock.advanceMinutes(11 * DAY_MINUTES);
  admin = await signedIn(t, { role: 'admin', establishments: [a] });
  expect((await run()).map((u) => u.id)).toContain(user.id);
  expect((await t.repos.users.findById(user.id))!.status).toBe('disabled');
  const [row] = await t.sequelize.query<{ actor_username: string; details: object }>(
    `SELECT actor_username, details FROM admin_events
      WHERE action = 'users.disableInactive' AND target_user_id = :id`,
    { replacements: { id: user.id }, type: QueryTypes.SELECT },
  );
  expect(row).toMatchObject({ actor_username: 'sistema', details: { inactiveDays: 180 } });
  expect((await postLogin(agentFor(t.app), user.username, TEST_PASSWORD)).status).toBe(401);

  await submit(admin.agent, `/admin/users/${user.id}/enable`, {});
  expect((await run()).map((u) => u.id)).not.toContain(user.id);
  expect((await t.repos.users.findById(user.id))!.status).toBe('active');
});

it('when the CLI is asked for a dry run then it lists and changes nothing', async () => {
  const { user } = await makeUser(t.sequelize, { establishments: [a] });
  await atClockNow(user.id);
  t.clock.advanceMinutes(181 * DAY_MINUTES);
  const listed = await disableInactiveAccounts(
    {
      repos: t.repos,
      clock: t.clock,
      sessions: t.sessionIndex,
      identities: t.identities,
      days: 180,
    },
    { dryRun: true },
  );
  expect(listed.map((u) => u.id)).toContain(user.id);
  expect((await t.repos.users.findById(user.id))!.status).toBe('active');
});

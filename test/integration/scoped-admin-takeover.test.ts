import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { QueryTypes } from 'sequelize';
import type request from 'supertest';
import { buildTestApp, type TestApp } from '../support/test-app';
import { makeEstablishment, makeUser, TEST_PASSWORD } from '../support/factories';
import { agentFor, csrfOf, loginAndChoose } from '../support/http';
import { signedIn } from '../support/sign-in';
import { runCli } from '../support/cli-process';
import type { EstablishmentRecord } from '../../src/storage/establishments';

/**
 * A regional admin cannot become a person who also works elsewhere, nor a peer. The outside
 * probe's scenario: the admin of Central reset the password of a nurse assigned to Capital and
 * Central, exempted her from the forced e-ID, logged in with the one-time password, chose the
 * Capital establishment and passed /auth/verify there as her; and reset a peer Central admin.
 * Every step after the first needs the first: it is refused, audited, and the page says who can.
 */
jest.setTimeout(60_000);

let t: TestApp;
let capital: EstablishmentRecord;
let central: EstablishmentRecord;
const tag = randomBytes(3).toString('hex');

beforeAll(async () => {
  t = await buildTestApp();
  capital = await makeEstablishment(t.sequelize, `Capital ${tag}`);
  central = await makeEstablishment(t.sequelize, `Central ${tag}`);
});
afterAll(() => t.close());

const centralAdmin = () =>
  signedIn(t, { role: 'admin', scope: `region:Central ${tag}`, establishments: [central] });

async function post(agent: request.Agent, path: string, body: Record<string, unknown> = {}) {
  const csrf = await csrfOf(agent, '/');
  return agent
    .post(path)
    .type('form')
    .send({ ...body, _csrf: csrf });
}

const deniedRows = (actorId: number, targetId: number) =>
  t.sequelize.query<{ action: string; outcome: string }>(
    `SELECT action, outcome FROM admin_events
      WHERE actor_user_id = :actorId AND target_user_id = :targetId ORDER BY id`,
    { replacements: { actorId, targetId }, type: QueryTypes.SELECT },
  );

describe('a regional admin and a person who also works in another región', () => {
  it('when the admin of Central resets the password of a nurse of Capital and Central then it is refused at that first step, audited, and her password still works', async () => {
    const admin = await centralAdmin();
    const { user: nurse } = await makeUser(t.sequelize, { establishments: [capital, central] });

    const reset = await post(admin.agent, `/admin/users/${nurse.id}/password`);
    expect(reset.status).toBe(403);
    expect(reset.text).not.toMatch(/[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}/);
    const exempt = await post(admin.agent, `/admin/users/${nurse.id}/exemption`, {
      reason: 'Sin teléfono inteligente',
      until: '2026-12-15',
    });
    expect(exempt.status).toBe(403);
    expect(await deniedRows(admin.user.id, nurse.id)).toEqual([
      { action: 'users.resetPassword', outcome: 'denied' },
      { action: 'users.exempt', outcome: 'denied' },
    ]);

    // Still herself: her own password works, in Capital.
    const own = agentFor(t.app);
    const login = await loginAndChoose(own, nurse.username, TEST_PASSWORD, capital.id);
    expect(login.headers.location).toBe('/');
  });

  it('when the admin of Central opens her page then it says who can change the rest, and offers Central only', async () => {
    const admin = await centralAdmin();
    const { user: nurse } = await makeUser(t.sequelize, { establishments: [capital, central] });
    const page = await admin.agent.get(`/admin/users/${nurse.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Esta persona también trabaja fuera de su alcance');
    expect(page.text).toContain(`Región Capital ${tag}`);
    expect(page.text).not.toContain('Restablecer contraseña</button>');
    // Her Central establishment is hers to remove.
    const removed = await post(admin.agent, `/admin/users/${nurse.id}/establishments/remove`, {
      establishmentId: central.id,
    });
    expect(removed.status).toBe(303);
  });

  it('when a network-wide admin resets her password then it is allowed (every place in scope)', async () => {
    const admin = await signedIn(t, { role: 'admin', establishments: [central] });
    const { user: nurse } = await makeUser(t.sequelize, { establishments: [capital, central] });
    const reset = await post(admin.agent, `/admin/users/${nurse.id}/password`);
    expect(reset.status).toBe(200);
  });
});

describe('peers', () => {
  it('when an admin of Central resets a peer admin of Central then refused; a network-wide admin may', async () => {
    const admin = await centralAdmin();
    const { user: peer } = await makeUser(t.sequelize, {
      role: 'admin',
      scope: `region:Central ${tag}`,
      establishments: [central],
    });
    expect((await post(admin.agent, `/admin/users/${peer.id}/password`)).status).toBe(403);
    expect((await post(admin.agent, `/admin/users/${peer.id}/disable`)).status).toBe(403);
    const page = await admin.agent.get(`/admin/users/${peer.id}`);
    expect(page.text).toContain('solo un administrador de alcance mayor puede cambiarla');

    const networkAdmin = await signedIn(t, { role: 'admin', establishments: [central] });
    expect((await post(networkAdmin.agent, `/admin/users/${peer.id}/password`)).status).toBe(200);
  });

  it('when a network-wide admin would reset another one then refused; the server operator (CLI) can', async () => {
    const admin = await signedIn(t, { role: 'admin', establishments: [central] });
    const { user: other } = await makeUser(t.sequelize, {
      role: 'admin',
      establishments: [central],
    });
    expect((await post(admin.agent, `/admin/users/${other.id}/password`)).status).toBe(403);
    expect((await admin.agent.get(`/admin/users/${other.id}`)).text).toContain(
      'se cambia solo desde la consola del servidor',
    );

    const res = runCli(['user:reset-password', '--username', other.username]);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    const otp = /: ([a-z2-9]{4}(?:-[a-z2-9]{4}){3})$/m.exec(res.stdout)?.[1];
    expect(otp).toBeDefined();
    const [row] = await t.sequelize.query<{ actor_username: string; outcome: string }>(
      `SELECT actor_username, outcome FROM admin_events
        WHERE action = 'users.resetPassword' AND target_user_id = :id ORDER BY id DESC LIMIT 1`,
      { replacements: { id: other.id }, type: QueryTypes.SELECT },
    );
    expect(row).toEqual({ actor_username: `cli:${os.userInfo().username}`, outcome: 'success' });
  });
});

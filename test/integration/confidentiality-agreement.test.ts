import { randomBytes } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import type request from 'supertest';
import { buildTestApp, type TestApp } from '../support/test-app';
import { scratchDatabase } from '../support/scratch-database';
import { makeEstablishment } from '../support/factories';
import { csrfOf } from '../support/http';
import { signedIn, type SignedInUser } from '../support/sign-in';
import type { EstablishmentRecord } from '../../src/storage/establishments';

/**
 * The confidentiality agreement (Ley 7593): published by a global admin, accepted by each person
 * before any page — at their first login and again for every new version, open sessions included —
 * the acceptance recorded (version, time, establishment, address), audited, and shown on the
 * user's page and in "Mis accesos". It acts on every account: a database of its own.
 */
jest.setTimeout(60_000);

let t: TestApp;
let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
let place: EstablishmentRecord;
let admin: SignedInUser;
let staff: SignedInUser;
const tag = randomBytes(3).toString('hex');
const BODY =
  'Me comprometo a guardar secreto sobre los datos de salud de las personas que atiendo.\n\n' +
  'Solo accederé a la información necesaria para mi trabajo y no la compartiré con terceros.';

beforeAll(async () => {
  scratch = await scratchDatabase('agreement');
  t = await buildTestApp({ DATABASE_URL: scratch.url });
  place = await makeEstablishment(t.sequelize, `Región Acuerdo ${tag}`);
  admin = await signedIn(t, { establishments: [place], role: 'admin' });
  staff = await signedIn(t, { establishments: [place] });
});
afterAll(async () => {
  await t.close();
  await scratch.drop();
});

const publish = async (agent: request.Agent, fields: Record<string, string>) =>
  agent
    .post('/admin/agreement')
    .type('form')
    .send({ _csrf: await csrfOf(agent, '/admin/agreement'), ...fields });
const accept = async (agent: request.Agent, version: number) =>
  agent
    .post('/me/agreement')
    .type('form')
    .send({ _csrf: await csrfOf(agent, '/me/agreement'), version: String(version) });
const acceptances = () =>
  t.sequelize.query<{ user_id: number; version: number; establishment_id: number; ip: string }>(
    'SELECT user_id, version, establishment_id, ip FROM agreement_acceptances ORDER BY version, user_id',
    { type: QueryTypes.SELECT },
  );

it('when no agreement was ever published then nobody is asked anything', async () => {
  expect((await staff.agent.get('/')).status).toBe(200);
  expect((await staff.agent.get('/me/agreement')).headers.location).toBe('/');
  const page = await admin.agent.get('/admin/agreement');
  expect(page.status).toBe(200);
  expect(page.text).toContain('Sin acuerdo publicado');
  expect(page.text).toContain('Publicar versión 1');
});

it('when a global admin publishes without confirming or with a short text then each field says why and nothing is published', async () => {
  const res = await publish(admin.agent, { title: 'Acuerdo', body: 'corto' });
  expect(res.status).toBe(400);
  expect(res.text).toContain('El texto del acuerdo es demasiado corto (al menos 100 caracteres).');
  expect(res.text).toContain('Marque la casilla: todas las personas deberán aceptar esta versión.');
  expect((await staff.agent.get('/')).status).toBe(200);
});

describe('version 1 published', () => {
  beforeAll(async () => {
    const res = await publish(admin.agent, {
      title: 'Acuerdo de confidencialidad 2027',
      body: BODY,
      confirmed: 'on',
    });
    expect(res.headers.location).toBe('/admin/agreement');
  });

  it('when a signed-in person opens any page then they are sent to the agreement first; other modules get 401', async () => {
    expect((await staff.agent.get('/')).headers.location).toBe('/me/agreement');
    expect((await staff.agent.get('/me/access')).headers.location).toBe('/me/agreement');
    expect((await admin.agent.get('/admin/users')).headers.location).toBe('/me/agreement');
    expect((await staff.agent.get('/auth/verify')).status).toBe(401);
    const page = await staff.agent.get('/me/agreement');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Acuerdo de confidencialidad 2027');
    expect(page.text).toContain('<p>Solo accederé a la información necesaria');
    expect(page.text).toContain('Disponibles después de aceptar el acuerdo de confidencialidad');
  });

  it('when the person accepts then every page opens, and the acceptance is recorded and audited with the establishment and address', async () => {
    const res = await accept(staff.agent, 1);
    expect(res.headers.location).toBe('/');
    expect((await staff.agent.get('/')).status).toBe(200);
    expect((await staff.agent.get('/auth/verify')).status).toBe(204);
    expect(await acceptances()).toEqual([
      expect.objectContaining({ user_id: staff.user.id, version: 1, establishment_id: place.id }),
    ]);
    const [event] = await t.sequelize.query<{
      actor_user_id: number;
      establishment_id: number;
      ip: string;
      details: Record<string, unknown>;
    }>(
      `SELECT actor_user_id, establishment_id, ip, details FROM admin_events
        WHERE action = 'me.acceptAgreement'`,
      { type: QueryTypes.SELECT },
    );
    expect(event).toMatchObject({
      actor_user_id: staff.user.id,
      establishment_id: place.id,
      details: { version: 1, title: 'Acuerdo de confidencialidad 2027' },
    });
    expect(event!.ip).toBeTruthy();
    const access = await staff.agent.get('/me/access');
    expect(access.text).toMatch(
      /data-testid="agreement-status">Aceptó la versión 1 el \d\d\/\d\d\/\d{4}/,
    );
    expect(access.text).toContain(`en ${place.name}`);
  });

  it("when an admin opens the user's page then it says who accepted and who is still pending", async () => {
    await accept(admin.agent, 1);
    const pending = await signedIn(t, { establishments: [place] });
    const mine = await admin.agent.get(`/admin/users/${staff.user.id}`);
    expect(mine.text).toMatch(/data-testid="agreement-status">Aceptó la versión 1 el/);
    const theirs = await admin.agent.get(`/admin/users/${pending.user.id}`);
    expect(theirs.text).toContain('Pendiente</span> todavía no aceptó la versión vigente (1).');
    const page = await admin.agent.get('/admin/agreement');
    expect(page.text).toMatch(/data-testid="accepted-count">2</);
    expect(page.text).toMatch(/data-testid="pending-count">\d+</);
  });

  it('when Redis loses the version in force then the next page reads it again, and no one skips it', async () => {
    const late = await signedIn(t, { establishments: [place] });
    await t.redis.del(`${t.config.redis.keyPrefix}agreement:current`);
    expect((await late.agent.get('/')).headers.location).toBe('/me/agreement');
    expect(await t.redis.get(`${t.config.redis.keyPrefix}agreement:current`)).toBe('1');
  });

  it('when a regional admin opens the agreement then they read it but cannot publish', async () => {
    const regional = await signedIn(t, {
      establishments: [place],
      role: 'admin',
      scope: `region:Región Acuerdo ${tag}`,
    });
    await accept(regional.agent, 1);
    const page = await regional.agent.get('/admin/agreement');
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('Publicar una versión nueva');
    const res = await regional.agent
      .post('/admin/agreement')
      .type('form')
      .send({ _csrf: await csrfOf(regional.agent, '/admin/agreement'), title: 'x', body: BODY });
    expect(res.status).toBe(403);
  });

  describe('version 2 published while people work', () => {
    beforeAll(async () => {
      const res = await publish(admin.agent, {
        title: 'Acuerdo de confidencialidad 2027 (revisado)',
        body: `${BODY}\n\nTambién cerraré mi sesión al dejar el equipo.`,
        confirmed: 'on',
      });
      expect(res.headers.location).toBe('/admin/agreement');
    });

    it('when someone who accepted version 1 sends that acceptance after version 2 is out then it is refused and they are shown version 2', async () => {
      const res = await accept(staff.agent, 1);
      expect(res.status).toBe(409);
      expect(res.text).toContain('Se publicó una versión nueva del acuerdo mientras lo leía.');
      expect(res.text).toContain('Versión 2');
      expect((await acceptances()).filter((a) => a.version === 2)).toEqual([]);
    });

    it('when their open session goes on then version 2 is asked before any page; accepting it opens them again', async () => {
      expect((await staff.agent.get('/')).headers.location).toBe('/me/agreement');
      expect((await accept(staff.agent, 2)).headers.location).toBe('/');
      expect((await staff.agent.get('/')).status).toBe(200);
      const access = await staff.agent.get('/me/access');
      expect(access.text).toMatch(/Aceptó la versión 2 el/);
    });

    it('when the admin page lists versions then the earlier one is kept, unchanged', async () => {
      await accept(admin.agent, 2);
      const page = await admin.agent.get('/admin/agreement');
      expect(page.text).toContain('Versión vigente: 2');
      expect(page.text).toContain('Versiones anteriores');
      expect(page.text).toContain('<td data-label="Título">Acuerdo de confidencialidad 2027</td>');
    });
  });
});

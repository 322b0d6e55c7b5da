import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { QueryTypes, type Sequelize } from 'sequelize';
import { verify } from '@node-rs/argon2';
import { buildTestApp, type TestApp } from '../support/test-app';
import { makeEstablishment, makeUser, TEST_PASSWORD, uniqueDocument } from '../support/factories';
import { agentFor, csrfFrom, loginAndChoose, postLogin } from '../support/http';
import { createRepositories } from '../../src/storage/repositories';
import { formatCedula } from '../../src/shared/cedula';
import type { EstablishmentRecord } from '../../src/storage/establishments';
import type { UserRecord } from '../../src/storage/users';

let t: TestApp;
const token = randomBytes(4).toString('hex');
const north = `Norte ${token}`;
const south = `Sur ${token}`;
let nX1: EstablishmentRecord, nX2: EstablishmentRecord, sY1: EstablishmentRecord;
let globalAdmin: UserRecord, regionAdmin: UserRecord, staff: UserRecord;

beforeAll(async () => {
  t = await buildTestApp();
  [nX1, nX2, sY1] = await Promise.all([
    makeEstablishment(t.sequelize, north),
    makeEstablishment(t.sequelize, north),
    makeEstablishment(t.sequelize, south),
  ]);
  globalAdmin = (await makeUser(t.sequelize, { establishments: [nX1], role: 'admin' })).user;
  regionAdmin = (
    await makeUser(t.sequelize, { establishments: [nX1], role: 'admin', scope: `region:${north}` })
  ).user;
  staff = (await makeUser(t.sequelize, { establishments: [nX1] })).user;
});
afterAll(() => t.close());

async function signedIn(app: TestApp['app'], user: UserRecord) {
  const agent = agentFor(app);
  const res = await loginAndChoose(agent, user.username, TEST_PASSWORD, nX1.id);
  expect(res.headers.location).toBe('/');
  return agent;
}

const newUsername = () => `n${randomBytes(4).toString('hex')}`;

/** A valid form for a new staff account with a one-time password; `fields` override it. */
const form = (fields: Record<string, string | string[]> = {}) => ({
  fullName: `Nueva Persona ${token}`,
  documentNumber: uniqueDocument(),
  username: newUsername(),
  email: '',
  establishmentIds: [String(nX1.id), String(nX2.id)],
  role: 'staff',
  roleScope: '',
  accountKind: 'password',
  ...fields,
});

async function submit(agent: request.Agent, fields: Record<string, string | string[]>) {
  const page = await agent.get('/admin/users/new');
  expect(page.status).toBe(200);
  return agent
    .post('/admin/users/new')
    .type('form')
    .send({ ...fields, _csrf: csrfFrom(page.text) });
}

const userRow = (sequelize: Sequelize, username: string) =>
  sequelize.query<{
    id: number;
    password_hash: string | null;
    must_change_password: boolean;
    document_number: string;
  }>(
    'SELECT id, password_hash, must_change_password, document_number FROM users WHERE username = :username',
    { replacements: { username }, type: QueryTypes.SELECT },
  );

const createEvents = (username: string) =>
  t.sequelize.query<{
    outcome: string;
    actor_user_id: number;
    target_user_id: number | null;
    details: Record<string, unknown>;
  }>(
    `SELECT outcome, actor_user_id, target_user_id, details FROM admin_events
      WHERE action = 'users.create' AND details->>'username' = :username ORDER BY id`,
    { replacements: { username }, type: QueryTypes.SELECT },
  );

const OTP = /data-testid="one-time-password">([a-z2-9]{4}(?:-[a-z2-9]{4}){3})</;

describe('creating a user with a one-time password', () => {
  let agent: request.Agent;
  let fields: ReturnType<typeof form>;
  let res: request.Response;
  let password: string;
  beforeAll(async () => {
    agent = await signedIn(t.app, globalAdmin);
    fields = form();
    res = await submit(agent, fields);
    password = OTP.exec(res.text)?.[1] ?? '';
  });

  it('when created then the page shows the password once, with the instructions, uncached and not redirected', () => {
    expect(res.status).toBe(200);
    expect(res.headers.location).toBeUndefined();
    expect(res.headers['cache-control']).toBe('no-store');
    expect(password).not.toBe('');
    expect(res.text.split(password)).toHaveLength(2);
    expect(res.text).toContain(
      'Entregue esta contraseña a la persona; deberá cambiarla al iniciar sesión. No se volverá a mostrar.',
    );
    expect(res.text).toContain('href="/admin/users"');
  });

  it('when created then the row holds an argon2id hash of it and must change it; the grant and places are set', async () => {
    const [row] = await userRow(t.sequelize, fields.username);
    expect(row!.must_change_password).toBe(true);
    expect(row!.password_hash).toMatch(/^\$argon2id\$/);
    expect(await verify(row!.password_hash!, password)).toBe(true);
    expect(res.text).toContain(`href="/admin/users/${row!.id}"`);
    const grants = await t.repos.users.grants(row!.id);
    expect(grants.map((g) => [g.role, g.regionId, g.establishmentId])).toEqual([
      ['staff', null, null],
    ]);
    expect((await t.repos.users.assignedEstablishmentIds(row!.id)).sort()).toEqual(
      [nX1.id, nX2.id].sort(),
    );
  });

  it('when created then one users.create success row records the account and never the password', async () => {
    const [row] = await userRow(t.sequelize, fields.username);
    const events = await createEvents(fields.username);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      outcome: 'success',
      actor_user_id: globalAdmin.id,
      target_user_id: row!.id,
      details: {
        username: fields.username,
        documentNumber: row!.document_number,
        role: 'staff',
        accountKind: 'password',
        establishments: expect.arrayContaining([{ id: nX1.id, code: nX1.code }]),
      },
    });
    const stored = JSON.stringify(events[0]!.details);
    expect(stored).not.toContain(password);
    expect(stored).not.toContain('argon2');
  });

  it('when created then the password is in no Redis key (sessions, caches) of the app', async () => {
    let found = 0;
    for await (const keys of t.redis.scanIterator({ MATCH: `${t.config.redis.keyPrefix}*` })) {
      for (const key of keys) {
        if ((await t.redis.type(key)) !== 'string') continue;
        if ((await t.redis.get(key))?.includes(password)) found++;
      }
    }
    expect(found).toBe(0);
  });

  it('when the new person logs in with it then they are sent to change it', async () => {
    const person = agentFor(t.app);
    const done = await loginAndChoose(person, fields.username, password, nX1.id);
    expect(done.headers.location).toBe('/');
    const home = await person.get('/');
    expect(home.status).toBe(303);
    expect(home.headers.location).toBe('/me/password');
  });
});

describe('creating a user: other kinds and refusals', () => {
  it('when the account is e-ID only then no password exists and none is shown', async () => {
    const agent = await signedIn(t.app, globalAdmin);
    const fields = form({ accountKind: 'eid' });
    const res = await submit(agent, fields);
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('data-testid="one-time-password"');
    expect(res.text).toContain('Ingresar con Identidad Electrónica');
    const [row] = await userRow(t.sequelize, fields.username);
    expect(row!.password_hash).toBeNull();
    expect(row!.must_change_password).toBe(false);
    expect((await postLogin(agentFor(t.app), fields.username, TEST_PASSWORD)).status).toBe(401);
  });

  it('when the username and the cédula are taken then each field says so and the typed values stay', async () => {
    const agent = await signedIn(t.app, globalAdmin);
    const fields = form({
      username: staff.username,
      documentNumber: formatCedula(staff.documentNumber),
      fullName: `Repetida ${token}`,
    });
    const res = await submit(agent, fields);
    expect(res.status).toBe(400);
    expect(res.text).toContain('Ese nombre de usuario ya está en uso. Elija otro.');
    expect(res.text).toContain('Ya existe un usuario con esa cédula.');
    expect(res.text).toContain(`value="Repetida ${token}"`);
    expect(res.text).toContain(`value="${formatCedula(staff.documentNumber)}"`);
    expect(res.text).toMatch(new RegExp(`name="establishmentIds" value="${nX2.id}" checked>`));
    expect(res.text).toMatch(/id="username"[^>]*aria-invalid="true"/);
    expect(await createEvents(staff.username)).toEqual([]);
  });

  it('when required fields are missing or wrong then each gets its Spanish message', async () => {
    const agent = await signedIn(t.app, globalAdmin);
    const res = await submit(
      agent,
      form({
        fullName: '',
        documentNumber: 'abc',
        username: 'X',
        establishmentIds: [],
        role: 'admin',
      }),
    );
    expect(res.status).toBe(400);
    for (const message of [
      'Escriba el nombre completo.',
      'Cédula inválida',
      'Use de 3 a 50 letras minúsculas',
      'Seleccione al menos un establecimiento.',
      'Elija dónde se aplica el rol de Administrador o Auditor.',
    ])
      expect(res.text).toContain(message);
  });

  it('when a regional admin opens the form then only their región is offered, and no network-wide role', async () => {
    const agent = await signedIn(t.app, regionAdmin);
    const res = await agent.get('/admin/users/new');
    expect(res.text).toContain(nX2.name);
    expect(res.text).not.toContain(sY1.name);
    expect(res.text).not.toContain('value="global"');
    expect(res.text).toContain(`value="region:${nX1.regionId}"`);
    expect(res.text).not.toContain(`value="region:${sY1.regionId}"`);
  });

  it('when a regional admin creates an admin of their región then it is created with that scope', async () => {
    const agent = await signedIn(t.app, regionAdmin);
    const fields = form({ role: 'admin', roleScope: `region:${nX1.regionId}` });
    expect((await submit(agent, fields)).status).toBe(200);
    const [row] = await userRow(t.sequelize, fields.username);
    const grants = await t.repos.users.grants(row!.id);
    expect(grants.map((g) => [g.role, g.regionId])).toEqual([['admin', nX1.regionId]]);
  });

  // Functions: the establishments exist only once beforeAll has run.
  it.each([
    ['places the user in another región', () => ({ establishmentIds: [String(sY1.id)] })],
    ['grants a network-wide role', () => ({ role: 'admin', roleScope: 'global' })],
    [
      'grants a role in another región',
      () => ({ role: 'auditor', roleScope: `region:${sY1.regionId}` }),
    ],
  ])(
    'when a regional admin %s then 403, a denied row, and nothing created',
    async (_what, extra) => {
      const agent = await signedIn(t.app, regionAdmin);
      const fields = form({ establishmentIds: [String(nX1.id)], ...extra() });
      const res = await submit(agent, fields);
      expect(res.status).toBe(403);
      expect(await t.repos.users.findByUsername(fields.username)).toBeNull();
      const events = await createEvents(fields.username);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        outcome: 'denied',
        actor_user_id: regionAdmin.id,
        target_user_id: null,
      });
    },
  );

  it('when staff posts the form then 403 and the refusal is audited', async () => {
    const agent = await signedIn(t.app, staff);
    expect((await agent.get('/admin/users/new')).status).toBe(403);
    const page = await agent.get('/');
    const res = await agent
      .post('/admin/users/new')
      .type('form')
      .send({ ...form(), _csrf: csrfFrom(page.text) });
    expect(res.status).toBe(403);
    const [row] = await t.sequelize.query<{ n: string }>(
      `SELECT count(*) AS n FROM admin_events WHERE action = 'users.create' AND outcome = 'denied'
        AND actor_user_id = :id AND target_id = 'POST /admin/users/new'`,
      { replacements: { id: staff.id }, type: QueryTypes.SELECT },
    );
    expect(Number(row!.n)).toBe(1);
  });
});

describe('creating a user: one transaction', () => {
  it('when the audit row cannot be written then the account is not created either', async () => {
    const failing = await buildTestApp(
      {},
      {
        repos: (sequelize) => {
          const repos = createRepositories(sequelize);
          return {
            ...repos,
            adminEvents: {
              ...repos.adminEvents,
              append: async (event, tx) => {
                if (event.action === 'users.create' && event.outcome === 'success')
                  throw new Error('audit write failed');
                return repos.adminEvents.append(event, tx);
              },
            },
          };
        },
      },
    );
    try {
      const agent = await signedIn(failing.app, globalAdmin);
      const fields = form();
      const res = await submit(agent, fields);
      expect(res.status).toBe(500);
      expect(res.text).not.toMatch(OTP);
      expect(await t.repos.users.findByUsername(fields.username)).toBeNull();
    } finally {
      await failing.close();
    }
  });
});

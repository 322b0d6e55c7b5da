import { randomBytes } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import type request from 'supertest';
import { buildTestApp, type TestApp } from '../support/test-app';
import { makeEstablishment, makeUser } from '../support/factories';
import { csrfOf } from '../support/http';
import { signedIn, type SignedInUser } from '../support/sign-in';
import { planEstablishmentImport } from '../../src/domain/establishments/import-plan';
import type { EstablishmentRecord } from '../../src/storage/establishments';

/**
 * The outside probe's input findings: ids above PostgreSQL's integer, text PostgreSQL cannot
 * store (NUL) or that is not text (invalid UTF-8), malformed cédulas, import fields longer than
 * the forms accept, and ids that told whether someone exists outside the admin's scope.
 */
jest.setTimeout(60_000);

let t: TestApp;
let admin: SignedInUser;
let auditor: SignedInUser;
let home: EstablishmentRecord;
const tag = randomBytes(3).toString('hex');
const TOO_BIG = '2147483648';

beforeAll(async () => {
  t = await buildTestApp();
  home = await makeEstablishment(t.sequelize, `Región Entradas ${tag}`);
  admin = await signedIn(t, { role: 'admin', establishments: [home] });
  auditor = await signedIn(t, { role: 'auditor', establishments: [home] });
});
afterAll(() => t.close());

async function post(agent: request.Agent, path: string, body: Record<string, unknown>) {
  const csrf = await csrfOf(agent, '/');
  return agent
    .post(path)
    .type('form')
    .send({ ...body, _csrf: csrf });
}

describe('ids above PostgreSQL integer', () => {
  const filters: [string, () => request.Agent][] = [
    [`/admin/users?establishment=${TOO_BIG}`, () => admin.agent],
    [`/admin/users?region=${TOO_BIG}`, () => admin.agent],
    ...['/audit/logins', '/audit/logins.csv', '/audit/admin-events', '/audit/admin-events.csv']
      .flatMap((path) =>
        ['establishment', 'region', 'userId'].map((p) => `${path}?${p}=${TOO_BIG}`),
      )
      .map((path): [string, () => request.Agent] => [path, () => auditor.agent]),
    [`/audit/eid-adoption?region=${TOO_BIG}`, () => auditor.agent],
  ];

  it.each(filters)(
    'when %s is asked then 400 with the message by the filter, never 500',
    async (path, as) => {
      const res = await as().get(path);
      expect(res.status).toBe(400);
      expect(res.text).not.toContain('Ocurrió un error inesperado');
    },
  );

  it.each([
    `/admin/users/${TOO_BIG}`,
    `/admin/establishments/${TOO_BIG}`,
    `/admin/regions/${TOO_BIG}`,
    '/admin/users/99999999999',
  ])('when %s is opened then 404 like any unknown id', async (path) => {
    expect((await admin.agent.get(path)).status).toBe(404);
  });

  it('when a form sends an id above integer then 400 by its field, nothing written', async () => {
    const { user } = await makeUser(t.sequelize, { establishments: [home] });
    const add = await post(admin.agent, `/admin/users/${user.id}/establishments`, {
      establishmentId: TOO_BIG,
    });
    expect(add.status).toBe(400);
    const create = await post(admin.agent, '/admin/users/new', {
      fullName: 'Persona Grande',
      documentNumber: '4.444.555',
      username: `grande${tag}`,
      establishmentIds: TOO_BIG,
      role: 'staff',
      accountKind: 'eid',
    });
    expect(create.status).toBe(400);
  });
});

describe('text no person types: NUL and invalid UTF-8', () => {
  it.each([
    ['a NUL', 'Ana\u0000María'],
    ['invalid UTF-8 (decoded as U+FFFD)', 'Ana\uFFFDMaría'],
  ])(
    'when a profile name holds %s then 400 beside the field and the name is unchanged',
    async (_what, name) => {
      const { user } = await makeUser(t.sequelize, {
        establishments: [home],
        name: 'Ana Original',
      });
      const res = await post(admin.agent, `/admin/users/${user.id}/profile`, {
        version: user.version,
        fullName: name,
        documentNumber: user.documentNumber,
        email: '',
      });
      expect(res.status).toBe(400);
      expect(res.text).toContain('caracteres no válidos');
      const [row] = await t.sequelize.query<{ full_name: string }>(
        'SELECT full_name FROM users WHERE id = :id',
        { replacements: { id: user.id }, type: QueryTypes.SELECT },
      );
      expect(row!.full_name).toBe('Ana Original');
    },
  );

  it('when the bytes of a form are not UTF-8 then the field is refused, not stored mended', async () => {
    const csrf = await csrfOf(admin.agent, '/');
    const res = await admin.agent
      .post('/admin/regions')
      .type('form')
      .send(`name=Regi%F3n%20Latin1&_csrf=${encodeURIComponent(csrf)}`);
    expect(res.status).toBe(400);
    expect(res.text).toContain('caracteres no válidos');
  });

  it('when a search or a filter holds a NUL then 400, never 500', async () => {
    expect((await admin.agent.get('/admin/users?q=ana%00')).status).toBeLessThan(500);
    expect((await auditor.agent.get('/audit/logins?user=ana%00')).status).toBe(400);
  });
});

describe('cédulas: one parser', () => {
  it.each(['-7800006', '7800005.', '0007800003', '12.34.567'])(
    'when an account is created with the cédula %j then 400 beside the field',
    async (cedula) => {
      const res = await post(admin.agent, '/admin/users/new', {
        fullName: 'Persona Cédula',
        documentNumber: cedula,
        username: `ced${randomBytes(3).toString('hex')}`,
        establishmentIds: String(home.id),
        role: 'staff',
        accountKind: 'eid',
      });
      expect(res.status).toBe(400);
      expect(res.text).toContain('Cédula inválida');
    },
  );

  it('when created with full-width digits then stored as digits; a search with a leading zero finds it', async () => {
    const digits = String(5_000_000 + Math.floor(Math.random() * 3_000_000));
    const fullWidth = [...digits].map((d) => String.fromCharCode(0xff10 + Number(d))).join('');
    const username = `anch${randomBytes(3).toString('hex')}`;
    const res = await post(admin.agent, '/admin/users/new', {
      fullName: 'Persona Ancha',
      documentNumber: fullWidth,
      username,
      establishmentIds: String(home.id),
      role: 'staff',
      accountKind: 'eid',
    });
    expect(res.status).toBe(200);
    const [row] = await t.sequelize.query<{ document_number: string }>(
      'SELECT document_number FROM users WHERE username = :username',
      { replacements: { username }, type: QueryTypes.SELECT },
    );
    expect(row!.document_number).toBe(digits);
    const found = await admin.agent.get(`/admin/users?q=0${digits}`);
    expect(found.text).toContain(username);
  });
});

describe('the establishments import takes what the forms take', () => {
  it('when a name or a región is longer than the forms allow then the line is refused', () => {
    const plan = planEstablishmentImport(
      [
        'codigo;nombre;region',
        `LARGO-1;${'H'.repeat(50_009)};Central`,
        `LARGO-2;Hospital Dos;${'R'.repeat(5_007)}`,
        'NUL-3;Hospital\u0000Tres;Central',
      ].join('\n'),
      [],
    );
    expect(plan.errors.map((e) => e.line)).toEqual([4]);
    const longer = planEstablishmentImport(
      [
        'codigo;nombre;region',
        `LARGO-1;${'H'.repeat(50_009)};Central`,
        `LARGO-2;Hospital Dos;${'R'.repeat(5_007)}`,
      ].join('\n'),
      [],
    );
    expect(longer.errors).toEqual([
      {
        line: 2,
        message: 'El nombre del establecimiento LARGO-1 tiene 50009 caracteres; el máximo es 200.',
      },
      {
        line: 3,
        message: 'La región del establecimiento LARGO-2 tiene 5007 caracteres; el máximo es 100.',
      },
    ]);
    expect(longer.rows).toEqual([]);
  });
});

describe('no existence oracle for a scoped admin', () => {
  it('when a regional admin creates an account with a username or cédula of someone in another región then the answer names no one, and the attempt is audited', async () => {
    const other = await makeEstablishment(t.sequelize, `Región Otra ${tag}`);
    const { user: elsewhere } = await makeUser(t.sequelize, { establishments: [other] });
    const regional = await signedIn(t, {
      role: 'admin',
      scope: `region:Región Entradas ${tag}`,
      establishments: [home],
    });
    const res = await post(regional.agent, '/admin/users/new', {
      fullName: 'Persona Repetida',
      documentNumber: elsewhere.documentNumber,
      username: elsewhere.username,
      establishmentIds: String(home.id),
      role: 'staff',
      accountKind: 'eid',
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain('No se puede usar ese dato; consulte a un administrador de la red.');
    expect(res.text).not.toContain('ya está en uso');
    const [row] = await t.sequelize.query<{
      outcome: string;
      details: Record<string, unknown>;
      region_ids: number[];
    }>(
      `SELECT outcome, details, region_ids FROM admin_events
        WHERE action = 'users.create' AND actor_user_id = :id ORDER BY id DESC LIMIT 1`,
      { replacements: { id: regional.user.id }, type: QueryTypes.SELECT },
    );
    expect(row).toMatchObject({
      outcome: 'denied',
      details: { refused: 'taken_outside_scope', fields: ['username', 'documentNumber'] },
      region_ids: [home.regionId],
    });
  });
});

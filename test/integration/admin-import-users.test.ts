import { randomBytes } from 'node:crypto';
import type request from 'supertest';
import { QueryTypes } from 'sequelize';
import { verify } from '@node-rs/argon2';
import { buildTestApp, type TestApp } from '../support/test-app';
import { makeEstablishment, makeUser, TEST_PASSWORD, uniqueDocument } from '../support/factories';
import { agentFor, csrfOf, loginAndChoose, postLogin } from '../support/http';
import type { EstablishmentRecord } from '../../src/storage/establishments';
import type { UserRecord } from '../../src/storage/users';

/**
 * /admin/users/import: the list Human Resources sends, previewed by line and applied all or
 * nothing, matched by cédula (the same file twice changes nothing), inside the importer's scope,
 * e-ID-only unless one-time passwords are asked for (shown once), one admin_events row per account
 * plus one for the file.
 */
jest.setTimeout(120_000);

let t: TestApp;
/** Letters only: proposed usernames keep letters of the name and drop digits. */
const letters = (n = 8) =>
  [...randomBytes(n)].map((b) => String.fromCharCode(97 + (b % 26))).join('');
const north = `Norte ${letters()}`;
const south = `Sur ${letters()}`;
let n1: EstablishmentRecord, n2: EstablishmentRecord, s1: EstablishmentRecord;
let regionAdmin: UserRecord, otherAdmin: UserRecord;

beforeAll(async () => {
  t = await buildTestApp();
  [n1, n2, s1] = await Promise.all([
    makeEstablishment(t.sequelize, north),
    makeEstablishment(t.sequelize, north),
    makeEstablishment(t.sequelize, south),
  ]);
  regionAdmin = (
    await makeUser(t.sequelize, { establishments: [n1], role: 'admin', scope: `region:${north}` })
  ).user;
  otherAdmin = (
    await makeUser(t.sequelize, { establishments: [n1], role: 'admin', scope: `region:${north}` })
  ).user;
});
afterAll(() => t.close());

async function signedIn(user: UserRecord) {
  const agent = agentFor(t.app);
  expect((await loginAndChoose(agent, user.username, TEST_PASSWORD, n1.id)).status).toBe(303);
  return agent;
}

const upload = async (agent: request.Agent, csv: string, fileName = 'residentes.csv') =>
  agent
    .post('/admin/users/import/preview')
    .field('_csrf', await csrfOf(agent, '/admin/users/import'))
    .attach('file', Buffer.from(csv, 'utf8'), fileName);
const draftIdOf = (html: string) => /name="draftId" value="([^"]+)"/.exec(html)?.[1];
const apply = async (agent: request.Agent, draftId: string | undefined, otp = false) =>
  agent
    .post('/admin/users/import/apply')
    .type('form')
    .send({
      draftId,
      _csrf: await csrfOf(agent, '/admin/users/import'),
      ...(otp ? { oneTimePasswords: 'on' } : {}),
    });
const count = (html: string, what: string) =>
  Number(new RegExp(`data-testid="count-${what}">([\\d.]+)<`).exec(html)?.[1]?.replace('.', ''));

const HEADER = 'cedula;nombre;usuario;email;establecimientos;rol;valida_hasta';
const usersByCedula = (cedulas: string[]) =>
  t.sequelize.query<{
    id: number;
    username: string;
    full_name: string;
    password_hash: string | null;
    must_change_password: boolean;
    valid_until: Date | null;
    establishment_ids: number[];
  }>(
    `SELECT id, username, full_name, password_hash, must_change_password, valid_until,
            establishment_ids FROM users WHERE document_number IN (:cedulas) ORDER BY document_number`,
    { replacements: { cedulas }, type: QueryTypes.SELECT },
  );
const eventsNaming = (fileName: string) =>
  t.sequelize.query<{
    action: string;
    actor_user_id: number;
    target_user_id: number | null;
    details: Record<string, unknown>;
    region_ids: number[];
  }>(
    `SELECT action, actor_user_id, target_user_id, details, region_ids FROM admin_events
      WHERE details->>'fileName' = :fileName ORDER BY id`,
    { replacements: { fileName }, type: QueryTypes.SELECT },
  );

describe('a regional admin onboards 300 residents', () => {
  const fileName = `residentes-${letters()}.csv`;
  const people = Array.from({ length: 300 }, () => ({
    cedula: uniqueDocument(),
    name: `Residente ${letters(6)} ${letters(10)}`,
  }));
  let csv: string;
  let agent: request.Agent;
  let preview: request.Response;
  let done: request.Response;
  let passwords: string[];

  beforeAll(async () => {
    csv = [
      HEADER,
      ...people.map(
        (p, i) =>
          `${p.cedula};${p.name};;;${i % 2 ? `${n1.code},${n2.code}` : n1.code};;28/02/2027`,
      ),
    ].join('\r\n');
    agent = await signedIn(regionAdmin);
    preview = await upload(agent, csv, fileName);
    done = await apply(agent, draftIdOf(preview.text), true);
    passwords = [...done.text.matchAll(/data-testid="one-time-password">([a-z2-9-]+)</g)].map(
      (m) => m[1]!,
    );
  });

  it('when previewed then every line is planned as a new account, with its proposed username', () => {
    expect(preview.status).toBe(200);
    expect(count(preview.text, 'create')).toBe(300);
    expect(count(preview.text, 'errors')).toBe(0);
    expect(preview.text).toContain('Importar 300 cambios<');
    expect(preview.text).toContain(`data-cedula="${people[0]!.cedula}" data-action="create"`);
    expect(preview.text).toContain('válida hasta el 28/02/2027');
    expect(preview.text).toContain('>propuesto</span>');
  });

  it('when applied with one-time passwords then the answer lists each account with its password, once, uncached', async () => {
    expect(done.status).toBe(200);
    expect(done.headers['cache-control']).toBe('no-store');
    expect(done.text).toContain('Importación aplicada');
    expect(done.text).toContain('300 cuentas nuevas, 0 actualizadas');
    expect(passwords).toHaveLength(300);
    expect(new Set(passwords).size).toBe(300);
    const rows = await usersByCedula(people.map((p) => p.cedula));
    expect(rows).toHaveLength(300);
    for (const row of rows) {
      expect(row.must_change_password).toBe(true);
      expect(row.password_hash).toMatch(/^\$argon2id\$/);
      expect(row.valid_until).not.toBeNull();
    }
    // The page's order is the file's: the first person's password opens their account.
    const first = rows.find((r) => r.full_name === people[0]!.name)!;
    expect(done.text).toContain(`data-username="${first.username}"`);
    expect(await verify(first.password_hash!, passwords[0]!)).toBe(true);
    expect(first.establishment_ids).toEqual([n1.id]);
    const second = rows.find((r) => r.full_name === people[1]!.name)!;
    expect([...second.establishment_ids].sort()).toEqual([n1.id, n2.id].sort());
    // A person logs in with it and must change it first.
    const login = await postLogin(agentFor(t.app), first.username, passwords[0]!);
    expect(login.status).toBe(303);
  });

  it('when applied then each account has its users.create row naming the file, plus one users.import row, never a password', async () => {
    const events = await eventsNaming(fileName);
    const creates = events.filter((e) => e.action === 'users.create');
    expect(creates).toHaveLength(300);
    expect(creates.every((e) => e.actor_user_id === regionAdmin.id)).toBe(true);
    expect(creates[0]!.details).toMatchObject({
      documentNumber: people[0]!.cedula,
      fullName: people[0]!.name,
      accountKind: 'password',
      validUntil: '2027-02-28',
      fileName,
    });
    const imports = events.filter((e) => e.action === 'users.import');
    expect(imports).toHaveLength(1);
    expect(imports[0]!.details).toMatchObject({
      fileName,
      counts: { create: 300, update: 0, unchanged: 0 },
    });
    expect(imports[0]!.details.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(imports[0]!.region_ids).toEqual([n1.regionId]);
    const stored = JSON.stringify(events);
    expect(passwords.filter((p) => stored.includes(p))).toEqual([]);
  });

  it('when the same file is uploaded again then nothing changes and there is nothing to apply', async () => {
    const again = await upload(agent, csv, fileName);
    expect(again.status).toBe(200);
    expect(count(again.text, 'unchanged')).toBe(300);
    expect(again.text).toContain('data-testid="import-unchanged"');
    expect(draftIdOf(again.text)).toBeUndefined();
  });
});

describe('an updated file', () => {
  it('when a known cédula comes with a new name, place and date then that account is updated, by cédula, and audited as users.update', async () => {
    const agent = await signedIn(regionAdmin);
    const cedula = uniqueDocument();
    const surname = letters(10);
    const first = `${HEADER}\r\n${cedula};Ana ${surname};;;${n1.code};;\r\n`;
    const fileName = `alta-${letters()}.csv`;
    const made = await apply(agent, draftIdOf((await upload(agent, first, fileName)).text));
    expect(made.status).toBe(200);
    expect(made.text).toContain('no tienen contraseña del HIS');
    const [before] = await usersByCedula([cedula]);
    expect(before!.password_hash).toBeNull();
    expect(before!.username).toBe(`a${surname}`);

    const second = `${HEADER}\r\n${cedula};Ana María ${surname};;ana@ejemplo.gov.py;${n2.code};;31/03/2027\r\n`;
    const update = await upload(agent, second, `cambios-${fileName}`);
    expect(update.status).toBe(200);
    expect(count(update.text, 'update')).toBe(1);
    expect(update.text).toContain(`se asigna ${n2.code}`);
    expect((await apply(agent, draftIdOf(update.text))).status).toBe(200);
    const [after] = await usersByCedula([cedula]);
    expect(after!.id).toBe(before!.id);
    expect(after!.full_name).toBe(`Ana María ${surname}`);
    expect([...after!.establishment_ids].sort()).toEqual([n1.id, n2.id].sort());
    expect(after!.valid_until).not.toBeNull();
    const [row] = (await eventsNaming(`cambios-${fileName}`)).filter(
      (e) => e.action === 'users.update',
    );
    expect(row!.target_user_id).toBe(before!.id);
    expect(row!.details.changes).toEqual(
      expect.arrayContaining([
        `se asigna ${n2.code}`,
        'válida hasta: sin vencimiento → 2027-03-31',
      ]),
    );
  });
});

describe('refusals', () => {
  it('when lines are wrong then each is reported by line with its reason, and nothing can be applied', async () => {
    const agent = await signedIn(regionAdmin);
    const outsider = (await makeUser(t.sequelize, { establishments: [s1] })).user;
    const repeated = uniqueDocument();
    const ok = uniqueDocument();
    const csv = [
      HEADER,
      `${ok};Persona Correcta;;;${n1.code};;`,
      `${uniqueDocument()};Fuera De Alcance;;;${s1.code};;`,
      `${uniqueDocument()};Codigo Desconocido;;;NO-EXISTE;;`,
      `12;Cedula Corta;;;${n1.code};;`,
      `${repeated};Primera Vez;;;${n1.code};;`,
      `${repeated};Segunda Vez;;;${n1.code};;`,
      `${uniqueDocument()};Fecha Mala;;;${n1.code};;31/02/2027`,
      `${uniqueDocument()};Fecha Pasada;;;${n1.code};;01/01/2020`,
      `${uniqueDocument()};Rol Raro;;;${n1.code};jefe;`,
      `${outsider.documentNumber};Cuenta Ajena;;;${n1.code};;`,
      `${uniqueDocument()};Usuario Usado;${regionAdmin.username};;${n1.code};;`,
    ].join('\n');
    const res = await upload(agent, csv);
    expect(res.status).toBe(400);
    expect(count(res.text, 'errors')).toBe(9);
    const at = (line: number) =>
      new RegExp(
        `data-line="${line}"><td data-label="Línea">${line}</td><td data-label="Problema">([^<]+)<`,
      ).exec(res.text)?.[1];
    expect(at(3)).toBe(`El establecimiento ${s1.code} está fuera de su alcance.`);
    expect(at(4)).toBe('Establecimiento desconocido: NO-EXISTE.');
    expect(at(5)).toMatch(/cédula/i);
    expect(at(7)).toBe(`La cédula ${repeated} está repetida: ya aparece en la línea 6.`);
    expect(at(8)).toBe('Fecha inválida &#34;31/02/2027&#34;: use dd/mm/aaaa.');
    expect(at(9)).toBe('La fecha 01/01/2020 ya pasó: debe ser posterior a hoy.');
    expect(at(10)).toBe('Rol desconocido &#34;jefe&#34;: use personal, administrador o auditor.');
    expect(at(11)).toBe('No se puede usar esa cédula; consulte a un administrador de la red.');
    expect(at(12)).toBe(`El usuario ${regionAdmin.username} ya está en uso.`);
    expect(draftIdOf(res.text)).toBeUndefined();
    expect(res.text).toContain('No se importará nada');
    expect(await usersByCedula([ok])).toEqual([]);
  });

  it('when the header lacks a required column then the file is refused at line 1', async () => {
    const agent = await signedIn(regionAdmin);
    const res = await upload(agent, `cedula;usuario\n${uniqueDocument()};x\n`);
    expect(res.status).toBe(400);
    expect(res.text).toContain(
      'Faltan las columnas &#34;nombre&#34;, &#34;establecimientos&#34; en el encabezado.',
    );
  });

  it('when no file is chosen then the form says so', async () => {
    const agent = await signedIn(regionAdmin);
    const res = await agent
      .post('/admin/users/import/preview')
      .field('_csrf', await csrfOf(agent, '/admin/users/import'));
    expect(res.status).toBe(400);
    expect(res.text).toContain('Seleccione el archivo CSV con la lista del personal.');
  });

  it("when another admin posts someone else's preview then it is not theirs to apply, and nothing is written", async () => {
    const owner = await signedIn(regionAdmin);
    const cedula = uniqueDocument();
    const preview = await upload(owner, `${HEADER}\n${cedula};Persona Ajena;;;${n1.code};;\n`);
    const other = await signedIn(otherAdmin);
    const res = await apply(other, draftIdOf(preview.text));
    expect(res.status).toBe(410);
    expect(res.text).toContain('La vista previa ya no está disponible');
    expect(await usersByCedula([cedula])).toEqual([]);
  });

  it('when staff open the import then they are refused', async () => {
    const staff = (await makeUser(t.sequelize, { establishments: [n1] })).user;
    const agent = await signedIn(staff);
    expect((await agent.get('/admin/users/import')).status).toBe(403);
  });
});

it('when the template is downloaded then it has the columns the import reads, ready for Excel', async () => {
  const agent = await signedIn(regionAdmin);
  const res = await agent.get('/admin/users/import/plantilla.csv');
  expect(res.status).toBe(200);
  expect(res.headers['content-disposition']).toContain('plantilla-personal.csv');
  expect(
    res.text.startsWith('\uFEFFcedula;nombre;usuario;email;establecimientos;rol;valida_hasta'),
  ).toBe(true);
});

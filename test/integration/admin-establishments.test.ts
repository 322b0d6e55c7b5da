import { createHash, randomBytes } from 'node:crypto';
import type request from 'supertest';
import { QueryTypes } from 'sequelize';
import { buildTestApp, type TestApp } from '../support/test-app';
import { makeEstablishment, makeUser, TEST_PASSWORD } from '../support/factories';
import { agentFor, csrfOf, loginAndChoose, postLogin } from '../support/http';
import { signedIn } from '../support/sign-in';
import type { EstablishmentRecord } from '../../src/storage/establishments';
import { importEstablishments } from '../../src/domain/establishments/commands/import-establishments';
import { ValidationError } from '../../src/shared/validation';
import { ANONYMOUS } from '../../src/access/actor';
import { createRepositories } from '../../src/storage/repositories';

/**
 * /admin/establishments: list and search, add, edit, deactivate (sessions in it end), and the CSV
 * import from the browser (preview, errors by line, all or nothing, idempotent, update by code).
 * Every test makes its own regiones and codes: other files share the database.
 */
let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

const hex = () => randomBytes(4).toString('hex');
const newRegion = () => `Región Est ${hex()}`;
const newCode = () => `AE-${hex()}`.toUpperCase();

const globalAdmin = () => signedIn(t, { role: 'admin' });
/** An admin of a región of their own (with one establishment in it, where they work). */
async function regionalAdmin() {
  const region = newRegion();
  const home = await makeEstablishment(t.sequelize, region);
  return {
    region,
    home,
    ...(await signedIn(t, { role: 'admin', scope: `region:${region}`, establishments: [home] })),
  };
}

const events = (actorUserId: number, action?: string) =>
  t.sequelize.query<{
    action: string;
    outcome: string;
    target_id: string | null;
    details: Record<string, unknown>;
    region_ids: number[];
  }>(
    `SELECT action, outcome, target_id, details, region_ids FROM admin_events
      WHERE actor_user_id = :actorUserId AND (CAST(:action AS text) IS NULL OR action = :action)
      ORDER BY id`,
    { replacements: { actorUserId, action: action ?? null }, type: QueryTypes.SELECT },
  );

const byCode = (code: string) =>
  t.sequelize.query<{ id: number; name: string; active: boolean; region: string }>(
    `SELECT e.id, e.name, e.active, r.name AS region FROM establishments e
       JOIN regions r ON r.id = e.region_id WHERE e.code = :code`,
    { replacements: { code }, type: QueryTypes.SELECT },
  );

const regionIdOf = async (name: string) =>
  (
    await t.sequelize.query<{ id: number }>('SELECT id FROM regions WHERE name = :name', {
      replacements: { name },
      type: QueryTypes.SELECT,
    })
  )[0]?.id;

async function postForm(agent: request.Agent, page: string, path: string, fields: object) {
  const csrf = await csrfOf(agent, page);
  return agent
    .post(path)
    .type('form')
    .send({ ...fields, _csrf: csrf });
}

const fieldError = (html: string, name: string) =>
  new RegExp(`id="${name}-error"[^>]*>([^<]*)<`).exec(html)?.[1];

describe('the list', () => {
  it('when searching without accents or case then the establishment is found by name or code', async () => {
    const { agent } = await globalAdmin();
    const region = newRegion();
    const [a, b] = [
      await makeEstablishment(t.sequelize, region),
      await makeEstablishment(t.sequelize, region),
    ];
    await t.repos.transaction((tx) =>
      t.repos.establishments.update(a.id, { name: `Unidad de Salud Ñeembucú ${a.code}` }, tx),
    );
    const byName = await agent
      .get('/admin/establishments')
      .query({ q: `neembucu ${a.code.toLowerCase()}` });
    expect(byName.status).toBe(200);
    expect(byName.text).toContain(`data-establishment-code="${a.code}"`);
    expect(byName.text).not.toContain(`data-establishment-code="${b.code}"`);
    const byCodePart = await agent.get('/admin/establishments').query({ q: b.code.slice(3) });
    expect(byCodePart.text).toContain(`data-establishment-code="${b.code}"`);
  });

  it('when filtering by región and state then only those rows are listed', async () => {
    const { agent } = await globalAdmin();
    const region = newRegion();
    const active = await makeEstablishment(t.sequelize, region);
    const inactive = await makeEstablishment(t.sequelize, region);
    const elsewhere = await makeEstablishment(t.sequelize, newRegion());
    await t.repos.transaction((tx) =>
      t.repos.establishments.update(inactive.id, { active: false }, tx),
    );
    const page = await agent
      .get('/admin/establishments')
      .query({ regionId: active.regionId, state: 'inactive' });
    expect(page.text).toContain(`data-establishment-code="${inactive.code}"`);
    expect(page.text).not.toContain(`data-establishment-code="${active.code}"`);
    expect(page.text).not.toContain(`data-establishment-code="${elsewhere.code}"`);
    expect(page.text).toContain('1 establecimiento');
  });

  it('when a regional admin lists then only the establishments of their región appear', async () => {
    const { agent, home } = await regionalAdmin();
    const other = await makeEstablishment(t.sequelize, newRegion());
    const page = await agent.get('/admin/establishments');
    expect(page.status).toBe(200);
    expect(page.text).toContain(`data-establishment-code="${home.code}"`);
    expect(page.text).not.toContain(`data-establishment-code="${other.code}"`);
    expect(page.text).not.toContain('Importar CSV');
    const search = await agent.get('/admin/establishments').query({ q: other.code });
    expect(search.text).toContain('data-testid="establishments-empty"');
  });

  it('when a staff member asks for the list then 403', async () => {
    const { agent } = await signedIn(t, { role: 'staff' });
    expect((await agent.get('/admin/establishments')).status).toBe(403);
  });
});

describe('adding and editing', () => {
  it('when a global admin adds one then it exists, the audit row says what was created, and the page shows it', async () => {
    const { agent, user } = await globalAdmin();
    const region = await makeEstablishment(t.sequelize, newRegion());
    const code = newCode();
    const res = await postForm(agent, '/admin/establishments/new', '/admin/establishments/new', {
      code: code.toLowerCase(),
      name: '  Hospital   Nuevo ',
      regionId: region.regionId,
    });
    expect(res.status).toBe(303);
    const [created] = await byCode(code);
    expect(created).toMatchObject({ name: 'Hospital Nuevo', active: true });
    expect(res.headers.location).toBe(`/admin/establishments/${created!.id}`);
    const page = await agent.get(res.headers.location!);
    expect(page.text).toContain(`Se agregó el establecimiento ${code}`);
    expect(await events(user.id, 'establishments.create')).toEqual([
      expect.objectContaining({
        outcome: 'success',
        target_id: String(created!.id),
        region_ids: [region.regionId],
        details: expect.objectContaining({
          before: null,
          after: expect.objectContaining({ code, name: 'Hospital Nuevo' }),
        }),
      }),
    ]);
  });

  it('when the code exists or a field is wrong then the form comes back with the message beside each field', async () => {
    const { agent } = await globalAdmin();
    const existing = await makeEstablishment(t.sequelize, newRegion());
    const duplicate = await postForm(
      agent,
      '/admin/establishments/new',
      '/admin/establishments/new',
      {
        code: existing.code,
        name: 'Otro nombre',
        regionId: existing.regionId,
      },
    );
    expect(duplicate.status).toBe(400);
    expect(fieldError(duplicate.text, 'code')).toBe(
      `Ya existe un establecimiento con el código ${existing.code}.`,
    );
    expect(duplicate.text).toContain('value="Otro nombre"');
    const wrong = await postForm(agent, '/admin/establishments/new', '/admin/establishments/new', {
      code: 'con espacios',
      name: 'X',
      regionId: '',
    });
    expect(wrong.status).toBe(400);
    expect(fieldError(wrong.text, 'code')).toContain('sin espacios');
    expect(fieldError(wrong.text, 'name')).toBe('El nombre debe tener al menos 3 caracteres.');
    expect(fieldError(wrong.text, 'regionId')).toBe('Seleccione la región sanitaria.');
    expect(wrong.text).toMatch(
      /id="name"[^>]*aria-invalid="true"[^>]*aria-describedby="name-error"/,
    );
  });

  it('when a global admin renames and moves one then both change, its users see it, and the audit has before and after', async () => {
    const { agent, user } = await globalAdmin();
    const from = newRegion();
    const target = await makeEstablishment(t.sequelize, from);
    const to = await makeEstablishment(t.sequelize, newRegion());
    const { user: worker } = await makeUser(t.sequelize, { establishments: [target] });
    await t.identities.get(worker.id); // cached before the change
    const res = await postForm(
      agent,
      `/admin/establishments/${target.id}`,
      `/admin/establishments/${target.id}`,
      {
        name: 'Hospital Renombrado',
        regionId: to.regionId,
      },
    );
    expect(res.status).toBe(303);
    expect((await byCode(target.code))[0]).toMatchObject({ name: 'Hospital Renombrado' });
    const cached = await t.identities.get(worker.id);
    expect(cached!.establishments).toEqual([
      expect.objectContaining({
        id: target.id,
        name: 'Hospital Renombrado',
        regionId: to.regionId,
      }),
    ]);
    const [row] = await events(user.id, 'establishments.update');
    expect(row).toMatchObject({ outcome: 'success', target_id: String(target.id) });
    expect(row!.region_ids.sort()).toEqual([target.regionId, to.regionId].sort());
    expect(row!.details).toMatchObject({
      before: { name: target.name, region: from },
      after: { name: 'Hospital Renombrado' },
    });
  });

  it('when a regional admin edits one of their región then it is saved', async () => {
    const { agent, region } = await regionalAdmin();
    const mine = await makeEstablishment(t.sequelize, region);
    const res = await postForm(
      agent,
      `/admin/establishments/${mine.id}`,
      `/admin/establishments/${mine.id}`,
      {
        name: 'Puesto de Salud Renombrado',
        regionId: mine.regionId,
      },
    );
    expect(res.status).toBe(303);
    expect((await byCode(mine.code))[0]!.name).toBe('Puesto de Salud Renombrado');
  });

  it("when a regional admin edits another región's establishment then 404 like an unknown id, nothing changes, and a denied row", async () => {
    const { agent, user, home } = await regionalAdmin();
    const other = await makeEstablishment(t.sequelize, newRegion());
    expect((await agent.get(`/admin/establishments/${other.id}`)).status).toBe(404);
    const res = await postForm(
      agent,
      '/admin/establishments',
      `/admin/establishments/${other.id}`,
      {
        name: 'Intento',
        regionId: home.regionId,
      },
    );
    expect(res.status).toBe(404);
    expect((await byCode(other.code))[0]!.name).toBe(other.name);
    expect(await events(user.id, 'establishments.update')).toEqual([
      expect.objectContaining({ outcome: 'denied', target_id: String(other.id) }),
    ]);
  });

  it('when a regional admin tries to add or import then 403 and a denied row for each', async () => {
    const { agent, user, home } = await regionalAdmin();
    expect((await agent.get('/admin/establishments/new')).status).toBe(403);
    const code = newCode();
    const add = await postForm(agent, '/admin/establishments', '/admin/establishments/new', {
      code,
      name: 'Hospital Intruso',
      regionId: home.regionId,
    });
    expect(add.status).toBe(403);
    const csrf = await csrfOf(agent, '/admin/establishments');
    const upload = await agent
      .post('/admin/establishments/import/preview')
      .field('_csrf', csrf)
      .attach(
        'file',
        Buffer.from(`codigo,nombre,region\n${code},Hospital Intruso,Central\n`),
        'lista.csv',
      );
    expect(upload.status).toBe(403);
    expect(await byCode(code)).toEqual([]);
    const denied = (await events(user.id)).map((e) => [e.action, e.outcome]);
    expect(denied).toEqual([
      ['establishments.create', 'denied'],
      ['establishments.import', 'denied'],
    ]);
  });
});

describe('deactivation', () => {
  it('when an establishment is deactivated then an open session working in it ends at its next request, and it is no longer offered at login', async () => {
    const { agent: admin, user: adminUser } = await globalAdmin();
    const region = newRegion();
    const [closing, staying] = [
      await makeEstablishment(t.sequelize, region),
      await makeEstablishment(t.sequelize, region),
    ];
    const { user, agent: worker } = await signedIn(t, { establishments: [closing, staying] });
    const bystander = await signedIn(t, { establishments: [staying, closing] });
    expect((await worker.get('/')).status).toBe(200);

    const res = await postForm(
      admin,
      `/admin/establishments/${closing.id}`,
      `/admin/establishments/${closing.id}/deactivate`,
      {},
    );
    expect(res.status).toBe(303);
    expect((await byCode(closing.code))[0]!.active).toBe(false);

    const next = await worker.get('/');
    expect(next.status).toBe(303);
    expect(next.headers.location).toBe('/login');
    expect((await worker.get('/')).headers.location).toBe('/login');
    // A session working in another establishment goes on.
    expect((await bystander.agent.get('/')).status).toBe(200);

    const again = agentFor(t.app);
    await postLogin(again, user.username, TEST_PASSWORD);
    const choices = await again.get('/login/establishment');
    expect(choices.text).toContain(staying.name);
    expect(choices.text).not.toContain(closing.name);

    expect(await events(adminUser.id, 'establishments.deactivate')).toEqual([
      expect.objectContaining({
        outcome: 'success',
        target_id: String(closing.id),
        details: expect.objectContaining({
          before: { active: true },
          after: { active: false },
          assignedUsers: 2,
        }),
      }),
    ]);
  });

  it('when it is reactivated then it is offered again and the audit says so', async () => {
    const { agent: admin, user: adminUser } = await globalAdmin();
    const est = await makeEstablishment(t.sequelize, newRegion());
    const { user } = await makeUser(t.sequelize, { establishments: [est] });
    await postForm(
      admin,
      `/admin/establishments/${est.id}`,
      `/admin/establishments/${est.id}/deactivate`,
      {},
    );
    const page = await admin.get(`/admin/establishments/${est.id}`);
    expect(page.text).toContain('Reactivar establecimiento');
    await postForm(
      admin,
      `/admin/establishments/${est.id}`,
      `/admin/establishments/${est.id}/activate`,
      {},
    );
    expect((await byCode(est.code))[0]!.active).toBe(true);
    const done = await loginAndChoose(agentFor(t.app), user.username, TEST_PASSWORD, est.id);
    expect(done.headers.location).toBe('/');
    expect((await events(adminUser.id)).map((e) => e.action)).toEqual([
      'establishments.deactivate',
      'establishments.activate',
    ]);
  });

  it("when a regional admin deactivates another región's establishment then 404 like an unknown id, it stays active, and a denied row", async () => {
    const { agent, user } = await regionalAdmin();
    const other = await makeEstablishment(t.sequelize, newRegion());
    const res = await postForm(
      agent,
      '/admin/establishments',
      `/admin/establishments/${other.id}/deactivate`,
      {},
    );
    expect(res.status).toBe(404);
    expect((await byCode(other.code))[0]!.active).toBe(true);
    expect(await events(user.id, 'establishments.deactivate')).toEqual([
      expect.objectContaining({ outcome: 'denied', target_id: String(other.id) }),
    ]);
  });
});

describe('CSV import from the browser', () => {
  let admin: Awaited<ReturnType<typeof globalAdmin>>;
  beforeAll(async () => {
    admin = await globalAdmin();
  });

  const upload = async (csv: string | Buffer, fileName = 'establecimientos.csv') => {
    const csrf = await csrfOf(admin.agent, '/admin/establishments/import');
    return admin.agent
      .post('/admin/establishments/import/preview')
      .field('_csrf', csrf)
      .attach('file', Buffer.isBuffer(csv) ? csv : Buffer.from(csv, 'utf8'), fileName);
  };
  const draftIdOf = (html: string) => /name="draftId" value="([^"]+)"/.exec(html)?.[1];
  /** Applies the previewed file, ticking every new región the preview offers (or `regions`). */
  const confirm = async (preview: request.Response, regions?: string[]) => {
    const draftId = draftIdOf(preview.text);
    expect(draftId).toBeDefined();
    const csrf = await csrfOf(admin.agent, '/admin/establishments/import');
    const offered = [
      ...preview.text.matchAll(/name="createRegions" type="checkbox" value="([^"]*)"/g),
    ].map((m) => m[1]!);
    return admin.agent
      .post('/admin/establishments/import/apply')
      .type('form')
      .send({ draftId, _csrf: csrf, createRegions: regions ?? offered });
  };
  const count = (html: string, what: string) =>
    Number(new RegExp(`data-testid="count-${what}">(\\d+)<`).exec(html)?.[1]);
  const importRows = () => events(admin.user.id, 'establishments.import');

  it('when the file has bad rows then each is reported by line number and reason, and nothing can be applied', async () => {
    const region = newRegion();
    const good = newCode();
    const csv = [
      'Código;Nombre;Región Sanitaria',
      `${good};Hospital Bueno;${region}`,
      'CÓDIGO MALO!;Hospital Malo;Central',
      '',
      `${newCode()};;${region}`,
      `${good};Repetido;${region}`,
    ].join('\r\n');
    const res = await upload(csv);
    expect(res.status).toBe(400);
    expect(count(res.text, 'errors')).toBe(3);
    expect(res.text).toContain(
      '<tr data-line="3"><td data-label="Línea">3</td><td data-label="Problema">Código de establecimiento inválido &#34;CÓDIGO MALO!&#34;',
    );
    expect(res.text).toMatch(/data-line="5">.*El nombre del establecimiento .* es obligatorio/);
    expect(res.text).toMatch(
      new RegExp(`data-line="6">.*El código ${good} está repetido: ya aparece en la línea 2`),
    );
    expect(draftIdOf(res.text)).toBeUndefined();
    expect(res.text).toContain('No se importará nada');
    expect(await byCode(good)).toEqual([]);
    expect(await regionIdOf(region)).toBeUndefined();
  });

  it('when the file names a región that does not exist then the preview asks, suggests the close one, and nothing is created unticked', async () => {
    const region = newRegion();
    const existing = newCode();
    expect(
      (await confirm(await upload(`codigo,nombre,region\n${existing},Hospital Base,${region}\n`)))
        .status,
    ).toBe(303);
    const code = newCode();
    const typo = `${region}l`;
    const preview = await upload(`codigo,nombre,region\n${code},Hospital Nuevo,${typo}\n`);
    expect(preview.status).toBe(200);
    expect(count(preview.text, 'new-regions')).toBe(1);
    expect(preview.text).toContain(`Región nueva: <strong>${typo}</strong>`);
    expect(preview.text).toContain(`¿Quiso decir «${region}»?`);
    expect(preview.text).toContain('Importar 1 cambio<');

    const unticked = await confirm(preview, []);
    expect(unticked.status).toBe(400);
    expect(unticked.text).toContain('Marque cada región nueva que quiere crear');
    expect(await byCode(code)).toEqual([]);
    expect(await regionIdOf(typo)).toBeUndefined();

    const ticked = await confirm(preview, [typo]);
    expect(ticked.status).toBe(303);
    expect(await regionIdOf(typo)).toBeDefined();
  });

  it('when the template is downloaded then it is the header the import reads and one example, for Excel', async () => {
    const res = await admin.agent.get('/admin/establishments/import/plantilla.csv').buffer(true);
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toContain('plantilla-establecimientos.csv');
    const text = res.text;
    expect(text.startsWith('\uFEFFcódigo;nombre;región\r\n')).toBe(true);
    const preview = await upload(text.replace('EJ-0001', newCode()));
    expect(preview.status).toBe(200);
    expect(count(preview.text, 'errors')).toBe(0);
  });

  it('when a good file is applied then everything is created in one go with one audit row, and the same file again changes nothing', async () => {
    const region = newRegion();
    const codes = [newCode(), newCode(), newCode()];
    const csv =
      'codigo,nombre,region\n' +
      `${codes[0]},Hospital Regional Uno,${region}\n` +
      `${codes[1]},"Unidad de Salud Familiar, Dos",${region}\n` +
      `${codes[2]},Centro de Salud Tres,${region.toUpperCase()}\n`;
    const preview = await upload(csv, 'Lista Ñeembucú.csv');
    expect(preview.status).toBe(200);
    expect([
      count(preview.text, 'create'),
      count(preview.text, 'update'),
      count(preview.text, 'unchanged'),
    ]).toEqual([3, 0, 0]);
    expect(preview.text).toContain('Lista Ñeembucú.csv');
    // Previewing writes nothing.
    expect(await byCode(codes[0]!)).toEqual([]);

    const applied = await confirm(preview);
    expect(applied.status).toBe(303);
    expect(applied.headers.location).toBe('/admin/establishments');
    expect((await admin.agent.get('/admin/establishments')).text).toContain(
      'Importación aplicada: 3 nuevos, 0 actualizados, 0 sin cambios.',
    );
    for (const code of codes)
      expect(await byCode(code)).toEqual([expect.objectContaining({ region, active: true })]);
    const rows = await importRows();
    expect(rows.at(-1)).toMatchObject({
      outcome: 'success',
      details: {
        fileName: 'Lista Ñeembucú.csv',
        sha256: createHash('sha256').update(csv).digest('hex'),
        counts: { create: 3, update: 0, unchanged: 0 },
        regionsCreated: 1,
      },
      region_ids: [await regionIdOf(region)],
    });

    const before = await Promise.all(codes.map(byCode));
    const again = await upload(csv);
    expect(again.status).toBe(200);
    expect(again.text).toContain('data-testid="import-unchanged"');
    expect(count(again.text, 'unchanged')).toBe(3);
    expect(draftIdOf(again.text)).toBeUndefined();
    expect(await Promise.all(codes.map(byCode))).toEqual(before);
  });

  it('when an updated file comes then the rows are updated by code (name, región, reactivation) and the preview lists the changes', async () => {
    const region = newRegion();
    const moved = newRegion();
    const [kept, renamed, reactivated] = [
      await makeEstablishment(t.sequelize, region),
      await makeEstablishment(t.sequelize, region),
      await makeEstablishment(t.sequelize, region),
    ];
    await t.repos.transaction((tx) =>
      t.repos.establishments.update(reactivated.id, { active: false }, tx),
    );
    const csv = [
      'code;name;region',
      `${kept.code};${kept.name};${region}`,
      `${renamed.code.toLowerCase()};Hospital Con Nombre Nuevo;${moved}`,
      `${reactivated.code};${reactivated.name};${region}`,
    ].join('\n');
    const preview = await upload(csv);
    expect([
      count(preview.text, 'create'),
      count(preview.text, 'update'),
      count(preview.text, 'unchanged'),
    ]).toEqual([0, 2, 1]);
    expect(preview.text).toContain(
      `nombre: &#34;${renamed.name}&#34; → &#34;Hospital Con Nombre Nuevo&#34;`,
    );
    expect(preview.text).toContain(`data-code="${reactivated.code}" data-action="update"`);
    expect(preview.text).toContain('reactivado');

    expect((await confirm(preview)).status).toBe(303);
    expect((await byCode(renamed.code))[0]).toMatchObject({
      name: 'Hospital Con Nombre Nuevo',
      region: moved,
    });
    expect((await byCode(reactivated.code))[0]!.active).toBe(true);
    expect((await byCode(kept.code))[0]).toMatchObject({ name: kept.name, region });
    expect((await importRows()).at(-1)!.details).toMatchObject({
      counts: { create: 0, update: 2, unchanged: 1 },
    });
  });

  it('when the file is applied after the database changed then it is planned again: what is already there is left alone', async () => {
    const region = newRegion();
    const code = newCode();
    const csv = `codigo,nombre,region\n${code},Hospital Planificado,${region}\n`;
    const preview = await upload(csv);
    // Someone adds the same establishment between the preview and the confirmation.
    await t.repos.transaction(async (tx) => {
      const r = await t.repos.establishments.regions.ensure(
        { code: `X${hex()}`, name: region },
        tx,
      );
      await t.repos.establishments.create(
        { code, name: 'Hospital Planificado', regionId: r.region.id },
        tx,
      );
    });
    const applied = await confirm(preview);
    expect(applied.status).toBe(303);
    expect(await byCode(code)).toHaveLength(1);
    expect((await importRows()).at(-1)!.details).toMatchObject({
      counts: { create: 0, update: 0, unchanged: 1 },
    });
  });

  it('when the preview id is unknown or someone else’s then nothing is applied and the upload form says why', async () => {
    const other = await globalAdmin();
    const code = newCode();
    const preview = await upload(`codigo,nombre,region\n${code},Hospital Ajeno,${newRegion()}\n`);
    const csrf = await csrfOf(other.agent, '/admin/establishments/import');
    const res = await other.agent
      .post('/admin/establishments/import/apply')
      .type('form')
      .send({ draftId: draftIdOf(preview.text), _csrf: csrf });
    expect(res.status).toBe(410);
    expect(fieldError(res.text, 'file')).toContain('Vuelva a subir el archivo');
    expect(await byCode(code)).toEqual([]);
  });

  it('when a multipart POST has no CSRF token then 403 and nothing is planned or kept', async () => {
    const code = newCode();
    const res = await admin.agent
      .post('/admin/establishments/import/preview')
      .attach(
        'file',
        Buffer.from(`codigo,nombre,region\n${code},Hospital Sin Token,Central\n`),
        'x.csv',
      );
    expect(res.status).toBe(403);
    expect(res.text).toContain('El formulario expiró o no es válido');
    expect(res.text).not.toContain(code);
    const forged = await admin.agent
      .post('/admin/establishments/import/preview')
      .field('_csrf', 'forjado')
      .attach(
        'file',
        Buffer.from(`codigo,nombre,region\n${code},Hospital Sin Token,Central\n`),
        'x.csv',
      );
    expect(forged.status).toBe(403);
  });

  it('when no file or a file over 2 MB is sent then the form says so', async () => {
    const csrf = await csrfOf(admin.agent, '/admin/establishments/import');
    const none = await admin.agent
      .post('/admin/establishments/import/preview')
      .field('_csrf', csrf);
    expect(none.status).toBe(400);
    expect(fieldError(none.text, 'file')).toBe(
      'Seleccione el archivo CSV con la lista de establecimientos.',
    );
    const big = await upload(Buffer.alloc(2 * 1024 * 1024 + 1, 'a'));
    expect(big.status).toBe(400);
    expect(fieldError(big.text, 'file')).toContain('supera el máximo de 2 MB');
    expect(big.text).toMatch(/id="file"[^>]*aria-invalid="true"/);
  });
});

describe('the import command: all or nothing', () => {
  const actorOf = (userId: number) => ({
    ...ANONYMOUS,
    userId,
    username: 'importador',
    grants: [{ role: 'admin' as const, scope: { kind: 'global' as const } }],
  });
  const meta = { ip: '127.0.0.1', userAgent: 'jest' };

  it('when the file has any error then the command refuses it whole', async () => {
    const { user } = await makeUser(t.sequelize, { role: 'admin' });
    const code = newCode();
    const run = importEstablishments({ repos: t.repos, clock: t.clock, identities: t.identities });
    await expect(
      run(
        actorOf(user.id),
        { fileName: 'a.csv', text: `codigo,nombre,region\n${code},Hospital,Central\nMAL O,X,Y\n` },
        meta,
      ),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(await byCode(code)).toEqual([]);
    expect(await events(user.id)).toEqual([]);
  });

  it('when a write fails half-way then nothing of the file stays, not even its new región', async () => {
    let failing: TestApp | undefined;
    try {
      failing = await buildTestApp(
        {},
        {
          repos: (sequelize) => {
            const repos = createRepositories(sequelize);
            const update = repos.establishments.update;
            repos.establishments.update = async (id, patch, tx) => {
              if (patch.name === 'FALLA') throw new Error('disk full');
              return update(id, patch, tx);
            };
            return repos;
          },
        },
      );
      const { user } = await makeUser(failing.sequelize, { role: 'admin' });
      const existing: EstablishmentRecord = await makeEstablishment(failing.sequelize, newRegion());
      const region = newRegion();
      const fresh = newCode();
      const text = `codigo,nombre,region\n${fresh},Hospital Nuevo,${region}\n${existing.code},FALLA,${region}\n`;
      const run = importEstablishments({
        repos: failing.repos,
        clock: failing.clock,
        identities: failing.identities,
      });
      await expect(
        run(actorOf(user.id), { fileName: 'a.csv', text, createRegions: [region] }, meta),
      ).rejects.toThrow('disk full');
      expect(await byCode(fresh)).toEqual([]);
      expect(await regionIdOf(region)).toBeUndefined();
      expect((await byCode(existing.code))[0]!.name).toBe(existing.name);
      expect(await events(user.id)).toEqual([]);
    } finally {
      await failing?.close();
    }
  });
});

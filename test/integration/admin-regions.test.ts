import { randomBytes } from 'node:crypto';
import type request from 'supertest';
import { QueryTypes, type Sequelize } from 'sequelize';
import { buildTestApp, type TestApp } from '../support/test-app';
import { makeEstablishment, makeUser, TEST_PASSWORD } from '../support/factories';
import { agentFor, csrfOf, postLogin } from '../support/http';
import { signedIn } from '../support/sign-in';
import { adminQuery, TEST_PG_ADMIN_URL } from '../support/services';
import { createSequelize } from '../../src/db/sequelize';
import { createMigrator } from '../../src/db/migrator';

/**
 * /admin/regions: the list with its counts, adding and renaming, and the e-ID rollout date per
 * región (preview with the number of users concerned, then save). The network-wide date changes
 * every región, so it runs on a database of this file only: the shared one serves other files.
 */
let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

const hex = () => randomBytes(4).toString('hex');
const newRegion = () => `Región Adm ${hex()}`;

const events = (db: Sequelize, actorUserId: number, action: string) =>
  db.query<{
    outcome: string;
    target_id: string | null;
    details: Record<string, unknown>;
    region_ids: number[];
  }>(
    `SELECT outcome, target_id, details, region_ids FROM admin_events
      WHERE actor_user_id = :actorUserId AND action = :action ORDER BY id`,
    { replacements: { actorUserId, action }, type: QueryTypes.SELECT },
  );

const regionRow = async (db: Sequelize, id: number) =>
  (
    await db.query<{ code: string; name: string; since: string | null }>(
      `SELECT code, name, to_char(eid_required_since, 'YYYY-MM-DD') AS since FROM regions WHERE id = :id`,
      { replacements: { id }, type: QueryTypes.SELECT },
    )
  )[0];

async function post(agent: request.Agent, page: string, path: string, fields: object) {
  const csrf = await csrfOf(agent, page);
  return agent
    .post(path)
    .type('form')
    .send({ ...fields, _csrf: csrf });
}

const fieldError = (html: string, name: string) =>
  new RegExp(`id="${name}-error"[^>]*>([^<]*)<`).exec(html)?.[1];
const cell = (html: string, regionId: number, testid: string) =>
  new RegExp(`data-region-id="${regionId}"[\\s\\S]*?data-testid="${testid}">([^<]*)<`).exec(
    html,
  )?.[1];

/** A región with two establishments (one inactive), three users of which two never used the e-ID. */
async function populatedRegion() {
  const name = newRegion();
  const [a, b] = [
    await makeEstablishment(t.sequelize, name),
    await makeEstablishment(t.sequelize, name),
  ];
  await t.repos.transaction((tx) => t.repos.establishments.update(b.id, { active: false }, tx));
  await makeUser(t.sequelize, { establishments: [a] });
  await makeUser(t.sequelize, { establishments: [a, b] });
  await makeUser(t.sequelize, {
    establishments: [a],
    lastEidLoginAt: new Date('2026-10-01T12:00:00Z'),
  });
  return { name, regionId: a.regionId, establishments: [a, b] };
}

describe('the list of regiones', () => {
  it('when a global admin opens it then each región shows its establishments, users, users without e-ID and rollout date', async () => {
    const { agent } = await signedIn(t, { role: 'admin' });
    const region = await populatedRegion();
    const page = await agent.get('/admin/regions');
    expect(page.status).toBe(200);
    expect(page.text).toMatch(
      new RegExp(
        `data-region-id="${region.regionId}">\\s*<td data-label="Región"><a href="/admin/establishments\\?regionId=${region.regionId}">${region.name}</a></td>\\s*<td data-label="Establecimientos">1 \\(de 2\\)</td>\\s*<td data-label="Usuarios"><a href="/admin/users\\?region=${region.regionId}">3<`,
      ),
    );
    // The count links to the list of those very users.
    expect(page.text).toMatch(
      new RegExp(
        `data-region-id="${region.regionId}"[\\s\\S]*?data-testid="never-used"><a href="/admin/users\\?region=${region.regionId}&amp;eid=never">2<`,
      ),
    );
    expect(cell(page.text, region.regionId, 'rollout')).toBe('Sin fecha');
    expect(page.text).toContain('Agregar región sanitaria');
  });

  it('when a regional admin opens it then only their región is listed, without the management actions', async () => {
    const name = newRegion();
    const home = await makeEstablishment(t.sequelize, name);
    const other = await makeEstablishment(t.sequelize, newRegion());
    const { agent } = await signedIn(t, {
      role: 'admin',
      scope: `region:${name}`,
      establishments: [home],
    });
    const page = await agent.get('/admin/regions');
    expect(page.status).toBe(200);
    expect(page.text).toContain(`data-region-id="${home.regionId}"`);
    expect(page.text).not.toContain(`data-region-id="${other.regionId}"`);
    expect(page.text).not.toContain('Agregar región sanitaria');
    expect(page.text).not.toContain('/rollout');
  });
});

describe('adding and renaming', () => {
  it('when a global admin adds a región then it exists with its code, audited as regions.create; the same name again is refused beside the field', async () => {
    const { agent, user } = await signedIn(t, { role: 'admin' });
    const name = `Región Nueva ${hex()} Ñandutí`;
    const res = await post(agent, '/admin/regions', '/admin/regions', { name: `  ${name} ` });
    expect(res.status).toBe(303);
    const [row] = await events(t.sequelize, user.id, 'regions.create');
    expect(await regionRow(t.sequelize, Number(row!.target_id))).toMatchObject({ name });
    expect((await regionRow(t.sequelize, Number(row!.target_id)))!.code).toMatch(
      /^REGION-NUEVA-[0-9A-F]{8}-NANDUTI$/,
    );
    expect(row!.details).toMatchObject({ before: null, after: { name } });
    const again = await post(agent, '/admin/regions', '/admin/regions', {
      name: name.toUpperCase(),
    });
    expect(again.status).toBe(400);
    expect(fieldError(again.text, 'name')).toBe(`Ya existe la región ${name}.`);
  });

  it('when a global admin renames a región then name and code change and the audit (regions.rename) has before and after', async () => {
    const { agent, user } = await signedIn(t, { role: 'admin' });
    const old = newRegion();
    const { regionId } = await makeEstablishment(t.sequelize, old);
    const name = `Región Renombrada ${hex()}`;
    const res = await post(agent, `/admin/regions/${regionId}`, `/admin/regions/${regionId}`, {
      name,
    });
    expect(res.status).toBe(303);
    expect(await regionRow(t.sequelize, regionId)).toMatchObject({
      name,
      code: name
        .normalize('NFD')
        .replace(/[\u0300-\u036f]/g, '')
        .toUpperCase()
        .replace(/ /g, '-'),
    });
    expect((await events(t.sequelize, user.id, 'regions.rename')).at(-1)).toMatchObject({
      outcome: 'success',
      target_id: String(regionId),
      details: { before: { name: old }, after: { name } },
    });
  });

  it('when a regional admin tries to add or rename then 403 and a denied row', async () => {
    const name = newRegion();
    const home = await makeEstablishment(t.sequelize, name);
    const { agent, user } = await signedIn(t, {
      role: 'admin',
      scope: `region:${name}`,
      establishments: [home],
    });
    const add = await post(agent, '/admin/regions', '/admin/regions', { name: newRegion() });
    expect(add.status).toBe(403);
    const rename = await post(agent, '/admin/regions', `/admin/regions/${home.regionId}`, {
      name: 'Otra',
    });
    expect(rename.status).toBe(403);
    expect((await regionRow(t.sequelize, home.regionId))!.name).toBe(name);
    // Each refusal under the code of the act refused.
    expect((await events(t.sequelize, user.id, 'regions.create')).map((e) => e.outcome)).toEqual([
      'denied',
    ]);
    expect((await events(t.sequelize, user.id, 'regions.rename')).map((e) => e.outcome)).toEqual([
      'denied',
    ]);
  });
});

describe('the e-ID rollout date of a región', () => {
  it('when a date is previewed then the count of users who never used the e-ID is shown and nothing is saved yet; confirmed, it is saved, audited, and applies at the next classic login', async () => {
    const { agent, user } = await signedIn(t, { role: 'admin' });
    const region = await populatedRegion();
    const { user: newcomer } = await makeUser(t.sequelize, {
      establishments: [region.establishments[0]!],
    });
    const base = `/admin/regions/${region.regionId}/rollout`;

    const page = await agent.get(base);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Usa el valor de la red: sin fecha');
    expect(page.text).toContain('3 usuarios de esta región nunca usaron la Identidad Electrónica');

    const preview = await post(agent, base, `${base}/preview`, { eidRequiredSince: '2026-11-01' });
    expect(preview.status).toBe(200);
    expect(preview.text).toContain(
      '<strong>3 usuarios</strong> de esta región nunca usaron la Identidad Electrónica',
    );
    expect(preview.text).toContain('<strong>01/11/2026</strong>');
    expect(preview.text).toContain('La fecha ya llegó');
    expect((await regionRow(t.sequelize, region.regionId))!.since).toBeNull();
    // Still allowed before saving.
    expect(
      (await postLogin(agentFor(t.app), newcomer.username, TEST_PASSWORD)).headers.location,
    ).toBe('/login/establishment');

    const saved = await post(agent, base, base, { eidRequiredSince: '2026-11-01' });
    expect(saved.status).toBe(303);
    expect((await regionRow(t.sequelize, region.regionId))!.since).toBe('2026-11-01');
    expect((await agent.get('/admin/regions')).text).toContain('obligatoria desde el 01/11/2026');
    expect(await events(t.sequelize, user.id, 'regions.rollout')).toEqual([
      expect.objectContaining({
        outcome: 'success',
        target_id: String(region.regionId),
        region_ids: [region.regionId],
        details: {
          before: { eidRequiredSince: null },
          after: { eidRequiredSince: '2026-11-01' },
        },
      }),
    ]);
    expect(
      (await postLogin(agentFor(t.app), newcomer.username, TEST_PASSWORD)).headers.location,
    ).toBe('/login/eid-required');
  });

  it('when the date is emptied then the región goes back to the network value', async () => {
    const { agent } = await signedIn(t, { role: 'admin' });
    const { regionId } = await makeEstablishment(t.sequelize, newRegion());
    await t.repos.transaction((tx) =>
      t.repos.establishments.regions.update(regionId, { eidRequiredSince: '2027-01-01' }, tx),
    );
    const base = `/admin/regions/${regionId}/rollout`;
    expect((await agent.get(base)).text).toContain('Obligatoria desde el 01/01/2027');
    const preview = await post(agent, base, `${base}/preview`, { eidRequiredSince: '' });
    expect(preview.text).toContain('usará el valor de la red: sin fecha');
    await post(agent, base, base, { eidRequiredSince: '' });
    expect((await regionRow(t.sequelize, regionId))!.since).toBeNull();
  });

  it('when the date is not a real date then the form says so beside the field and nothing is saved', async () => {
    const { agent } = await signedIn(t, { role: 'admin' });
    const { regionId } = await makeEstablishment(t.sequelize, newRegion());
    const base = `/admin/regions/${regionId}/rollout`;
    const preview = await post(agent, base, `${base}/preview`, { eidRequiredSince: '2027-02-30' });
    expect(preview.status).toBe(400);
    expect(fieldError(preview.text, 'eidRequiredSince')).toBe(
      'Ingrese una fecha válida (día/mes/año).',
    );
    const saved = await post(agent, base, base, { eidRequiredSince: 'mañana' });
    expect(saved.status).toBe(400);
    expect((await regionRow(t.sequelize, regionId))!.since).toBeNull();
  });

  it('when a regional admin tries to set it then 403 and a denied row', async () => {
    const name = newRegion();
    const home = await makeEstablishment(t.sequelize, name);
    const { agent, user } = await signedIn(t, {
      role: 'admin',
      scope: `region:${name}`,
      establishments: [home],
    });
    const base = `/admin/regions/${home.regionId}/rollout`;
    expect((await agent.get(base)).status).toBe(403);
    const res = await post(agent, '/admin/regions', base, { eidRequiredSince: '2026-01-01' });
    expect(res.status).toBe(403);
    expect((await regionRow(t.sequelize, home.regionId))!.since).toBeNull();
    expect((await events(t.sequelize, user.id, 'regions.rollout')).map((e) => e.outcome)).toEqual([
      'denied',
    ]);
  });
});

describe('the e-ID rollout date for the whole network (own database)', () => {
  const dbName = `his_acceso_regions_${hex()}`;
  let net: TestApp;
  beforeAll(async () => {
    await adminQuery(`CREATE DATABASE ${dbName}`);
    const url = new URL(TEST_PG_ADMIN_URL);
    url.pathname = `/${dbName}`;
    const migrate = createSequelize({
      url: url.toString(),
      poolMax: 1,
      statementTimeoutInMs: 30000,
    });
    await createMigrator(migrate).up();
    await migrate.close();
    net = await buildTestApp({ DATABASE_URL: url.toString(), EID_REQUIRED_SINCE: '2027-06-01' });
  });
  afterAll(async () => {
    await net?.close();
    await adminQuery(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  });

  it('when a date is set for the whole network then the screen counts every user without e-ID first, then every región gets it', async () => {
    const [north, south] = [
      await makeEstablishment(net.sequelize, 'Norte'),
      await makeEstablishment(net.sequelize, 'Sur'),
    ];
    await net.repos.transaction((tx) =>
      net.repos.establishments.regions.update(
        south.regionId,
        { eidRequiredSince: '2028-01-01' },
        tx,
      ),
    );
    const { agent, user } = await signedIn(net, {
      role: 'admin',
      establishments: [north],
      lastEidLoginAt: new Date('2026-11-01T00:00:00Z'),
    });
    const { user: staff } = await makeUser(net.sequelize, { establishments: [south] });
    await makeUser(net.sequelize, { establishments: [north] });

    const page = await agent.get('/admin/regions/rollout');
    expect(page.text).toContain('Obligatoria desde el 01/06/2027');
    expect(page.text).toContain('2 usuarios de la red nunca usaron la Identidad Electrónica');
    const preview = await post(agent, '/admin/regions/rollout', '/admin/regions/rollout/preview', {
      eidRequiredSince: '2026-12-01',
    });
    expect(preview.text).toContain('En todas las regiones');
    expect(preview.text).toContain('<strong>2 usuarios</strong> de la red');
    expect(preview.text).not.toContain('La fecha ya llegó');
    expect((await regionRow(net.sequelize, south.regionId))!.since).toBe('2028-01-01');

    const saved = await post(agent, '/admin/regions/rollout', '/admin/regions/rollout', {
      eidRequiredSince: '2026-12-01',
    });
    expect(saved.status).toBe(303);
    expect((await regionRow(net.sequelize, north.regionId))!.since).toBe('2026-12-01');
    expect((await regionRow(net.sequelize, south.regionId))!.since).toBe('2026-12-01');
    const [row] = await events(net.sequelize, user.id, 'regions.rollout');
    expect(row).toMatchObject({
      outcome: 'success',
      target_id: null,
      details: {
        eidRequiredSince: '2026-12-01',
        previous: [
          { region: 'Norte', eidRequiredSince: null },
          { region: 'Sur', eidRequiredSince: '2028-01-01' },
        ],
      },
    });
    expect(row!.region_ids.sort()).toEqual([north.regionId, south.regionId].sort());

    // Before the date the classic login goes on; from it, the e-ID is required.
    expect(
      (await postLogin(agentFor(net.app), staff.username, TEST_PASSWORD)).headers.location,
    ).toBe('/login/establishment');
    net.clock.set('2026-12-01T03:00:00Z'); // midnight in Asunción
    expect(
      (await postLogin(agentFor(net.app), staff.username, TEST_PASSWORD)).headers.location,
    ).toBe('/login/eid-required');
  });
});

import { randomBytes } from 'node:crypto';
import type request from 'supertest';
import { QueryTypes } from 'sequelize';
import { parse } from 'csv-parse/sync';
import { buildTestApp, type TestApp } from '../support/test-app';
import { makeEstablishment, makeUser, uniqueDocument } from '../support/factories';
import { agentFor, csrfOf, loginAndChoose } from '../support/http';
import { signedIn, type SignedInUser } from '../support/sign-in';
import { unlabeledKeys } from '../../src/areas/audit/details-view';
import type { EstablishmentRecord } from '../../src/storage/establishments';

/**
 * The auditors read what administrators did in Spanish: an administrator does one of every kind
 * of change, and every key of every row's details has a label, places and scopes are named, an
 * exemption reads "hasta el … inclusive", and no session handle, row id or `kind` reaches the
 * page (the CSV's code column keeps the details as stored).
 */
jest.setTimeout(120_000);

let t: TestApp;
let admin: SignedInUser;
let auditor: SignedInUser;
let home: EstablishmentRecord;
let second: EstablishmentRecord;
const tag = randomBytes(3).toString('hex');
const regionName = `Región Legible ${tag}`;

async function submit(agent: request.Agent, path: string, body: Record<string, unknown> = {}) {
  const csrf = await csrfOf(agent, '/');
  const res = await agent
    .post(path)
    .type('form')
    .send({ ...body, _csrf: csrf });
  expect([200, 303]).toContain(res.status);
  return res;
}

beforeAll(async () => {
  t = await buildTestApp();
  home = await makeEstablishment(t.sequelize, regionName);
  second = await makeEstablishment(t.sequelize, regionName);
  admin = await signedIn(t, { role: 'admin', establishments: [home] });
  auditor = await signedIn(t, { role: 'auditor', establishments: [home] });

  const { user, password } = await makeUser(t.sequelize, { establishments: [home] });
  const a = admin.agent;
  const base = `/admin/users/${user.id}`;
  // A session of the person, for the admin to end.
  await loginAndChoose(agentFor(t.app), user.username, password, home.id);
  const [session] = await t.sessionIndex.summaries(user.id);
  await submit(a, `${base}/sessions/end`, { session: session!.handle });
  await loginAndChoose(agentFor(t.app), user.username, password, home.id);
  await submit(a, `${base}/sessions/end-all`);
  await submit(a, `${base}/profile`, {
    version: (await t.repos.users.findById(user.id))!.version,
    fullName: `Persona Legible ${tag}`,
    documentNumber: user.documentNumber,
    email: `legible-${tag}@example.org`,
  });
  await submit(a, `${base}/establishments`, { establishmentId: second.id });
  await submit(a, `${base}/establishments/remove`, { establishmentId: second.id });
  await submit(a, `${base}/roles`, { role: 'auditor', scope: `region:${home.regionId}` });
  const grant = (await t.repos.users.grants(user.id)).find((g) => g.role === 'auditor')!;
  await submit(a, `${base}/roles/remove`, { grantId: grant.id });
  await submit(a, `${base}/exemption`, { reason: 'Sin teléfono inteligente', until: '2027-03-31' });
  await submit(a, `${base}/exemption/clear`);
  await submit(a, `${base}/unlock`);
  await submit(a, `${base}/password`);
  await submit(a, `${base}/disable`);
  await submit(a, `${base}/enable`);
  for (const accountKind of ['password', 'eid'])
    await submit(a, '/admin/users/new', {
      fullName: `Nueva Persona ${accountKind} ${tag}`,
      documentNumber: uniqueDocument(),
      username: `nueva${accountKind}${tag}`,
      establishmentIds: String(home.id),
      role: 'staff',
      accountKind,
    });
  await submit(a, `/admin/establishments/${second.id}`, {
    name: `Puesto Renombrado ${tag}`,
    regionId: second.regionId,
  });
  await submit(a, `/admin/establishments/${second.id}/deactivate`);
  await submit(a, `/admin/establishments/${second.id}/activate`);
  await submit(a, `/admin/regions/${home.regionId}/rollout`, { eidRequiredSince: '2027-02-01' });
});
afterAll(() => t.close());

const rowsOfAdmin = () =>
  t.sequelize.query<{ action: string; details: Record<string, unknown> }>(
    'SELECT action, details FROM admin_events WHERE actor_user_id = :id ORDER BY id',
    { replacements: { id: admin.user.id }, type: QueryTypes.SELECT },
  );

describe('the administrative actions read in Spanish', () => {
  it('when an administrator did one of every change then every key of every row has a label', async () => {
    const rows = await rowsOfAdmin();
    expect(new Set(rows.map((r) => r.action)).size).toBeGreaterThanOrEqual(18);
    expect(rows.flatMap((r) => unlabeledKeys(r.details).map((k) => `${r.action}: ${k}`))).toEqual(
      [],
    );
  });

  it('when the auditor reads them then places and scopes are named, dates dd/mm/aaaa, nothing internal', async () => {
    const page = await auditor.agent.get(
      `/audit/admin-events?user=${encodeURIComponent(admin.user.username)}`,
    );
    expect(page.status).toBe(200);
    // The "Cambios" cells, as text (the first change in view, the rest one click away).
    const cells = [...page.text.matchAll(/<td data-label="Cambios">([\s\S]*?)<\/td>/g)]
      .map((m) => m[1]!.replace(/<[^>]+>/g, '\n'))
      .join('\n');
    expect(cells).toContain(`Rol: Auditor · Región ${regionName}`);
    expect(cells).toContain('Exención: — → hasta el 31/03/2027 inclusive');
    expect(cells).toContain('Identidad Electrónica obligatoria desde: — → 01/02/2027');
    expect(cells).toContain(`Sesión: iniciada el`);
    expect(cells).toContain(`en ${home.name}`);
    expect(cells).toContain('Tipo de cuenta: Solo Identidad Electrónica');
    for (const raw of [
      'region:',
      'establishment:',
      'kind',
      'accountKind',
      'wasLocked',
      'Identificador',
      '2027-03-31',
      '2027-04-01',
    ])
      expect(cells).not.toContain(raw);
    const [session] = (
      await t.sequelize.query<{ details: { session: { handle: string } } }>(
        "SELECT details FROM admin_events WHERE action = 'users.endSession' AND actor_user_id = :id",
        { replacements: { id: admin.user.id }, type: QueryTypes.SELECT },
      )
    ).map((r) => r.details.session.handle);
    expect(page.text).not.toContain(session);
  });

  it('when the same rows are exported then "Cambios" reads the same and "Detalles (código)" keeps them as stored', async () => {
    const csv = await auditor.agent
      .get(`/audit/admin-events.csv?user=${encodeURIComponent(admin.user.username)}`)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks).toString('utf8')));
      });
    const records = parse((csv.body as string).replace(/^\uFEFF/, ''), {
      delimiter: ';',
      columns: true,
    }) as Record<string, string>[];
    const grant = records.find((r) => r['Código de la acción'] === 'users.grantRole')!;
    expect(grant['Cambios']).toBe(`Rol: Auditor · Región ${regionName}`);
    expect(JSON.parse(grant['Detalles (código)']!)).toMatchObject({
      grant: { role: 'auditor', scope: `region:${home.regionId}` },
    });
  });
});

import { randomBytes } from 'node:crypto';
import { buildTestApp, type TestApp } from '../support/test-app';
import { makeEstablishment, makeUser } from '../support/factories';
import { agentFor, loginAndChoose } from '../support/http';
import { signedIn, type SignedInUser } from '../support/sign-in';
import type { EstablishmentRecord } from '../../src/storage/establishments';

/**
 * Acts that cannot be undone in one click ask first: the page says what will happen to whom
 * ("Se cerrarán 2 sesiones abiertas") and changes nothing until its form is posted.
 */
jest.setTimeout(60_000);

let t: TestApp;
let admin: SignedInUser;
let central: EstablishmentRecord;
let central2: EstablishmentRecord;
let capital: EstablishmentRecord;
const tag = randomBytes(3).toString('hex');
const CENTRAL = `Región Confirma Central ${tag}`;

beforeAll(async () => {
  t = await buildTestApp();
  central = await makeEstablishment(t.sequelize, CENTRAL);
  central2 = await makeEstablishment(t.sequelize, CENTRAL);
  capital = await makeEstablishment(t.sequelize, `Región Confirma Capital ${tag}`);
  admin = await signedIn(t, {
    role: 'admin',
    scope: `region:${CENTRAL}`,
    establishments: [central],
  });
});
afterAll(() => t.close());

const impact = (html: string) =>
  [
    ...(/data-testid="confirm-impact">([\s\S]*?)<\/div>/.exec(html)?.[1] ?? '').matchAll(
      /<li>([^<]*)<\/li>/g,
    ),
  ].map((m) => m[1]!.replace(/&#34;|&quot;/g, '"'));
const formAction = (html: string) =>
  /<form method="post" action="([^"]+)" class="form">/.exec(html)?.[1];

async function withSessions(n: number, establishments = [central]) {
  const made = await makeUser(t.sequelize, { establishments, name: `Persona Confirma ${tag}` });
  for (let i = 0; i < n; i++)
    await loginAndChoose(agentFor(t.app), made.user.username, made.password, establishments[0]!.id);
  return made.user;
}

describe('confirmations on the user page', () => {
  it('when "Deshabilitar…" is opened then it says 2 sessions will close, and nothing changes until it is confirmed', async () => {
    const user = await withSessions(2);
    const page = await admin.agent.get(`/admin/users/${user.id}/confirm/disable`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`${user.fullName} (${user.username})`);
    expect(impact(page.text)).toContain(
      'Se cerrarán 2 sesiones abiertas: la persona verá «Un administrador cerró su sesión» al volver.',
    );
    expect(formAction(page.text)).toBe(`/admin/users/${user.id}/disable`);
    expect((await t.repos.users.findById(user.id))!.status).toBe('active');
    expect(await t.sessionIndex.list(user.id)).toHaveLength(2);

    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    const done = await admin.agent.post(formAction(page.text)!).type('form').send({ _csrf: csrf });
    expect(done.headers.location).toBe(`/admin/users/${user.id}#estado`);
    // The message sits in the section the page jumps to.
    const after = await admin.agent.get(`/admin/users/${user.id}`);
    expect(after.text).toMatch(
      /id="estado"[\s\S]*?data-testid="section-flash">Se deshabilitó la cuenta y se cerraron todas sus sesiones\.</,
    );
  });

  it('when one session is to be closed then the page names where and when it started', async () => {
    const user = await withSessions(1);
    const [session] = await t.sessionIndex.summaries(user.id);
    const page = await admin.agent.get(
      `/admin/users/${user.id}/confirm/sessions-end?session=${session!.handle}`,
    );
    expect(impact(page.text)[0]).toContain(`en ${central.name}`);
    expect(page.text).toContain(`name="session" value="${session!.handle}"`);
    const gone = await admin.agent.get(
      `/admin/users/${user.id}/confirm/sessions-end?session=AAAAAAAAAAAAAAAAAAAAAA`,
    );
    expect(gone.status).toBe(404);
  });

  it('when the only establishment is to be removed then it says the person could no longer log in', async () => {
    const user = await withSessions(1);
    const only = await admin.agent.get(
      `/admin/users/${user.id}/confirm/establishments-remove?establishmentId=${central.id}`,
    );
    expect(impact(only.text)).toEqual([
      `Se quitará ${central.name} (Región ${CENTRAL}) de los establecimientos de la persona.`,
      'Se cerrará 1 sesión abierta en ese establecimiento; las de otros establecimientos siguen.',
      'Es su único establecimiento activo: no podrá iniciar sesión hasta que se le asigne otro.',
    ]);
    const two = await withSessions(0, [central, central2]);
    const page = await admin.agent.get(
      `/admin/users/${two.id}/confirm/establishments-remove?establishmentId=${central.id}`,
    );
    expect(impact(page.text)).toContain(`Seguirá trabajando en ${central2.name}.`);
  });

  it('when the person also works in another región then the page says so before confirming', async () => {
    const user = await withSessions(0, [central, capital]);
    const page = await admin.agent.get(
      `/admin/users/${user.id}/confirm/establishments-remove?establishmentId=${central.id}`,
    );
    expect(page.text).toContain('Esta persona también trabaja fuera de su alcance');
    // Removing the other región's establishment is not offered: no form, the reason instead.
    const outside = await admin.agent.get(
      `/admin/users/${user.id}/confirm/establishments-remove?establishmentId=${capital.id}`,
    );
    expect(formAction(outside.text)).toBeUndefined();
    expect(outside.text).toContain('Ese establecimiento está fuera de su alcance');
  });

  it('when a role is to be removed then the page names the role and its scope', async () => {
    const user = await withSessions(0);
    const grantPage = await admin.agent.get(`/admin/users/${user.id}`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(grantPage.text)![1]!;
    await admin.agent
      .post(`/admin/users/${user.id}/roles`)
      .type('form')
      .send({ _csrf: csrf, role: 'auditor', scope: `region:${central.regionId}` });
    const grant = (await t.repos.users.grants(user.id)).find((g) => g.role === 'auditor')!;
    const page = await admin.agent.get(
      `/admin/users/${user.id}/confirm/roles-remove?grantId=${grant.id}`,
    );
    expect(impact(page.text)[0]).toBe(
      `Se quitará el rol Auditor en Región ${CENTRAL}. Rige desde la próxima acción de la persona, sin que tenga que volver a ingresar.`,
    );
  });

  it('when the person is outside the scope, or the act unknown, then 404 like any unknown id', async () => {
    const { user } = await makeUser(t.sequelize, { establishments: [capital] });
    expect((await admin.agent.get(`/admin/users/${user.id}/confirm/disable`)).status).toBe(404);
    const own = await withSessions(0);
    expect((await admin.agent.get(`/admin/users/${own.id}/confirm/format-disk`)).status).toBe(404);
  });
});

describe('confirming the deactivation of an establishment', () => {
  it('when it is opened then it counts who is assigned, who works only there and the sessions to close', async () => {
    const place = await makeEstablishment(t.sequelize, CENTRAL);
    await withSessions(1, [place]);
    await withSessions(1, [place, central2]);
    const page = await admin.agent.get(`/admin/establishments/${place.id}/confirm/deactivate`);
    expect(page.status).toBe(200);
    expect(impact(page.text)).toEqual([
      'Dejará de ofrecerse al iniciar sesión y al cambiar de establecimiento. 2 personas lo tienen asignado; las asignaciones se conservan y vuelven a valer si lo reactiva.',
      '1 persona trabaja solo allí: no podrá iniciar sesión hasta que se le asigne otro establecimiento.',
      'Se cerrarán 2 sesiones abiertas en él; cada persona verá por qué al volver.',
    ]);
    expect(formAction(page.text)).toBe(`/admin/establishments/${place.id}/deactivate`);
    expect((await t.repos.establishments.findById(place.id))!.active).toBe(true);
  });

  it('when the establishment is in another región then 404', async () => {
    const res = await admin.agent.get(`/admin/establishments/${capital.id}/confirm/deactivate`);
    expect(res.status).toBe(404);
  });
});

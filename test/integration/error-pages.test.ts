import { randomBytes } from 'node:crypto';
import { buildTestApp, type TestApp } from '../support/test-app';
import { makeEstablishment, makeUser } from '../support/factories';
import { agentFor } from '../support/http';
import { signedIn } from '../support/sign-in';

/**
 * 403 and 404 pages keep the signed-in header, say what happened where the path tells, and
 * lead back into the area the person was in. An id outside an admin's scope reads exactly like
 * an unknown one.
 */
jest.setTimeout(60_000);

let t: TestApp;
const tag = randomBytes(3).toString('hex');
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

const heading = (html: string) => /<h1 id="error-title">([^<]*)</.exec(html)?.[1];
const message = (html: string) =>
  /class="alert alert--error" role="alert">([^<]*)</.exec(html)?.[1];
const wayBack = (html: string) =>
  /<a class="button button--primary" href="([^"]*)">([^<]*)</.exec(html)?.slice(1);

describe('error pages', () => {
  it('when staff open the admin area then 403 with their header, why, and the way home', async () => {
    const staff = await signedIn(t);
    const res = await staff.agent.get('/admin/users');
    expect(res.status).toBe(403);
    expect(res.text).toContain(staff.user.fullName); // the header is there
    expect(res.text).toContain('Cerrar sesión');
    expect(message(res.text)).toContain('Esta sección es para administradores del HIS');
    expect(wayBack(res.text)).toEqual(['/', 'Volver al inicio']);
  });

  it('when staff open the audit area then 403 says it is for auditors', async () => {
    const staff = await signedIn(t);
    const res = await staff.agent.get('/audit/logins');
    expect(res.status).toBe(403);
    expect(message(res.text)).toBe('Esta sección es para auditores, y su cuenta no tiene ese rol.');
  });

  it('when a regional admin opens someone of another región or an unknown id then the same 404 names neither', async () => {
    const mine = await makeEstablishment(t.sequelize, `Región Errores A ${tag}`);
    const theirs = await makeEstablishment(t.sequelize, `Región Errores B ${tag}`);
    const admin = await signedIn(t, {
      role: 'admin',
      scope: `region:Región Errores A ${tag}`,
      establishments: [mine],
    });
    const { user: other } = await makeUser(t.sequelize, {
      establishments: [theirs],
      name: `Otra Persona ${tag}`,
    });
    const outside = await admin.agent.get(`/admin/users/${other.id}`);
    const unknown = await admin.agent.get('/admin/users/2000000000');
    for (const res of [outside, unknown]) {
      expect(res.status).toBe(404);
      expect(heading(res.text)).toBe('Persona no encontrada');
      expect(message(res.text)).toContain(
        'puede no existir, o trabajar solo en establecimientos fuera de su alcance',
      );
      expect(wayBack(res.text)).toEqual(['/admin/users', 'Volver a Usuarios']);
      expect(res.text).toContain(admin.user.fullName);
      expect(res.text).not.toContain(other.fullName);
    }
    const strip = (html: string) => html.replace(/value="[^"]*"/g, '');
    expect(strip(outside.text)).toBe(strip(unknown.text));
  });

  it('when a visitor asks for a page that does not exist then 404 leads to the login', async () => {
    const res = await agentFor(t.app).get('/no-existe');
    expect(res.status).toBe(404);
    expect(heading(res.text)).toBe('Página no encontrada');
    expect(wayBack(res.text)).toEqual(['/login', 'Ir al inicio de sesión']);
    expect(res.text).not.toContain('Cerrar sesión');
  });

  it('when a signed-in person asks for a page that does not exist then 404 keeps the header', async () => {
    const staff = await signedIn(t);
    const res = await staff.agent.get('/no-existe');
    expect(res.status).toBe(404);
    expect(res.text).toContain(staff.user.fullName);
    expect(wayBack(res.text)).toEqual(['/', 'Volver al inicio']);
  });
});

import { randomBytes } from 'node:crypto';
import type request from 'supertest';
import { buildTestApp, type TestApp } from '../support/test-app';
import { makeEstablishment } from '../support/factories';
import { agentFor, csrfOf, loginAndChoose } from '../support/http';
import { signedIn, type SignedInUser } from '../support/sign-in';
import type { EstablishmentRecord } from '../../src/storage/establishments';

/**
 * A person whose session someone else ended is told why on the login page, once: an
 * administrator closing it, a disable, a password reset, their establishment deactivated or
 * removed, their own "Cerrar mis otras sesiones" elsewhere. Before, they found a bare login form
 * (and, for an establishment, "no tiene establecimiento asignado" at the next login).
 */
jest.setTimeout(60_000);

let t: TestApp;
let admin: SignedInUser;
let home: EstablishmentRecord;
const tag = randomBytes(3).toString('hex');

beforeAll(async () => {
  t = await buildTestApp();
  home = await makeEstablishment(t.sequelize, `Región Avisos ${tag}`);
  admin = await signedIn(t, { role: 'admin' });
});
afterAll(() => t.close());

async function submit(agent: request.Agent, path: string, body: Record<string, unknown> = {}) {
  const csrf = await csrfOf(agent, '/');
  return agent
    .post(path)
    .type('form')
    .send({ ...body, _csrf: csrf });
}

/** The notice of the login page (role=status), or undefined. */
const noticeOf = (html: string) =>
  /class="alert alert--info" role="status">([^<]*)</.exec(html)?.[1];

/** What the person sees next: any page leads to the login, which tells why, once. */
async function nextVisit(agent: request.Agent, path = '/') {
  const first = await agent.get(path);
  expect(first.status).toBe(303);
  expect(first.headers.location).toBe('/login');
  const login = await agent.get('/login');
  expect(login.status).toBe(200);
  const again = await agent.get('/login');
  return { notice: noticeOf(login.text), noticeAgain: noticeOf(again.text) };
}

describe('the login page tells why someone else ended the session', () => {
  it('when an administrator closes one session then "Un administrador cerró su sesión", once', async () => {
    const person = await signedIn(t, { establishments: [home] });
    const [session] = await t.sessionIndex.summaries(person.user.id);
    await submit(admin.agent, `/admin/users/${person.user.id}/sessions/end`, {
      session: session!.handle,
    });
    const seen = await nextVisit(person.agent, '/me/access');
    expect(seen.notice).toBe('Un administrador cerró su sesión. Puede iniciar sesión nuevamente.');
    expect(seen.noticeAgain).toBeUndefined();
  });

  it('when an administrator closes all sessions then both browsers are told', async () => {
    const person = await signedIn(t, { establishments: [home] });
    await submit(admin.agent, `/admin/users/${person.user.id}/sessions/end-all`);
    expect((await nextVisit(person.agent)).notice).toContain('Un administrador cerró su sesión');
  });

  it('when the account is disabled then it says so and where to ask', async () => {
    const person = await signedIn(t, { establishments: [home] });
    await submit(admin.agent, `/admin/users/${person.user.id}/disable`);
    expect((await nextVisit(person.agent)).notice).toContain('Su cuenta fue desactivada');
  });

  it('when the password is reset then it points to the one-time password and the e-ID', async () => {
    const person = await signedIn(t, { establishments: [home] });
    await submit(admin.agent, `/admin/users/${person.user.id}/password`);
    expect((await nextVisit(person.agent)).notice).toContain(
      'Un administrador restableció su contraseña',
    );
  });

  it('when the establishment is deactivated then its name is told, not "sin establecimiento"', async () => {
    const place = await makeEstablishment(t.sequelize, `Región Avisos ${tag}`);
    const person = await signedIn(t, { establishments: [place, home] });
    const res = await submit(admin.agent, `/admin/establishments/${place.id}/deactivate`);
    expect(res.status).toBe(303);
    // Ended by the command, before any request of the person's.
    expect(await t.sessionIndex.list(person.user.id)).toEqual([]);
    expect((await nextVisit(person.agent)).notice).toBe(
      `El establecimiento «${place.name}» fue desactivado y su sesión en él se cerró. Inicie sesión y elija otro establecimiento, o consulte a un administrador.`,
    );
  });

  it('when the establishment is removed from the account then its name is told; a session elsewhere goes on', async () => {
    const place = await makeEstablishment(t.sequelize, `Región Avisos ${tag}`);
    const person = await signedIn(t, { establishments: [place, home] });
    const elsewhere = await signedIn(t, { establishments: [home] });
    await submit(admin.agent, `/admin/users/${person.user.id}/establishments/remove`, {
      establishmentId: place.id,
    });
    expect((await nextVisit(person.agent)).notice).toContain(
      `Un administrador le quitó «${place.name}» de su cuenta`,
    );
    expect((await elsewhere.agent.get('/')).status).toBe(200);
  });

  it('when the identity changed without a command ending the session then the request says the establishment is gone', async () => {
    const place = await makeEstablishment(t.sequelize, `Región Avisos ${tag}`);
    const person = await signedIn(t, { establishments: [place] });
    await t.repos.transaction((tx) =>
      t.repos.establishments.update(place.id, { active: false }, tx),
    );
    await t.identities.refresh(person.user.id);
    expect((await nextVisit(person.agent)).notice).toContain(
      'El establecimiento en el que trabajaba ya no está disponible',
    );
  });

  it('when the person closes their other sessions then the other browser is told it was them', async () => {
    const person = await signedIn(t, { establishments: [home] });
    const other = await signedIn(t, { establishments: [home] });
    // The same person's second browser.
    const second = agentFor(t.app);
    await loginAndChoose(second, person.user.username, person.password, home.id);
    await submit(person.agent, '/me/sessions/close-others');
    expect((await nextVisit(second)).notice).toContain('Esta sesión se cerró desde otro equipo');
    expect((await other.agent.get('/')).status).toBe(200);
  });

  it('when the person logs out then the login says only "Cerró su sesión"', async () => {
    const person = await signedIn(t, { establishments: [home] });
    const out = await submit(person.agent, '/logout');
    const login = await person.agent.get(out.headers.location!);
    expect(noticeOf(login.text)).toBe('Cerró su sesión correctamente.');
    expect(noticeOf((await person.agent.get('/login')).text)).toBeUndefined();
  });

  it('when a form is posted with the ended session then it leads to the login and its notice', async () => {
    const person = await signedIn(t, { establishments: [home] });
    const csrf = await csrfOf(person.agent, '/');
    await submit(admin.agent, `/admin/users/${person.user.id}/sessions/end-all`);
    const posted = await person.agent
      .post('/me/sessions/close-others')
      .type('form')
      .send({ _csrf: csrf });
    expect(posted.status).toBe(303);
    expect(posted.headers.location).toBe('/login');
    expect(noticeOf((await person.agent.get('/login')).text)).toContain(
      'Un administrador cerró su sesión',
    );
  });
});

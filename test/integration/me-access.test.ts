import type request from 'supertest';
import { buildTestApp, type TestApp } from '../support/test-app';
import { makeEstablishment, makeUser, TEST_PASSWORD } from '../support/factories';
import { agentFor, csrfOf, loginAndChoose, postLogin } from '../support/http';
import { appendLoginEvent, type LoginEvent } from '../../src/storage/audit/login-events';
import type { EstablishmentRecord } from '../../src/storage/establishments';
import type { UserRecord } from '../../src/storage/users';

jest.setTimeout(60_000);

/**
 * "Mis accesos" and the one-time notice after a login. Each test makes its own users; rows of
 * the history are told apart by IPs only this file uses (10.77.x.x).
 */
let t: TestApp;
let home: EstablishmentRecord;

beforeAll(async () => {
  t = await buildTestApp({}, { start: '2026-11-20T12:00:00Z' }); // 09:00 in Asunción
  home = await makeEstablishment(t.sequelize);
});
afterAll(() => t.close());

const person = async () => (await makeUser(t.sequelize, { establishments: [home] })).user;

const signIn = async (user: UserRecord): Promise<request.Agent> => {
  const agent = agentFor(t.app);
  const res = await loginAndChoose(agent, user.username, TEST_PASSWORD, home.id);
  expect(res.headers.location).toBe('/');
  return agent;
};

const event = (user: UserRecord, e: Partial<LoginEvent>) =>
  appendLoginEvent(t.sequelize, {
    occurredAt: t.clock.now(),
    userId: user.id,
    username: user.username,
    method: 'classic',
    outcome: 'failure',
    reason: 'bad_password',
    establishmentId: null,
    ip: null,
    userAgent: null,
    ...e,
  });

/** The text of the home page's one-time notice, or null. */
const noticeOf = (html: string): string | null => {
  const match = /data-testid="last-login">([\s\S]*?)<\/div>/.exec(html);
  return match
    ? match[1]!
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim()
    : null;
};

describe('GET /me/access: own logins and failed attempts', () => {
  it('when a person opens it then their logins and failures are listed and never another person’s', async () => {
    const me = await person();
    const other = await person();
    t.clock.set('2026-10-15T12:00:00Z'); // 36 days ago: out of the 30 days shown
    await event(me, { ip: '10.77.0.99' });
    t.clock.set('2026-11-19T12:00:00Z');
    await event(me, { ip: '10.77.0.1', userAgent: '<img src=x onerror=alert(1)>' });
    await event(me, { ip: '10.77.0.2', method: 'eid', reason: 'eid_identity_mismatch' });
    await event(other, { ip: '10.77.9.9' });
    await event(other, { ip: '10.77.9.8', outcome: 'success', reason: 'login' });
    t.clock.set('2026-11-20T12:00:00Z');
    const agent = await signIn(me);

    const res = await agent.get('/me/access');
    expect(res.status).toBe(200);
    const table = /data-testid="access-history"[\s\S]*?<\/table>/.exec(res.text)![0];
    expect(table).toContain('10.77.0.1');
    expect(table).toContain('10.77.0.2');
    expect(table).toContain('Contraseña incorrecta');
    expect(table).toContain('Cédula vinculada a otra identidad');
    expect(table).toContain(home.name); // this login, at its establishment
    expect(table).not.toContain('10.77.0.99');
    expect(res.text).not.toContain('10.77.9.');
    // Newest first: this login, then the two failures of yesterday.
    const body = /<tbody>([\s\S]*)<\/tbody>/.exec(table)![1]!;
    const rows = [...body.matchAll(/<tr[\s\S]*?<\/tr>/g)].map((m) => m[0]);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toContain('20/11/2026 09:00');
    expect(rows[0]).not.toContain('data-failed');
    expect(rows[1]).toContain('10.77.0.2');
    // A user agent is text, never markup.
    expect(res.text).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(res.text).not.toContain('<img src=x');
    expect(res.text).toMatch(
      /data-testid="access-counts">En los últimos 30 días: 1 ingreso y 2 intentos fallidos/,
    );

    const failures = await agent.get('/me/access?ver=fallidos');
    expect(failures.text).not.toContain(`<td data-label="Establecimiento">${home.name}</td>`);
    expect((failures.text.match(/data-failed="true"/g) ?? []).length).toBe(2);
  });

  it('when there are more than 50 rows, some at the same instant, then paging loses and repeats none', async () => {
    const me = await person();
    t.clock.set('2026-11-18T12:00:00Z');
    for (let i = 0; i < 56; i++) {
      if (i % 4 === 0) t.clock.advanceMinutes(1); // groups of four rows share one timestamp
      await event(me, { ip: `10.77.1.${i}` });
    }
    t.clock.set('2026-11-20T12:00:00Z');
    const agent = await signIn(me);
    const first = await agent.get('/me/access?ver=fallidos');
    const ips = (html: string) => [...html.matchAll(/10\.77\.1\.(\d+)/g)].map((m) => Number(m[1]));
    expect(ips(first.text)).toHaveLength(50);
    const older = /href="([^"]+)">Ver más antiguos/.exec(first.text)![1]!.replace(/&amp;/g, '&');
    expect(older).toMatch(/ver=fallidos/);
    const second = await agent.get(older);
    expect(second.text).not.toContain('Ver más antiguos');
    expect(second.text).toContain('« Los más recientes');
    const seen = [...ips(first.text), ...ips(second.text)];
    expect(seen).toHaveLength(56);
    expect(new Set(seen).size).toBe(56);
    expect(seen[0]).toBe(55); // newest first
  });

  it('when the page link is not one we issued then the newest rows are shown with a notice', async () => {
    const agent = await signIn(await person());
    const res = await agent.get('/me/access?antes=2026-11-20T00:00:00Z~1%27%3B');
    expect(res.status).toBe(200);
    expect(res.text).toContain('El enlace de la página no es válido');
  });
});

describe('open sessions on /me/access', () => {
  it('when a person has two sessions then both are listed, this one marked, and the other can be closed', async () => {
    const me = await person();
    const elsewhere = await signIn(me);
    const here = await signIn(me);
    const page = await here.get('/me/access');
    const sessions = /data-testid="sessions"[\s\S]*?<\/table>/.exec(page.text)![0];
    expect((sessions.match(/<tr/g) ?? []).length).toBe(3); // header + 2
    expect((sessions.match(/Esta sesión/g) ?? []).length).toBe(1);
    expect(page.text).toContain('Tiene 1 sesión abierta en otros equipos o navegadores.');

    const closed = await here
      .post('/me/sessions/close-others')
      .type('form')
      .send({ _csrf: await csrfOf(here, '/me/access'), returnTo: '/me/access' });
    expect(closed.status).toBe(303);
    expect(closed.headers.location).toBe('/me/access');
    const after = await here.get('/me/access');
    expect(after.text).toContain('Se cerró 1 sesión abierta en otro equipo o navegador.');
    expect(after.text).toContain('No tiene sesiones abiertas en otros equipos o navegadores.');
    expect((await elsewhere.get('/').redirects(0)).headers.location).toBe('/login');
  });

  it('when returnTo names another place then the close still goes home, never there', async () => {
    const me = await person();
    const agent = await signIn(me);
    const res = await agent
      .post('/me/sessions/close-others')
      .type('form')
      .send({ _csrf: await csrfOf(agent, '/'), returnTo: 'https://example.org/' });
    expect(res.headers.location).toBe('/');
  });
});

describe('the one-time notice of the previous login', () => {
  it('when a person logs in for the first time then no notice is shown', async () => {
    const agent = await signIn(await person());
    expect(noticeOf((await agent.get('/')).text)).toBeNull();
  });

  it('when a person logs in again then the previous login is told once, and not on the next page', async () => {
    const me = await person();
    t.clock.set('2026-11-20T12:12:00Z');
    await signIn(me);
    t.clock.set('2026-11-21T11:00:00Z');
    const agent = await signIn(me);
    const first = await agent.get('/');
    expect(noticeOf(first.text)).toBe(
      `Su último ingreso fue el 20/11/2026 09:12 desde 127.0.0.1 (${home.name}). ` +
        'Desde entonces no hubo intentos fallidos con su usuario. Ver mis accesos',
    );
    expect(first.text).toContain('href="/me/access"');
    expect(noticeOf((await agent.get('/')).text)).toBeNull();
    t.clock.set('2026-11-20T12:00:00Z');
  });

  it('when there were failed attempts since the previous login then their count is told', async () => {
    const me = await person();
    const other = await person();
    await signIn(me);
    t.clock.advanceMinutes(30);
    const stranger = agentFor(t.app);
    for (let i = 0; i < 3; i++) {
      const res = await postLogin(stranger, me.username, 'not-the-password');
      expect(res.status).toBe(401);
    }
    await postLogin(stranger, other.username, 'not-the-password'); // someone else's: not counted
    t.clock.advanceMinutes(30);
    const agent = await signIn(me);
    const notice = noticeOf((await agent.get('/')).text);
    expect(notice).toContain('Desde entonces hubo 3 intentos fallidos con su usuario.');
    expect(notice).toContain('Si no fue usted, cambie su contraseña');
    t.clock.set('2026-11-20T12:00:00Z');
  });
});

import request from 'supertest';
import { buildTestApp, type TestApp } from '../support/test-app';
import { agentFor, csrfFrom, csrfOf, sessionCookie } from '../support/http';
import { makeUser, TEST_PASSWORD } from '../support/factories';
import { signedIn } from '../support/sign-in';
import { csrfCookieName } from '../../src/web/csrf';

jest.setTimeout(120_000);

/**
 * Anonymous pages cost Redis nothing (the login form's CSRF token is a signed double-submit
 * cookie, not a session), and a state-changing request sent by another site is refused even
 * with a valid token.
 */
let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

/** Every key under this app's own Redis prefix (other test files share the server). */
async function keysOfThisApp(): Promise<string[]> {
  const keys: string[] = [];
  for await (const batch of t.redis.scanIterator({
    MATCH: `${t.config.redis.keyPrefix}*`,
    COUNT: 1000,
  }))
    keys.push(...batch);
  return keys;
}

const CSRF_COOKIE = csrfCookieName(false);
const cookiesOf = (res: request.Response): string[] =>
  ([] as string[]).concat(res.headers['set-cookie'] ?? []);
/** The `name=value` pair of the double-submit cookie a response set. */
const csrfCookieOf = (res: request.Response) =>
  cookiesOf(res)
    .find((c) => c.startsWith(`${CSRF_COOKIE}=`))
    ?.split(';')[0];

/** A fresh visitor's login page: its double-submit cookie and the form's token. */
async function loginPage() {
  const page = await request(t.app).get('/login').expect(200);
  return { cookie: csrfCookieOf(page)!, token: csrfFrom(page.text) };
}

describe('anonymous pages create no server-side session', () => {
  it('when 1,000 visitors each open /login and 1,000 open /login/forgot then Redis holds no new key', async () => {
    // Measured on the landed code (csrf-sync stored each page's token in a new session):
    // 1,000 GET /login made 1,000 `sess:` keys of 30 minutes each, /login/forgot as many again.
    const before = new Set(await keysOfThisApp());
    const BATCH = 25;
    for (let i = 0; i < 1000; i += BATCH) {
      const pages = await Promise.all(
        Array.from({ length: BATCH }, (_, j) =>
          request(t.app).get(j % 2 ? '/login' : '/login/forgot'),
        ).concat(
          Array.from({ length: BATCH }, (_, j) =>
            request(t.app).get(j % 2 ? '/login/forgot' : '/login'),
          ),
        ),
      );
      for (const page of pages) {
        expect(page.status).toBe(200);
        expect(sessionCookie(page)).toBeUndefined();
      }
    }
    const created = (await keysOfThisApp()).filter((k) => !before.has(k));
    expect(created).toEqual([]);
  });

  it('when the login page is served then its token pairs with an HttpOnly SameSite=Lax cookie, __Host- prefixed when cookies are Secure', async () => {
    const page = await request(t.app).get('/login').expect(200);
    const cookie = cookiesOf(page).find((c) => c.startsWith(`${CSRF_COOKIE}=`));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);
    expect(csrfCookieName(true)).toBe('__Host-his.csrf');

    const secure = await buildTestApp({ COOKIE_SECURE: 'true' });
    try {
      const securePage = await request(secure.app).get('/login').expect(200);
      const secureCookie = cookiesOf(securePage).find((c) => c.startsWith('__Host-his.csrf='));
      expect(secureCookie).toMatch(/; Secure/);
      expect(secureCookie).toMatch(/Path=\//);
      expect(secureCookie).not.toMatch(/Domain=/);
    } finally {
      await secure.close();
    }
  });

  it('when a visitor reloads the form then the same cookie is kept and no new one is set', async () => {
    const agent = agentFor(t.app);
    const first = await agent.get('/login').expect(200);
    expect(csrfCookieOf(first)).toBeDefined();
    const second = await agent.get('/login').expect(200);
    expect(csrfCookieOf(second)).toBeUndefined();
    expect(csrfFrom(second.text)).toBe(csrfFrom(first.text));
  });

  it('when the e-ID button is followed then its session holds only the flow, for the flow lifetime', async () => {
    const res = await request(t.app).get('/auth/eid').expect(303);
    const sid = decodeURIComponent(sessionCookie(res)!.split('=')[1]!).slice(2).split('.')[0]!;
    const ttl = await t.redis.ttl(`${t.config.redis.keyPrefix}sess:${sid}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(t.config.eid.flowTtlInMinutes * 60);
  });
});

describe('the login form checks its double-submit token', () => {
  it('when the form is posted with its own cookie and token then the login goes on', async () => {
    const { user } = await makeUser(t.sequelize);
    const agent = agentFor(t.app);
    const csrf = await csrfOf(agent, '/login');
    const res = await agent
      .post('/login')
      .type('form')
      .send({ username: user.username, password: TEST_PASSWORD, _csrf: csrf });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login/establishment');
  });

  it.each([
    ['the token is missing', (p: { cookie: string; token: string }) => ({ cookie: p.cookie })],
    [
      'the token is forged',
      (p: { cookie: string; token: string }) => ({
        cookie: p.cookie,
        token: Buffer.alloc(32, 7).toString('base64url'),
      }),
    ],
    ['the cookie is missing', (p: { cookie: string; token: string }) => ({ token: p.token })],
    [
      'the cookie is not the one the token was made for',
      (p: { cookie: string; token: string }) => ({
        cookie: `${CSRF_COOKIE}=another-browsers-value`,
        token: p.token,
      }),
    ],
  ])('when %s then 403 and nobody is logged in', async (_case, pick) => {
    const { user } = await makeUser(t.sequelize);
    const sent = pick(await loginPage());
    let req = request(t.app).post('/login').type('form');
    if ('cookie' in sent && sent.cookie) req = req.set('Cookie', sent.cookie);
    const res = await req.send({
      username: user.username,
      password: TEST_PASSWORD,
      ...('token' in sent ? { _csrf: sent.token } : {}),
    });
    expect(res.status).toBe(403);
    expect(res.text).toContain('El formulario expiró o no es válido');
    expect(sessionCookie(res)).toBeUndefined();
  });

  it("when another visitor's cookie and token pair is used then 403", async () => {
    const { user } = await makeUser(t.sequelize);
    const mine = await loginPage();
    const theirs = await loginPage();
    const res = await request(t.app)
      .post('/login')
      .type('form')
      .set('Cookie', mine.cookie)
      .send({ username: user.username, password: TEST_PASSWORD, _csrf: theirs.token });
    expect(res.status).toBe(403);
  });

  it('when a whole pair obtained by another browser is planted then it is accepted: the pair is not bound to a visitor (what docs/security-and-reliability.md says)', async () => {
    const { user } = await makeUser(t.sequelize);
    const planted = await loginPage();
    const res = await request(t.app)
      .post('/login')
      .type('form')
      .set('Cookie', planted.cookie)
      .send({ username: user.username, password: TEST_PASSWORD, _csrf: planted.token });
    expect(res.status).toBe(303);
    // What stops another site using a pair it planted is the Origin check, before the token.
    const fromElsewhere = await request(t.app)
      .post('/login')
      .type('form')
      .set('Cookie', planted.cookie)
      .set('Origin', 'https://atacante.example')
      .send({ username: user.username, password: TEST_PASSWORD, _csrf: planted.token });
    expect(fromElsewhere.status).toBe(403);
  });

  it('when a signed-in session posts a double-submit token instead of its own then 403', async () => {
    const { agent } = await signedIn(t);
    const anonymous = await loginPage();
    const res = await agent
      .post('/logout')
      .type('form')
      .set('Cookie', anonymous.cookie)
      .send({ _csrf: anonymous.token });
    expect(res.status).toBe(403);
    expect((await agent.get('/')).status).toBe(200);
  });

  it('when "¿Olvidó su contraseña?" is posted with its token then the e-ID login starts', async () => {
    const agent = agentFor(t.app);
    const csrf = await csrfOf(agent, '/login/forgot');
    const res = await agent.post('/login/forgot').type('form').send({ _csrf: csrf });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/auth/eid?intent=password-reset');
  });
});

describe('state-changing requests from another site are refused even with a valid token', () => {
  const post = async (headers: Record<string, string>) => {
    const { user } = await makeUser(t.sequelize);
    const page = await loginPage();
    let req = request(t.app).post('/login').type('form').set('Cookie', page.cookie);
    for (const [name, value] of Object.entries(headers)) req = req.set(name, value);
    return req.send({ username: user.username, password: TEST_PASSWORD, _csrf: page.token });
  };
  const expectOriginRefused = (res: request.Response) => {
    expect(res.status).toBe(403);
    expect(res.text).toContain('La solicitud llegó desde otro sitio y fue rechazada');
    expect(sessionCookie(res)).toBeUndefined();
  };

  it.each([
    ['a foreign Origin', { Origin: 'https://atacante.example' }],
    ['a foreign Origin on the same host with another port', { Origin: 'http://localhost:4000' }],
    ['the opaque Origin null', { Origin: 'null' }],
    ['Sec-Fetch-Site: cross-site', { 'Sec-Fetch-Site': 'cross-site' }],
    [
      'Sec-Fetch-Site: cross-site with our own Origin',
      { 'Sec-Fetch-Site': 'cross-site', Origin: 'http://localhost:3000' },
    ],
    ['no Origin and a foreign Referer', { Referer: 'https://atacante.example/formulario' }],
    [
      'a sibling HIS site (same-site) with its Origin',
      { 'Sec-Fetch-Site': 'same-site', Origin: 'http://otro-modulo.localhost:3000' },
    ],
  ])('when the login form arrives with %s then 403 origin_refused', async (_case, headers) => {
    expectOriginRefused(await post(headers));
  });

  it('when a foreign Origin is asked for JSON then the code is origin_refused', async () => {
    const res = await post({ Origin: 'https://atacante.example', Accept: 'application/json' });
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('origin_refused');
  });

  it.each([
    ["BASE_URL's Origin", { Origin: 'http://localhost:3000', 'Sec-Fetch-Site': 'same-origin' }],
    ["the request's own Origin (its Host)", { Host: 'his.test', Origin: 'http://his.test' }],
    ['no Origin and our own Referer', { Referer: 'http://localhost:3000/login' }],
    ['neither Origin nor Referer (a non-browser client)', {}],
  ])('when the login form arrives with %s then it is accepted', async (_case, headers) => {
    const res = await post(headers);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login/establishment');
  });

  it('when a signed-in session posts a valid token from a foreign Origin then 403 and the session stays', async () => {
    const { agent } = await signedIn(t);
    const csrf = await csrfOf(agent, '/');
    const res = await agent
      .post('/logout')
      .set('Origin', 'https://atacante.example')
      .type('form')
      .send({ _csrf: csrf });
    expect(res.status).toBe(403);
    expect(res.text).toContain('rechazada');
    expect((await agent.get('/')).status).toBe(200);
    const same = await agent
      .post('/logout')
      .set('Origin', 'http://localhost:3000')
      .type('form')
      .send({ _csrf: csrf });
    expect(same.headers.location).toBe('/login?bye=1');
  });

  it('when our own pages are served then they ask for Referrer-Policy same-origin (no-referrer makes browsers send Origin: null)', async () => {
    const res = await request(t.app).get('/login');
    expect(res.headers['referrer-policy']).toBe('same-origin');
  });
});

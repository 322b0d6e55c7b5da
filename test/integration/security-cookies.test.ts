import request from 'supertest';
import { buildTestApp, type TestApp } from '../support/test-app';
import { makeUser, TEST_PASSWORD } from '../support/factories';
import { csrfFrom } from '../support/http';
import { SESSION_COOKIE } from '../../src/web/session/middleware';

/**
 * The attributes of every cookie the app sets, in development and in production behind a TLS
 * proxy: the session cookie (his.sid) and the login form's CSRF cookie. Read from the raw
 * Set-Cookie headers (an agent's cookie jar would hide Secure cookies on a plain-HTTP test URL).
 */

interface SetCookie {
  name: string;
  value: string;
  /** Attribute names in lower case → value ('' for flags). */
  attributes: Map<string, string>;
}

function parseSetCookie(line: string): SetCookie {
  const [pair, ...rest] = line.split(';').map((s) => s.trim());
  const at = pair!.indexOf('=');
  const attributes = new Map<string, string>();
  for (const attribute of rest) {
    const eq = attribute.indexOf('=');
    if (eq < 0) attributes.set(attribute.toLowerCase(), '');
    else attributes.set(attribute.slice(0, eq).toLowerCase(), attribute.slice(eq + 1));
  }
  return { name: pair!.slice(0, at), value: pair!.slice(at + 1), attributes };
}

/** A browser by hand: keeps cookies by name and sends `headers` (X-Forwarded-Proto) each time. */
class Browser {
  readonly jar = new Map<string, string>();
  /** Every Set-Cookie seen, in order. */
  readonly seen: SetCookie[] = [];
  constructor(
    private readonly app: TestApp['app'],
    private readonly headers: Record<string, string>,
  ) {}

  private keep(res: request.Response) {
    for (const line of ([] as string[]).concat(res.headers['set-cookie'] ?? [])) {
      const cookie = parseSetCookie(line);
      this.seen.push(cookie);
      const expires = cookie.attributes.get('expires');
      if (expires && new Date(expires).getTime() < Date.now()) this.jar.delete(cookie.name);
      else this.jar.set(cookie.name, cookie.value);
    }
    return res;
  }

  private cookieHeader() {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(path: string) {
    return this.keep(
      await request(this.app).get(path).set(this.headers).set('Cookie', this.cookieHeader()),
    );
  }

  async post(path: string, form: Record<string, string | number>) {
    return this.keep(
      await request(this.app)
        .post(path)
        .set(this.headers)
        .set('Cookie', this.cookieHeader())
        .type('form')
        .send(form),
    );
  }

  /** The classic login form (fetched first for its token) posted with the right password. */
  async login(username: string) {
    return this.post('/login', {
      username,
      password: TEST_PASSWORD,
      _csrf: csrfFrom((await this.get('/login')).text),
    });
  }

  /** Classic login and the establishment choice; returns the last answer. */
  async signIn(username: string, establishmentId: number) {
    const login = await this.login(username);
    expect(login.headers.location).toBe('/login/establishment');
    const page = await this.get('/login/establishment');
    return this.post('/login/establishment', { establishmentId, _csrf: csrfFrom(page.text) });
  }

  cookiesNamed(name: string) {
    return this.seen.filter((c) => c.name === name);
  }
}

/** What a production deployment must set (src/config: required in production). */
const PRODUCTION = {
  NODE_ENV: 'production',
  BASE_URL: 'https://acceso.his.example.py',
  SESSION_SECRET: 'production-like-secret-for-the-cookie-test-0123456789',
  EID_CLIENT_ID: 'his-acceso',
  EID_CLIENT_SECRET: 'production-like-client-secret-0123456789',
  EID_AUTHORIZE_URL: 'https://eid.example.py/login',
  EID_TOKEN_URL: 'https://eid.example.py/rest/authentication',
  EID_ISSUER: 'https://eid.example.py',
  LOG_LEVEL: 'silent',
};
/** What nginx in front of the app adds (TRUST_PROXY's default trusts the loopback peer). */
const BEHIND_TLS_PROXY = { 'X-Forwarded-Proto': 'https' };

const expectAttributes = (cookie: SetCookie, expected: { secure: boolean }, name = cookie.name) => {
  const a = cookie.attributes;
  expect({
    name,
    httpOnly: a.has('httponly'),
    sameSite: a.get('samesite'),
    path: a.get('path'),
  }).toEqual({ name, httpOnly: true, sameSite: 'Lax', path: '/' });
  expect({ name, secure: a.has('secure') }).toEqual({ name, secure: expected.secure });
  // A cookie that ends with the browser (shared ward PCs), and no Domain to widen it.
  expect({
    name,
    maxAge: a.get('max-age'),
    expires: a.get('expires'),
    domain: a.get('domain'),
  }).toEqual({ name, maxAge: undefined, expires: undefined, domain: undefined });
};

describe.each([
  ['development', { NODE_ENV: 'development', LOG_LEVEL: 'silent' }, {}, false],
  ['production behind a TLS proxy', PRODUCTION, BEHIND_TLS_PROXY, true],
] as const)('cookies in %s', (_name, env, headers, secure) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ ...env });
  });
  afterAll(() => t.close());

  it(`when a visitor opens the login form then only the CSRF cookie is set, ${secure ? 'Secure' : 'without Secure'}`, async () => {
    const browser = new Browser(t.app, headers);
    const res = await browser.get('/login');
    expect(res.status).toBe(200);
    expect(browser.cookiesNamed(SESSION_COOKIE)).toEqual([]);
    const csrfCookies = browser.seen.filter((c) => c.name !== SESSION_COOKIE);
    expect(csrfCookies.map((c) => c.name)).toEqual([secure ? '__Host-his.csrf' : 'his.csrf']);
    expectAttributes(csrfCookies[0]!, { secure });
  });

  it(`when a user signs in then his.sid is HttpOnly, SameSite=Lax, Path=/, ${secure ? 'Secure' : 'not Secure'}, with no lifetime`, async () => {
    const { user, establishments } = await makeUser(t.sequelize);
    const browser = new Browser(t.app, headers);
    const done = await browser.signIn(user.username, establishments[0]!.id);
    expect(done.headers.location).toBe('/');
    expect((await browser.get('/')).status).toBe(200);
    const sessionCookies = browser.cookiesNamed(SESSION_COOKIE);
    expect(sessionCookies.length).toBeGreaterThan(0);
    for (const cookie of sessionCookies) expectAttributes(cookie, { secure });
    // Every cookie of the whole journey is one of the two known ones.
    expect([...new Set(browser.seen.map((c) => c.name))].sort()).toEqual(
      [SESSION_COOKIE, secure ? '__Host-his.csrf' : 'his.csrf'].sort(),
    );
  });

  it('when the user logs out then his.sid is cleared with the same attributes', async () => {
    const { user, establishments } = await makeUser(t.sequelize);
    const browser = new Browser(t.app, headers);
    await browser.signIn(user.username, establishments[0]!.id);
    const home = await browser.get('/');
    const bye = await browser.post('/logout', { _csrf: csrfFrom(home.text) });
    expect(bye.headers.location).toBe('/login?bye=1');
    const cleared = browser.cookiesNamed(SESSION_COOKIE).at(-1)!;
    expect(cleared.value).toBe('');
    expect(new Date(cleared.attributes.get('expires')!).getTime()).toBeLessThan(Date.now());
    expect(cleared.attributes.has('secure')).toBe(secure);
    expect(cleared.attributes.has('httponly')).toBe(true);
    expect((await browser.get('/')).headers.location).toBe('/login');
  });

  it(`when a page is served then HSTS is ${secure ? 'sent' : 'not sent'}`, async () => {
    const res = await new Browser(t.app, headers).get('/login');
    expect(Boolean(res.headers['strict-transport-security'])).toBe(secure);
  });
});

describe('production over plain HTTP (no TLS proxy in front)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(PRODUCTION);
  });
  afterAll(() => t.close());

  it('when a user signs in without X-Forwarded-Proto then no session cookie leaves the server', async () => {
    const { user } = await makeUser(t.sequelize);
    const browser = new Browser(t.app, {});
    await browser.get('/login');
    const login = await browser.login(user.username);
    // The credentials are accepted, but express-session sends no Secure cookie over plain HTTP.
    expect(login.headers.location).toBe('/login/establishment');
    expect(browser.cookiesNamed(SESSION_COOKIE)).toEqual([]);
    expect((await browser.get('/login/establishment')).headers.location).toBe('/login');
  });

  it('when X-Forwarded-Proto comes from an untrusted peer then it is ignored', async () => {
    const untrusted = await buildTestApp({ ...PRODUCTION, TRUST_PROXY: '10.9.9.9' });
    try {
      const { user } = await makeUser(untrusted.sequelize);
      const browser = new Browser(untrusted.app, BEHIND_TLS_PROXY);
      const login = await browser.login(user.username);
      expect(login.headers.location).toBe('/login/establishment');
      expect(browser.cookiesNamed(SESSION_COOKIE)).toEqual([]);
    } finally {
      await untrusted.close();
    }
  });
});

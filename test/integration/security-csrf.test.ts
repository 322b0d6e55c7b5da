import { randomBytes } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import type request from 'supertest';
import { buildTestApp, type TestApp } from '../support/test-app';
import { makeEstablishment, makeUser, TEST_PASSWORD } from '../support/factories';
import { agentFor, csrfFrom, loginAndChoose } from '../support/http';
import { listRoutes, type RouteInfo } from '../support/routes';
import {
  IMPORT_FILE_FIELD,
  IMPORT_UPLOAD_PATH,
} from '../../src/areas/admin/establishments/import-routes';

/**
 * CSRF on every state-changing route, the list read from the router itself (a route added
 * tomorrow is covered without anyone listing it). Each is sent by an actor its policy lets in:
 * without a token, with another session's token, and with a valid token from a foreign Origin
 * (or `Sec-Fetch-Site: cross-site`). Each must be refused with 403 and its own code, and nothing
 * may change; the same request with its own valid token then gets past both checks, so the 403s
 * above are the checks' and not something else's.
 */
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const FOREIGN = 'https://evil.example';

let t: TestApp;
const region = `Región CSRF ${randomBytes(3).toString('hex')}`;
let admin: { id: number; username: string; establishmentId: number };
let victim: { username: string };
let adminAgent: request.Agent;

/**
 * POSTs that other sites send by protocol: RP-Initiated Logout 1.0 lets a module send its logout
 * request as a form from its own origin. It changes nothing: it only sends the browser to a page
 * of ours, whose own form carries the CSRF token (checked apart below).
 */
const CROSS_SITE_BY_PROTOCOL = new Set(['POST /oidc/session/end']);
const stateChanging = (): RouteInfo[] =>
  listRoutes(t.app).filter(
    (r) => !SAFE.has(r.method) && !CROSS_SITE_BY_PROTOCOL.has(`${r.method} ${r.path}`),
  );
const isPublic = (route: RouteInfo) => route.policy === 'public';

beforeAll(async () => {
  t = await buildTestApp();
  const home = await makeEstablishment(t.sequelize, region);
  const made = await makeUser(t.sequelize, { role: 'admin', establishments: [home] });
  admin = { id: made.user.id, username: made.user.username, establishmentId: home.id };
  victim = { username: (await makeUser(t.sequelize, { establishments: [home] })).user.username };
});
afterAll(() => t.close());

/** The administrator's signed-in agent (signed in again when a positive control logged out). */
async function adminSession(): Promise<request.Agent> {
  if (adminAgent && (await adminAgent.get('/').redirects(0)).status === 200) return adminAgent;
  adminAgent = agentFor(t.app);
  const done = await loginAndChoose(
    adminAgent,
    admin.username,
    TEST_PASSWORD,
    admin.establishmentId,
  );
  expect(done.headers.location).toBe('/');
  return adminAgent;
}

/** An agent allowed to use the route (a visitor for public routes) and its own valid token. */
async function actorFor(route: RouteInfo): Promise<{ agent: request.Agent; token: string }> {
  if (isPublic(route)) {
    const agent = agentFor(t.app);
    return { agent, token: csrfFrom((await agent.get('/login')).text) };
  }
  const agent = await adminSession();
  return { agent, token: csrfFrom((await agent.get('/').redirects(0)).text) };
}

/** Tokens that are valid, but for another visitor / another signed-in session. */
let otherTokens: { visitor: string; session: string };
async function foreignToken(route: RouteInfo): Promise<string> {
  if (!otherTokens) {
    const visitor = agentFor(t.app);
    const other = agentFor(t.app);
    const { user, establishments } = await makeUser(t.sequelize, { role: 'admin' });
    await loginAndChoose(other, user.username, TEST_PASSWORD, establishments[0]!.id);
    otherTokens = {
      visitor: csrfFrom((await visitor.get('/login')).text),
      session: csrfFrom((await other.get('/')).text),
    };
  }
  return isPublic(route) ? otherTokens.visitor : otherTokens.session;
}

/** Real targets for the route's parameters, so a request that got through would change them. */
async function concretePath(route: RouteInfo): Promise<string> {
  if (!route.path.includes(':')) return route.path;
  const establishment = await makeEstablishment(t.sequelize, region);
  // An e-ID-only account: no password to hash, the same target for every admin action.
  const { user } = await makeUser(t.sequelize, { establishments: [establishment], password: null });
  return route.path.replace(/:(\w+)/g, () => {
    if (route.path.startsWith('/admin/users/')) return String(user.id);
    if (route.path.startsWith('/admin/regions/')) return String(establishment.regionId);
    return String(establishment.id);
  });
}

/** A plausible form for any route: what a real one would send, plus `_csrf` when given. */
function formFor(token: string | undefined): Record<string, string> {
  return {
    ...(token === undefined ? {} : { _csrf: token }),
    username: victim.username,
    password: TEST_PASSWORD,
    establishmentId: String(admin.establishmentId),
    reason: 'Prueba de CSRF',
    name: 'Nombre cambiado por CSRF',
    role: 'admin',
  };
}

function send(
  agent: request.Agent,
  route: RouteInfo,
  path: string,
  token: string | undefined,
  headers: Record<string, string> = {},
) {
  const method = route.method.toLowerCase() as 'post';
  const req = agent[method](path).set('Accept', 'application/json').set(headers).redirects(0);
  if (route.path === IMPORT_UPLOAD_PATH) {
    const withToken = token === undefined ? req : req.field('_csrf', token);
    return withToken.attach(IMPORT_FILE_FIELD, Buffer.from('code,name,region\nX-1,Uno,Central\n'), {
      filename: 'establecimientos.csv',
      contentType: 'text/csv',
    });
  }
  return req.type('form').send(formFor(token));
}

const refusedWith = (res: request.Response, code: string) =>
  res.status === 403 && (res.body as { error?: string }).error === code;

/** Rows that a state change by the administrator or a login of the victim would have written. */
async function changeCounts() {
  const [row] = await t.sequelize.query<{ admin: string; logins: string }>(
    `SELECT
       (SELECT count(*) FROM admin_events
         WHERE actor_user_id = :adminId AND outcome = 'success' AND action <> 'audit.export') AS admin,
       (SELECT count(*) FROM login_events WHERE username = :victim) AS logins`,
    { replacements: { adminId: admin.id, victim: victim.username }, type: QueryTypes.SELECT },
  );
  return { admin: Number(row!.admin), logins: Number(row!.logins) };
}

describe('CSRF and Origin on every state-changing route', () => {
  it('when the router is read then there are state-changing routes of both kinds', () => {
    const routes = stateChanging();
    expect(routes.length).toBeGreaterThan(20);
    expect(routes.some(isPublic)).toBe(true);
    expect(routes.some((r) => !isPublic(r))).toBe(true);
  });

  it("when a module's site posts its logout request then the browser is only sent to the confirmation page and nothing changes", async () => {
    expect(
      listRoutes(t.app)
        .map((r) => `${r.method} ${r.path}`)
        .filter((r) => CROSS_SITE_BY_PROTOCOL.has(r)),
    ).toEqual([...CROSS_SITE_BY_PROTOCOL]);
    const before = await changeCounts();
    const agent = await adminSession();
    const res = await agent
      .post('/oidc/session/end')
      .set({ Origin: FOREIGN, 'Sec-Fetch-Site': 'cross-site' })
      .type('form')
      .send({ client_id: 'his-unknown', state: 'x' })
      .redirects(0);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login/oidc/logout?client_id=his-unknown&state=x');
    expect(await changeCounts()).toEqual(before);
    expect((await agent.get('/').redirects(0)).status).toBe(200);
  });

  it('when a form comes without a token, with another session’s token or from a foreign site then it is refused with 403 and nothing changes', async () => {
    const before = await changeCounts();
    const failures: string[] = [];
    for (const route of stateChanging()) {
      const path = await concretePath(route);
      const { agent, token } = await actorFor(route);
      const cases: [string, string | undefined, Record<string, string>, string][] = [
        ['no token', undefined, {}, 'csrf_invalid'],
        ['another session’s token', await foreignToken(route), {}, 'csrf_invalid'],
        ['foreign Origin, valid token', token, { Origin: FOREIGN }, 'origin_refused'],
        ['foreign Referer, valid token', token, { Referer: `${FOREIGN}/form` }, 'origin_refused'],
        [
          'Sec-Fetch-Site: cross-site, valid token',
          token,
          { 'Sec-Fetch-Site': 'cross-site' },
          'origin_refused',
        ],
        ['Origin: null, valid token', token, { Origin: 'null' }, 'origin_refused'],
      ];
      for (const [name, sent, headers, code] of cases) {
        const res = await send(agent, route, path, sent, headers);
        if (!refusedWith(res, code))
          failures.push(
            `${route.method} ${route.path} (${name}): ${res.status} ${res.text.slice(0, 80)}`,
          );
      }
    }
    expect(failures).toEqual([]);
    expect(await changeCounts()).toEqual(before);
    // The administrator's session survived every refused POST /logout.
    expect((await adminAgent.get('/').redirects(0)).status).toBe(200);
  }, 120_000);

  it('when the same forms carry their own token from our own origin then both checks let them through', async () => {
    const failures: string[] = [];
    for (const route of stateChanging()) {
      const path = await concretePath(route);
      const origin = { Origin: t.config.baseUrl, 'Sec-Fetch-Site': 'same-origin' };
      for (const headers of [{}, origin]) {
        // Afresh for each: the first may have ended the session (POST /logout).
        const { agent, token } = await actorFor(route);
        const res = await send(agent, route, path, token, headers);
        const code = (res.body as { error?: string }).error;
        if (code === 'csrf_invalid' || code === 'origin_refused' || res.status >= 500)
          failures.push(
            `${route.method} ${route.path} ${JSON.stringify(headers)}: ${res.status} ${code}`,
          );
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);
});

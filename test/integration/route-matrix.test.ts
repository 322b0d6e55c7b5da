import { randomBytes } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import type request from 'supertest';
import { buildTestApp, type TestApp } from '../support/test-app';
import { makeEstablishment, makeUser, TEST_PASSWORD } from '../support/factories';
import { agentFor, csrfFrom, loginAndChoose } from '../support/http';
import { listRoutes, type RouteInfo } from '../support/routes';
import type { EstablishmentRecord } from '../../src/storage/establishments';

/**
 * Every route and method of the app × every kind of actor, generated from the router itself: a
 * route added without a policy, or with a policy this table does not know, fails here.
 */
type Who = 'anonymous' | 'staff' | 'globalAdmin' | 'regionAdmin' | 'otherRegionAdmin' | 'auditor';
const EVERYONE: Who[] = [
  'anonymous',
  'staff',
  'globalAdmin',
  'regionAdmin',
  'otherRegionAdmin',
  'auditor',
];
const SIGNED_IN = EVERYONE.filter((w) => w !== 'anonymous');
const ADMINS: Who[] = ['globalAdmin', 'regionAdmin', 'otherRegionAdmin'];
/** Admins who reach the route's target (a user or establishment of the first región). */
const TARGET_ADMINS: Who[] = ['globalAdmin', 'regionAdmin'];

/** Who passes each policy for a target in the first región. Unknown policies fail the test. */
const EXPECTED: Record<string, Who[]> = {
  public: EVERYONE,
  authenticated: SIGNED_IN,
  'sessions.switchEstablishment': SIGNED_IN,
  'users.list': ADMINS,
  'users.create': ADMINS,
  'users.import': ADMINS,
  'users.read': TARGET_ADMINS,
  'users.update': TARGET_ADMINS,
  'users.disable': TARGET_ADMINS,
  'users.enable': TARGET_ADMINS,
  'users.unlock': TARGET_ADMINS,
  'users.resetPassword': TARGET_ADMINS,
  'users.exempt': TARGET_ADMINS,
  'users.endSessions': TARGET_ADMINS,
  'users.assignEstablishment': TARGET_ADMINS,
  'users.unassignEstablishment': TARGET_ADMINS,
  'users.moveEstablishment': TARGET_ADMINS,
  'users.setValidity': TARGET_ADMINS,
  'users.setAssignmentValidity': TARGET_ADMINS,
  'users.resumeAssignment': TARGET_ADMINS,
  'users.grantRole': TARGET_ADMINS,
  'users.revokeRole': TARGET_ADMINS,
  'establishments.list': ADMINS,
  'establishments.create': ['globalAdmin'],
  'establishments.import': ['globalAdmin'],
  'establishments.update': TARGET_ADMINS,
  'establishments.deactivate': TARGET_ADMINS,
  'establishments.activate': TARGET_ADMINS,
  'regions.list': ADMINS,
  'regions.manage': ['globalAdmin'],
  'regions.rollout': ['globalAdmin'],
  'audit.read': ['auditor'],
  'agreement.read': ADMINS,
  'agreement.publish': ['globalAdmin'],
  'reviews.read': ADMINS,
  'reviews.open': ['globalAdmin'],
  'reviews.close': ['globalAdmin'],
  'reviews.confirm': TARGET_ADMINS,
  'modules.list': ['globalAdmin'],
  'modules.register': ['globalAdmin'],
  'modules.disable': ['globalAdmin'],
  'modules.enable': ['globalAdmin'],
  'modules.rotateSecret': ['globalAdmin'],
  // The bearer token or the internal port decides, not the actor; tests run with it open
  // (config.observability.open), and test/integration/observability.test.ts closes it.
  observability: EVERYONE,
};

/**
 * Public routes whose answer to an anonymous caller is a 401 by design, not a refusal of the
 * route: forward-auth tells the proxy "no session" (test/integration/auth-verify.test.ts).
 */
const ANSWERS_401_ITSELF = new Set(['GET /auth/verify']);

/**
 * A refusal as each actor should get it: anonymous → the login (GET) or 401; signed in → 403.
 * An admin whose role passes the route's gate but whose scope does not reach the target may get
 * 400 or 404 instead (the form is checked before the target is loaded): nothing changes either way.
 */
function refusedAsExpected(who: Who, policy: string, res: request.Response): boolean {
  if (who === 'anonymous')
    return (res.status === 303 && res.headers.location === '/login') || res.status === 401;
  const gatePasses = EXPECTED[policy] === TARGET_ADMINS && ADMINS.includes(who);
  return res.status === 403 || (gatePasses && [400, 404].includes(res.status));
}

let t: TestApp;
const regionA = `Región A ${randomBytes(3).toString('hex')}`;
const regionB = `Región B ${randomBytes(3).toString('hex')}`;
let homeA: EstablishmentRecord;
let homeB: EstablishmentRecord;
const accounts = new Map<Who, { username: string; establishmentId: number; userId: number }>();
const agents = new Map<Who, request.Agent>();

const routes = () => listRoutes(t.app);

beforeAll(async () => {
  t = await buildTestApp();
  homeA = await makeEstablishment(t.sequelize, regionA);
  homeB = await makeEstablishment(t.sequelize, regionB);
  const make = async (
    who: Who,
    role: 'staff' | 'admin' | 'auditor',
    scope: string | undefined,
    home: EstablishmentRecord,
  ) => {
    const { user } = await makeUser(t.sequelize, { role, scope, establishments: [home] });
    accounts.set(who, { username: user.username, establishmentId: home.id, userId: user.id });
  };
  await make('staff', 'staff', undefined, homeA);
  await make('globalAdmin', 'admin', undefined, homeA);
  await make('regionAdmin', 'admin', `region:${regionA}`, homeA);
  await make('otherRegionAdmin', 'admin', `region:${regionB}`, homeB);
  await make('auditor', 'auditor', undefined, homeA);
});
afterAll(() => t.close());

/** A signed-in agent of `who` (signed in again if a previous case ended its session). */
async function agentOf(who: Who): Promise<request.Agent> {
  const existing = agents.get(who);
  if (existing && (await existing.get('/')).status === 200) return existing;
  const agent = agentFor(t.app);
  if (who !== 'anonymous') {
    const account = accounts.get(who)!;
    const res = await loginAndChoose(
      agent,
      account.username,
      TEST_PASSWORD,
      account.establishmentId,
    );
    if (res.headers.location !== '/') throw new Error(`${who} could not log in: ${res.status}`);
  }
  agents.set(who, agent);
  return agent;
}

/** Concrete ids for a route's parameters: fresh targets in the first región for every case. */
async function concretePath(route: RouteInfo): Promise<string> {
  if (!route.path.includes(':')) return route.path;
  const establishment = await makeEstablishment(t.sequelize, regionA);
  const { user } = await makeUser(t.sequelize, { establishments: [establishment] });
  const [region] = await t.sequelize.query<{ id: number }>(
    'SELECT region_id AS id FROM establishments WHERE id = :id',
    { replacements: { id: establishment.id }, type: QueryTypes.SELECT },
  );
  return route.path.replace(/:(\w+)/g, (_m, name: string) => {
    if (route.path.startsWith('/admin/users/') && name === 'id') return String(user.id);
    if (route.path.startsWith('/admin/establishments/') && name === 'id')
      return String(establishment.id);
    if (route.path.startsWith('/admin/regions/') && name === 'id') return String(region!.id);
    return '1';
  });
}

describe('every route names an access policy the matrix knows', () => {
  it('when the router is read then every route has a policy', () => {
    const missing = routes()
      .filter((r) => !r.policy)
      .map((r) => `${r.method} ${r.path}`);
    expect(missing).toEqual([]);
  });

  it('when the router is read then every policy is in the matrix table', () => {
    const unknown = routes().filter((r) => r.policy && !(r.policy in EXPECTED));
    expect(unknown.map((r) => `${r.method} ${r.path} → ${r.policy}`)).toEqual([]);
  });
});

describe('route × actor matrix', () => {
  // Built lazily: the app exists only after beforeAll. Jest needs the table at collection time,
  // so the cases are the actors and each walks every route.
  it.each(EVERYONE)(
    'when %s calls every route then each answer matches its policy',
    async (who) => {
      const failures: string[] = [];
      for (const route of routes()) {
        if (!route.policy || !(route.policy in EXPECTED)) continue;
        const allowed = EXPECTED[route.policy]!.includes(who);
        const agent = await agentOf(who);
        const path = await concretePath(route);
        let res: request.Response;
        if (route.method === 'GET') res = await agent.get(path).redirects(0);
        else {
          const page = await agent.get(who === 'anonymous' ? '/login' : '/');
          res = await agent[route.method.toLowerCase() as 'post'](path)
            .type('form')
            .send({ _csrf: csrfFrom(page.text) })
            .redirects(0);
        }
        const line = `${route.method} ${route.path} (${route.policy}) as ${who}: ${res.status} ${res.headers.location ?? ''}`;
        if (res.status >= 500) failures.push(`${line} — server error`);
        else if (
          allowed &&
          [401, 403].includes(res.status) &&
          !(res.status === 401 && ANSWERS_401_ITSELF.has(`${route.method} ${route.path}`))
        )
          failures.push(`${line} — refused but allowed`);
        else if (!allowed && !refusedAsExpected(who, route.policy, res))
          failures.push(`${line} — allowed but should be refused`);
      }
      expect(failures).toEqual([]);
      if (who === 'staff' || who === 'auditor' || who === 'otherRegionAdmin') {
        // Whatever they sent, no administrative change of theirs went through (their own
        // account's changes and the record of an audit export are not administrative changes).
        const [row] = await t.sequelize.query<{ n: string }>(
          `SELECT count(*) AS n FROM admin_events
          WHERE outcome = 'success' AND actor_user_id = :id AND action NOT LIKE 'me.%'
            AND action <> 'audit.export'`,
          { replacements: { id: accounts.get(who)!.userId }, type: QueryTypes.SELECT },
        );
        expect(Number(row!.n)).toBe(0);
      }
    },
  );
});

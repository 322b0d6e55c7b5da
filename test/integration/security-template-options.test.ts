import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type request from 'supertest';
import { buildTestApp, type TestApp } from '../support/test-app';
import { makeEstablishment, makeUser, TEST_PASSWORD } from '../support/factories';
import { agentFor, loginAndChoose } from '../support/http';
import { listRoutes, type RouteInfo } from '../support/routes';

/**
 * Template-option injection (Express + EJS): when a handler passes the query or the body to
 * `res.render` as its data, EJS reads options from it (`settings['view options']`, `client`,
 * `escapeFunction`, `outputFunctionName`, `localsName`…) and compiles attacker code into the
 * template. Every GET page of the router, with each such query string, must render exactly as
 * without it, and no injected code may run (it would set a global flag).
 */
const flag = `__pwned_${randomBytes(3).toString('hex')}`;
const code = (by: string) => `x;globalThis.${flag}='${by}';var y`;
/** Each option alone would do; together they make two requests per page instead of ten. */
const INJECTIONS: Record<string, string>[] = [
  {
    'settings[view options][outputFunctionName]': code('settings.outputFunctionName'),
    'settings[view options][client]': '1',
    'settings[view options][escapeFunction]': `1;globalThis.${flag}='settings.escapeFunction'`,
    client: '1',
    escapeFunction: `1;globalThis.${flag}='escapeFunction'`,
    outputFunctionName: code('outputFunctionName'),
    localsName: code('localsName'),
    'destructuredLocals[0]': code('destructuredLocals'),
    '__proto__[outputFunctionName]': code('__proto__'),
    'constructor[prototype][outputFunctionName]': code('constructor.prototype'),
  },
  {
    delimiter: '?',
    openDelimiter: '[',
    closeDelimiter: ']',
    strict: '1',
    _with: '0',
    cache: '1',
    filename: '/etc/passwd',
    root: '/etc',
    views: '/etc',
    'settings[views]': '/etc',
  },
];

let t: TestApp;
const ownRegion = `Región plantillas ${Math.random().toString(36).slice(2, 8)}`;
const agents = new Map<string, request.Agent>();
let targets: { userId: number; establishmentId: number; regionId: number };

async function signedIn(role: 'admin' | 'auditor', scoped: boolean): Promise<request.Agent> {
  // An admin or auditor of a región of its own: the lists and histories it reads hold only this
  // file's rows, not those the other test files write meanwhile (the pages must compare equal).
  const { user, establishments } = await makeUser(
    t.sequelize,
    scoped
      ? {
          role,
          scope: `region:${ownRegion}`,
          establishments: [await makeEstablishment(t.sequelize, ownRegion)],
        }
      : { role },
  );
  const agent = agentFor(t.app);
  const done = await loginAndChoose(agent, user.username, TEST_PASSWORD, establishments[0]!.id);
  expect(done.headers.location).toBe('/');
  return agent;
}

beforeAll(async () => {
  t = await buildTestApp();
  agents.set('admin', await signedIn('admin', true));
  agents.set('global admin', await signedIn('admin', false));
  agents.set('auditor', await signedIn('auditor', true));
  agents.set('anonymous', agentFor(t.app));
  const place = await makeEstablishment(t.sequelize, ownRegion);
  const { user } = await makeUser(t.sequelize, { establishments: [place], password: null });
  targets = { userId: user.id, establishmentId: place.id, regionId: place.regionId };
});
afterAll(() => t.close());

/** The region's admin where it may see the page; the global admin where only a global one may. */
async function actorAgent(route: RouteInfo, url: string): Promise<request.Agent> {
  if (route.policy === 'public') return agents.get('anonymous')!;
  if (route.policy?.startsWith('audit.')) return agents.get('auditor')!;
  const scoped = agents.get('admin')!;
  return (await scoped.get(url).redirects(0)).status === 403 ? agents.get('global admin')! : scoped;
}

const concrete = (route: RouteInfo) =>
  route.path.replace(/:(\w+)/g, () =>
    route.path.startsWith('/admin/users/')
      ? String(targets.userId)
      : route.path.startsWith('/admin/regions/')
        ? String(targets.regionId)
        : String(targets.establishmentId),
  );

/**
 * What must be equal: the status, where it redirects (a provider URL's random state and nonce
 * aside: only its parameter names), and an HTML page's text.
 */
function shape(res: request.Response) {
  const location = res.headers.location as string | undefined;
  const url = location ? new URL(location, 'http://app.invalid') : null;
  return JSON.stringify({
    status: res.status,
    location:
      url && `${url.origin}${url.pathname}?${[...url.searchParams.keys()].sort().join('&')}`,
    body: String(res.headers['content-type']).startsWith('text/html') ? res.text : null,
  });
}

describe('template options from the query string', () => {
  it('when any GET page gets EJS options in its query then it renders exactly as without them and nothing runs', async () => {
    const routes = listRoutes(t.app).filter((r) => r.method === 'GET');
    expect(routes.length).toBeGreaterThan(20);
    const failures: string[] = [];
    for (const route of routes) {
      const url = concrete(route);
      const agent = await actorAgent(route, url);
      for (const query of INJECTIONS) {
        // Plain before and after: a step that consumes state (the e-ID callback) answers the
        // injected request as it answers the plain one that follows it. Lists that other test
        // files add rows to meanwhile may differ once; an injection differs every time.
        let same = false;
        let got = '';
        for (let attempt = 0; attempt < 5 && !same; attempt++) {
          const before = shape(await agent.get(url).redirects(0));
          got = shape(await agent.get(url).query(query).redirects(0));
          same = got === before || got === shape(await agent.get(url).redirects(0));
        }
        if (!same)
          failures.push(`${route.path} ${Object.keys(query).join('&')}: ${got.slice(0, 120)}`);
      }
    }
    expect((globalThis as Record<string, unknown>)[flag]).toBeUndefined();
    expect(failures).toEqual([]);
  }, 120_000);

  it('when the source is read then no handler passes the query or the body itself to res.render', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir)) {
        const file = path.join(dir, entry);
        if (statSync(file).isDirectory()) walk(file);
        else if (file.endsWith('.ts')) {
          const source = readFileSync(file, 'utf8');
          // render(view, req.query) / render(view, { ...req.body }) / Object.assign(…, req.query)
          for (const m of source.matchAll(
            /\.render\(\s*[^,]+,\s*(?:req\.(?:query|body)\b|\{\s*\.\.\.req\.(?:query|body)\b)|Object\.assign\([^)]*req\.(?:query|body)\b/g,
          ))
            offenders.push(`${path.relative(process.cwd(), file)}: ${m[0]}`);
        }
      }
    };
    walk(path.join(__dirname, '../../src'));
    expect(offenders).toEqual([]);
  });
});

import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { QueryTypes } from 'sequelize';
import request from 'supertest';
import { buildTestApp, type TestApp } from '../support/test-app';
import { makeEstablishment, makeUser, TEST_PASSWORD } from '../support/factories';
import { agentFor, csrfFrom, loginAndChoose, postLogin } from '../support/http';
import { listRoutes, type RouteInfo } from '../support/routes';
import { IMPORT_UPLOAD_PATH } from '../../src/areas/admin/establishments/import-routes';
import type { EstablishmentRecord } from '../../src/storage/establishments';

/**
 * SQL injection attempts on every filter and every form field: classic payloads answer 200 or
 * 400 (never 500), a search for a payload finds exactly what a literal search for that text
 * finds (the seeded rows whose name contains it, nothing more), a payload in a non-text filter
 * is refused or ignored (the same rows as without it), and the tables are all still there.
 * The screens are read by an administrator and an auditor of a región of this file's own, so
 * other test files' rows cannot blur the counts.
 */
const mark = randomBytes(3).toString('hex');
const PAYLOADS = [
  `' OR '1'='1`,
  `1;DROP TABLE users--`,
  `%' --`,
  `’ OR ’1’=’1`,
  `x' UNION SELECT username, password_hash FROM users--`,
  `\\' OR 1=1 --`,
  `a\u0000b`,
];
/** Payloads PostgreSQL can store in a name (a NUL byte cannot be stored in text at all). */
const STORABLE = PAYLOADS.filter((p) => !p.includes('\u0000'));

let t: TestApp;
const region = `Región SQLi ${mark}`;
let place: EstablishmentRecord;
/** Seeded users of the región: id → what the users search reads (name, username, cédula). */
const names = new Map<number, string>();
let staffUsername: string;
let admin: request.Agent;
let auditor: request.Agent;

async function signIn(role: 'admin' | 'auditor') {
  const { user } = await makeUser(t.sequelize, {
    role,
    scope: `region:${region}`,
    establishments: [place],
  });
  const agent = agentFor(t.app);
  const done = await loginAndChoose(agent, user.username, TEST_PASSWORD, place.id);
  expect(done.headers.location).toBe('/');
  return agent;
}

beforeAll(async () => {
  t = await buildTestApp();
  place = await makeEstablishment(t.sequelize, region);
  for (const payload of STORABLE) {
    const { user } = await makeUser(t.sequelize, {
      establishments: [place],
      name: `Paciente ${payload}`,
      password: null,
    });
    names.set(user.id, `Paciente ${payload} ${user.username} ${user.documentNumber}`);
  }
  const staff = await makeUser(t.sequelize, { establishments: [place], name: 'Ana Benítez' });
  names.set(staff.user.id, `Ana Benítez ${staff.user.username} ${staff.user.documentNumber}`);
  staffUsername = staff.user.username;
  // Login history in the región: a failure and a success of the staff account.
  await postLogin(agentFor(t.app), staffUsername, 'wrong');
  await loginAndChoose(agentFor(t.app), staffUsername, TEST_PASSWORD, place.id);
  admin = await signIn('admin');
  auditor = await signIn('auditor');
});
afterAll(() => t.close());

/** The rows a screen lists (users, login or admin events, establishments), as their ids. */
function rowsOf(html: string): string[] {
  return [...html.matchAll(/data-(?:user-id|event-id|establishment-code)="([^"]+)"/g)]
    .map((m) => m[1]!)
    .sort();
}
/** CSV data lines (header and the BOM left out). */
const csvRows = (text: string) => text.split('\r\n').slice(1).filter(Boolean).sort();

interface Filter {
  path: string;
  /** Text searches; every other parameter is a code, a number, a date or a cursor. */
  text: string[];
  other: string[];
  as: () => request.Agent;
  /** The rows of the region whose text contains `literal` (what a literal search must find). */
  literal?: (literal: string) => string[];
}

/** PostgreSQL's unaccent + lower, as the search folds text (typographic quotes become '). */
const fold = (text: string) =>
  text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[‘’]/g, "'")
    .toLowerCase();
/** The users search's literal meaning: every word of the query appears in the folded text. */
const usersContaining = (literal: string) =>
  [...names]
    .filter(([, text]) =>
      literal
        .trim()
        .split(/\s+/)
        .every((w) => fold(text).includes(fold(w))),
    )
    .map(([id]) => String(id))
    .sort();

const FILTERS: Filter[] = [
  {
    path: '/admin/users',
    text: ['q'],
    other: ['establishment', 'region', 'role', 'status', 'eid', 'locked', 'after'],
    as: () => admin,
    literal: usersContaining,
  },
  {
    path: '/admin/establishments',
    text: ['q'],
    other: ['regionId', 'state', 'page'],
    as: () => admin,
    literal: () => [],
  },
  ...['/audit/logins', '/audit/logins.csv', '/audit/admin-events', '/audit/admin-events.csv'].map(
    (p): Filter => ({
      path: p,
      // No event of the región was typed or done by a username containing a payload.
      text: ['user', 'document'],
      other: [
        'userId',
        'establishment',
        'region',
        'ip',
        'from',
        'to',
        'outcome',
        ...(p.includes('logins') ? ['method', 'reason'] : ['action']),
        ...(p.endsWith('.csv') ? [] : ['after']),
      ],
      as: () => auditor,
      literal: () => [],
    }),
  ),
  { path: '/audit/eid-adoption', text: [], other: ['region', 'vista'], as: () => auditor },
  { path: '/audit/eid-adoption.csv', text: [], other: ['region', 'vista'], as: () => auditor },
  { path: '/me/access', text: [], other: ['ver', 'antes'], as: () => auditor },
];

const read = async (filter: Filter, query: Record<string, string>) => {
  const res = await filter.as().get(filter.path).query(query).redirects(0);
  const rows = filter.path.endsWith('.csv') ? csvRows(res.text) : rowsOf(res.text);
  return { status: res.status, rows };
};

describe('SQL injection through the filters', () => {
  it('when the filters are read literally then the region’s rows are there to be told apart', async () => {
    const users = await read(FILTERS[0]!, { q: 'Benítez' });
    expect(users.rows).toEqual(usersContaining('Benítez'));
    expect((await read(FILTERS[0]!, {})).rows.length).toBe(names.size + 2);
    const logins = await read(FILTERS[2]!, { user: staffUsername });
    expect(logins.rows.length).toBeGreaterThanOrEqual(2);
  });

  it.each(FILTERS.map((f) => [f.path, f] as const))(
    'when %s gets payloads in each parameter then it answers 200/400 and only what a literal search finds',
    async (_path, filter) => {
      const unfiltered = await read(filter, {});
      expect(unfiltered.status).toBe(200);
      const failures: string[] = [];
      for (const payload of PAYLOADS) {
        for (const param of [...filter.text, ...filter.other]) {
          const got = await read(filter, { [param]: payload });
          const line = `${param}=${JSON.stringify(payload)}: ${got.status}`;
          if (![200, 400].includes(got.status)) failures.push(`${line} (status)`);
          else if (filter.text.includes(param) && got.status === 200) {
            const expected = filter.literal!(payload);
            if (JSON.stringify(got.rows) !== JSON.stringify(expected))
              failures.push(`${line} rows ${got.rows.length}, literal ${expected.length}`);
          } else if (
            got.status === 200 &&
            JSON.stringify(got.rows) !== JSON.stringify(unfiltered.rows)
          )
            failures.push(`${line} rows ${got.rows.length}, unfiltered ${unfiltered.rows.length}`);
        }
      }
      expect(failures).toEqual([]);
    },
    60_000,
  );
});

describe('numbers out of range in every id parameter', () => {
  // Above PostgreSQL's integer, above every integer, negative, exponent: parsed, never sent.
  const NUMBERS = ['2147483648', '99999999999999999999', '-1', '1e9', '0x10'];

  it.each(FILTERS.map((f) => [f.path, f] as const))(
    'when %s gets them in each non-text parameter then it answers 200 or 400, never 500',
    async (_path, filter) => {
      const failures: string[] = [];
      for (const value of NUMBERS)
        for (const param of filter.other) {
          const got = await read(filter, { [param]: value });
          if (![200, 400].includes(got.status)) failures.push(`${param}=${value}: ${got.status}`);
        }
      expect(failures).toEqual([]);
    },
  );
});

/** Every form field name of every page (views/**), so a new field is attacked without listing it. */
function formFieldNames(): string[] {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const file = path.join(dir, entry);
      if (statSync(file).isDirectory()) {
        if (entry !== 'sandbox') walk(file);
      } else if (entry.endsWith('.ejs')) {
        const html = readFileSync(file, 'utf8');
        for (const m of html.matchAll(/<(?:input|select|textarea)[^>]*\bname="([A-Za-z_]+)"/g))
          names.add(m[1]!);
      }
    }
  };
  walk(path.join(__dirname, '../../views'));
  names.delete('_csrf');
  return [...names].sort();
}

describe('SQL injection through the forms', () => {
  it('when every field of every state-changing route carries each payload then nothing answers 500 and every table is still there', async () => {
    const fields = formFieldNames();
    expect(fields).toEqual(expect.arrayContaining(['username', 'password', 'fullName', 'reason']));
    const [before] = await t.sequelize.query<{ n: string }>('SELECT count(*) AS n FROM users', {
      type: QueryTypes.SELECT,
    });
    const superAdmin = await makeUser(t.sequelize, { role: 'admin', establishments: [place] });
    const signedIn = async (agent: request.Agent | undefined) => {
      if (agent && (await agent.get('/').redirects(0)).status === 200) return agent;
      const fresh = agentFor(t.app);
      await loginAndChoose(fresh, superAdmin.user.username, TEST_PASSWORD, place.id);
      return fresh;
    };
    let adminAgent: request.Agent | undefined;
    const failures: string[] = [];
    const routes = listRoutes(t.app).filter(
      (r: RouteInfo) => r.method === 'POST' && r.path !== IMPORT_UPLOAD_PATH,
    );
    for (const route of routes) {
      // Targets of their own: a payload may rename, deactivate or disable what it reaches.
      const targetPlace = await makeEstablishment(t.sequelize, `Otra región ${mark}`);
      const target = await makeUser(t.sequelize, { establishments: [targetPlace], password: null });
      const url = route.path.replace(/:(\w+)/g, () =>
        route.path.startsWith('/admin/users/')
          ? String(target.user.id)
          : route.path.startsWith('/admin/regions/')
            ? String(targetPlace.regionId)
            : String(targetPlace.id),
      );
      for (const payload of PAYLOADS) {
        // Signed in again when a payload ended the session (POST /logout accepts any field).
        const agent =
          route.policy === 'public' ? agentFor(t.app) : (adminAgent = await signedIn(adminAgent));
        const page = await agent.get(route.policy === 'public' ? '/login' : '/');
        if (!page.text.includes('name="_csrf"')) {
          failures.push(`${route.path} ${JSON.stringify(payload)}: no form page (${page.status})`);
          continue;
        }
        const form = Object.fromEntries(fields.map((f) => [f, payload]));
        const res = await agent
          .post(url)
          .type('form')
          .send({ ...form, _csrf: csrfFrom(page.text) })
          .redirects(0);
        if (res.status >= 500)
          failures.push(`${route.path} ${JSON.stringify(payload)}: ${res.status}`);
      }
    }
    expect(failures).toEqual([]);
    const tables = await t.sequelize.query<{ name: string | null }>(
      `SELECT to_regclass(name) AS name FROM unnest(ARRAY['users', 'login_events', 'admin_events',
         'establishments', 'regions', 'user_roles', 'user_establishments', 'eid_identities']) AS name`,
      { type: QueryTypes.SELECT },
    );
    expect(tables.every((r) => r.name !== null)).toBe(true);
    const [after] = await t.sequelize.query<{ n: string }>('SELECT count(*) AS n FROM users', {
      type: QueryTypes.SELECT,
    });
    expect(Number(after!.n)).toBeGreaterThanOrEqual(Number(before!.n));
  }, 240_000);
});

import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { buildTestApp, type TestApp } from '../support/test-app';
import { makeEstablishment, makeUser, TEST_PASSWORD } from '../support/factories';
import { agentFor, loginAndChoose, postLogin } from '../support/http';
import type { EstablishmentRecord } from '../../src/storage/establishments';
import type { UserRecord } from '../../src/storage/users';
import { formatCedula } from '../../src/shared/cedula';

let t: TestApp;
// Every name carries the token, so a search for it finds this file's users only.
const token = randomBytes(4).toString('hex');
const north = `Norte ${token}`;
const south = `Sur ${token}`;
let nX1: EstablishmentRecord, nX2: EstablishmentRecord;
let sY1: EstablishmentRecord, sY2: EstablishmentRecord;
let globalAdmin: UserRecord, regionAdmin: UserRecord, auditor: UserRecord, staff: UserRecord;
let maria: UserRecord, juan: UserRecord, ana: UserRecord;

const DAY = 86_400_000;
const MONTH = 30 * DAY;

beforeAll(async () => {
  t = await buildTestApp({ LOCKOUT_MAX_FAILURES: '3' });
  [nX1, nX2, sY1, sY2] = await Promise.all([
    makeEstablishment(t.sequelize, north),
    makeEstablishment(t.sequelize, north),
    makeEstablishment(t.sequelize, south),
    makeEstablishment(t.sequelize, south),
  ]);
  const now = t.clock.now().getTime();
  const make = async (name: string, opts: Parameters<typeof makeUser>[1] = {}) =>
    (await makeUser(t.sequelize, { establishments: [nX1], ...opts, name: `${name} ${token}` }))
      .user;
  globalAdmin = await make('Administradora Global', { role: 'admin' });
  regionAdmin = await make('Administrador Norte', { role: 'admin', scope: `region:${north}` });
  auditor = await make('Auditora', { role: 'auditor' });
  staff = await make('Enfermero', {});
  maria = await make('María González', {
    lastEidLoginAt: new Date(now - MONTH),
    password: null,
  });
  juan = await make('Juan Pérez', {
    establishments: [sY1],
    lastEidLoginAt: new Date(now - 4 * MONTH),
    password: null,
  });
  ana = await make('Ana Benítez', { establishments: [nX2, sY1], password: null });
});
afterAll(() => t.close());

async function signedIn(user: UserRecord, establishment = nX1) {
  const agent = agentFor(t.app);
  const res = await loginAndChoose(agent, user.username, TEST_PASSWORD, establishment.id);
  expect(res.headers.location).toBe('/');
  return agent;
}

/** The ids of the rows of a list page, in order. */
const rowIds = (html: string) =>
  [...html.matchAll(/data-user-id="(\d+)"/g)].map((m) => Number(m[1]));

const list = async (agent: request.Agent, query: Record<string, string>) => {
  const res = await agent.get('/admin/users').query(query);
  expect(res.status).toBe(200);
  return { res, ids: rowIds(res.text) };
};

describe('users list: who sees whom', () => {
  it('when a global admin searches then users of both regiones appear, with badge, cédula and last login', async () => {
    const agent = await signedIn(globalAdmin);
    const { res, ids } = await list(agent, { q: token });
    expect(ids).toEqual(expect.arrayContaining([maria.id, juan.id, ana.id, regionAdmin.id]));
    expect(res.text).toContain(formatCedula(maria.documentNumber));
    expect(res.text).toContain(`href="/admin/users/${juan.id}"`);
    expect(res.text).toMatch(
      new RegExp(`data-user-id="${maria.id}"[\\s\\S]*?data-eid-badge="verified"`),
    );
    expect(res.text).toMatch(
      new RegExp(`data-user-id="${juan.id}"[\\s\\S]*?data-eid-badge="stale"`),
    );
    expect(res.text).toContain('Administrador (Región Norte');
    const rowOf = (id: number) =>
      new RegExp(`data-user-id="${id}"[\\s\\S]*?</tr>`).exec(res.text)![0];
    // The admin's own login just now (the clock reads 12:00 UTC, 09:00 in Asunción).
    expect(rowOf(globalAdmin.id)).toContain('20/11/2026 09:00');
    expect(rowOf(juan.id)).toMatch(/data-label="Último ingreso">Nunca</);
    // Each row's tooltip has its own id; the header's badge keeps the default one.
    expect(res.text).toContain(`id="eid-badge-tooltip-${maria.id}"`);
    expect(res.text.match(/id="eid-badge-tooltip"/g)).toHaveLength(1);
    // The options offer every región and establishment to a global admin.
    expect(res.text).toContain(sY2.name);
  });

  it('when a regional admin searches then only users assigned in their región appear (one also in the other región)', async () => {
    const agent = await signedIn(regionAdmin);
    const { res, ids } = await list(agent, { q: token });
    expect(ids).toEqual(expect.arrayContaining([maria.id, ana.id, globalAdmin.id]));
    expect(ids).not.toContain(juan.id);
    expect(res.text).not.toContain('Juan Pérez');
    // Only establishments of their región are offered as filters.
    expect(res.text).toContain(nX2.name);
    expect(res.text).not.toContain(sY2.name);
  });

  it('when a regional admin puts the other región or its establishment in the URL then no user of it appears', async () => {
    const agent = await signedIn(regionAdmin);
    const byRegion = await list(agent, { q: token, region: String(sY1.regionId) });
    expect(byRegion.ids).not.toContain(juan.id);
    expect(byRegion.ids).toEqual([ana.id]);
    const byPlace = await list(agent, { q: token, establishment: String(sY2.id) });
    expect(byPlace.ids).toEqual([]);
    expect(byPlace.res.text).toContain('No se encontraron usuarios con estos criterios');
    const noSearch = await list(agent, { establishment: String(sY1.id) });
    expect(noSearch.ids).not.toContain(juan.id);
  });

  it('when staff or an auditor opens the list then 403; anonymous visitors go to the login', async () => {
    for (const user of [staff, auditor]) {
      const res = await (await signedIn(user)).get('/admin/users');
      expect(res.status).toBe(403);
      // The page keeps the person's own header, and lists nobody.
      expect(res.text).not.toContain(`María González ${token}`);
      expect(res.text).not.toContain('data-user-id=');
    }
    const anonymous = await request(t.app).get('/admin/users');
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.location).toBe('/login');
  });
});

describe('users list: counts and orders', () => {
  it('when the list is shown then it says how many match and which page; a column header sorts and keeps the filters', async () => {
    const agent = await signedIn(globalAdmin);
    const { res, ids } = await list(agent, { q: token });
    const count = /data-testid="results-count"><strong>([^<]*)<\/strong> · ([^·<]*) ·/.exec(
      res.text,
    );
    expect(count?.[1]).toBe(`${ids.length} usuarios`);
    expect(count?.[2]!.trim()).toBe('Página 1 de 1');
    const byLogin = /<a class="sort" href="([^"]*)"[^>]*>Último ingreso</.exec(res.text)?.[1];
    expect(byLogin?.replace(/&amp;/g, '&')).toBe(
      `/admin/users?q=${encodeURIComponent(token)}&sort=lastLogin`,
    );
    const sorted = await list(agent, { q: token, sort: 'lastLogin' });
    expect(sorted.res.text).toContain('aria-sort="descending"');
    expect(new Set(sorted.ids)).toEqual(new Set(ids));
    expect(sorted.res.text).toContain('<input type="hidden" name="sort" value="lastLogin">');
    const bad = await agent.get('/admin/users').query({ sort: 'password' });
    expect(bad.status).toBe(400);
  });
});

describe('users list: search and filters', () => {
  let agent: request.Agent;
  beforeAll(async () => {
    agent = await signedIn(globalAdmin);
  });

  it('when searching "gonzalez" without accent or case then "María González" is found', async () => {
    const { ids, res } = await list(agent, { q: `GONZALEZ ${token}` });
    expect(ids).toEqual([maria.id]);
    expect(res.text).toContain(`value="GONZALEZ ${token}"`);
  });

  it('when searching a cédula written with dots then the user with those digits is found', async () => {
    const { ids } = await list(agent, { q: formatCedula(juan.documentNumber) });
    expect(formatCedula(juan.documentNumber)).toContain('.');
    expect(ids).toEqual([juan.id]);
  });

  it('when filtering by establishment or región then only users assigned there appear', async () => {
    expect((await list(agent, { q: token, establishment: String(nX2.id) })).ids).toEqual([ana.id]);
    const south = await list(agent, { q: token, region: String(sY1.regionId) });
    expect(south.ids.sort()).toEqual([juan.id, ana.id].sort());
  });

  it('when filtering by role then only holders of that role appear', async () => {
    const admins = await list(agent, { q: token, role: 'admin' });
    expect(admins.ids.sort()).toEqual([globalAdmin.id, regionAdmin.id].sort());
    expect((await list(agent, { q: token, role: 'auditor' })).ids).toEqual([auditor.id]);
  });

  it('when filtering by status then a disabled user appears only under "Deshabilitado"', async () => {
    const { user } = await makeUser(t.sequelize, {
      establishments: [nX1],
      name: `Dado de baja ${token}`,
      password: null,
    });
    await t.repos.transaction((tx) => t.repos.users.update(user.id, { status: 'disabled' }, tx));
    expect((await list(agent, { q: token, status: 'disabled' })).ids).toEqual([user.id]);
    expect((await list(agent, { q: token, status: 'active' })).ids).not.toContain(user.id);
  });

  it('when filtering by e-ID state then verified, more than 3 months and never follow the badge', async () => {
    const verified = await list(agent, { q: token, eid: 'verified' });
    expect(verified.ids).toEqual([maria.id]);
    expect((await list(agent, { q: token, eid: 'stale' })).ids).toEqual([juan.id]);
    const never = await list(agent, { q: token, eid: 'never' });
    expect(never.ids).toEqual(expect.arrayContaining([ana.id, staff.id]));
    expect(never.ids).not.toContain(maria.id);
    expect(never.res.text).toContain('<option value="never" selected>');
  });

  it('when a filter value is not one of the options then the form says so and lists nothing', async () => {
    const res = await agent.get('/admin/users').query({ q: token, role: 'root' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Elija un rol de la lista.');
    expect(res.text).toContain('aria-invalid="true" aria-describedby="role-error"');
    expect(rowIds(res.text)).toEqual([]);
  });

  it('when nothing matches then a helpful message with a way to clear the filters', async () => {
    const { res, ids } = await list(agent, { q: `nadie-${token}` });
    expect(ids).toEqual([]);
    expect(res.text).toContain('No se encontraron usuarios con estos criterios');
    expect(res.text).toContain('href="/admin/users">quite los filtros');
  });
});

describe('users list: pages and locks', () => {
  it('when more than 50 users share a name then two pages without overlap, filters kept in the link', async () => {
    const shared = `Paginado${randomBytes(3).toString('hex')}`;
    const created: number[] = [];
    for (let i = 0; i < 53; i++) {
      const { user } = await makeUser(t.sequelize, {
        establishments: [nX1],
        name: `${shared} ${String(i).padStart(2, '0')}`,
        password: null,
      });
      created.push(user.id);
    }
    const agent = await signedIn(regionAdmin);
    const first = await list(agent, { q: shared, status: 'active' });
    expect(first.ids).toHaveLength(50);
    const next = /href="([^"]+)" rel="next"/.exec(first.res.text)![1]!.replaceAll('&amp;', '&');
    expect(next).toContain(`q=${shared}`);
    expect(next).toContain('status=active');
    expect(next).toContain('after=');
    const second = await agent.get(next);
    const secondIds = rowIds(second.text);
    expect(secondIds).toHaveLength(3);
    expect(second.text).not.toContain('rel="next"');
    expect(second.text).toContain('Primera página');
    expect(new Set([...first.ids, ...secondIds])).toEqual(new Set(created));
  });

  it('when the page link was tampered with then the first page is shown with a notice', async () => {
    const agent = await signedIn(globalAdmin);
    const { res, ids } = await list(agent, { q: token, after: 'bm90LWEtY3Vyc29y' });
    expect(res.text).toContain('El enlace de la página no era válido');
    expect(ids).toContain(maria.id);
  });

  it('when an account is locked out then it carries the tag and the "Solo bloqueados" filter finds it', async () => {
    const { user: locked } = await makeUser(t.sequelize, {
      establishments: [nX1],
      name: `Bloqueada ${token}`,
    });
    for (let i = 0; i < 3; i++) await postLogin(agentFor(t.app), locked.username, 'wrong-password');
    const agent = await signedIn(globalAdmin);
    const onlyLocked = await list(agent, { q: token, locked: 'si' });
    expect(onlyLocked.ids).toEqual([locked.id]);
    expect(onlyLocked.res.text).toContain('data-testid="locked">Bloqueado');
    expect(onlyLocked.res.text).toContain('name="locked" type="checkbox" value="si" checked');
    const all = await list(agent, { q: token });
    const lockedRow = new RegExp(`data-user-id="${locked.id}"[\\s\\S]*?</tr>`).exec(
      all.res.text,
    )![0];
    const mariaRow = new RegExp(`data-user-id="${maria.id}"[\\s\\S]*?</tr>`).exec(all.res.text)![0];
    expect(lockedRow).toContain('Bloqueado');
    expect(mariaRow).not.toContain('Bloqueado');
  });
});

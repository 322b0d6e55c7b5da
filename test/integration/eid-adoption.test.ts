import { randomBytes } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import type request from 'supertest';
import { buildTestApp, type TestApp } from '../support/test-app';
import { makeEstablishment, makeUser, TEST_PASSWORD } from '../support/factories';
import { agentFor, loginAndChoose } from '../support/http';
import { appendLoginEvent } from '../../src/storage/audit/login-events';
import type { EstablishmentRecord } from '../../src/storage/establishments';

jest.setTimeout(60_000);

/**
 * The e-ID adoption dashboard against hand-counted fixtures. Other test files share the
 * database, so every figure asserted is one of this file's own regiones, establishments or
 * scoped auditors (whose totals are exactly this file's users).
 *
 * Now: 20/11/2026 09:00 in Asunción. Verified: last e-ID login after 20/08/2026 08:59:59.999.
 *
 * Región A (establishments A1, A2)      last e-ID login          A1  A2
 *   a1  verified   01/10/2026 00:00                                 x
 *   a2  stale      01/06/2026                                       x
 *   a3  never                                                       x
 *   a4  never      (assigned to both: counts once in the región)    x   x
 *   a5  verified   19/11/2026                                           x
 *   a6  disabled (verified): not counted                                x
 *   → A: 5 users, 2 verified / 1 stale / 2 never = 40 / 20 / 40 %, 60 % behind
 *     A1: 1 / 1 / 2 (25 / 25 / 50 %, 75 % behind); A2: 1 / 0 / 1 (50 / 0 / 50 %, 50 % behind)
 * Región B (establishment B1; its name holds HTML and starts like a formula)
 *   b1, b2 verified; b3 stale; b4 exactly 3 months ago (verified); b5 1 ms earlier (stale)
 *   → B: 5 users, 3 / 2 / 0 = 60 / 40 / 0 %, 40 % behind: after A.
 */
const NOW = '2026-11-20T09:00:00-03:00';
const tag = randomBytes(3).toString('hex');
const regionA = `Región A ${tag}`;
const regionB = `=Región B <i>${tag}</i>`;
const regionC = `Región C ${tag}`;
const at = (iso: string) => new Date(iso);

let t: TestApp;
let a1: EstablishmentRecord;
let a2: EstablishmentRecord;
let b1: EstablishmentRecord;
let c1: EstablishmentRecord;
let auditHome: EstablishmentRecord;
const userIds: Record<string, number> = {};
const auditors: Record<'global' | 'regionA' | 'regionB' | 'regionC' | 'a2', { username: string }> =
  {} as never;

async function addUser(
  key: string,
  establishments: EstablishmentRecord[],
  lastEidLoginAt: Date | null,
  disabled = false,
) {
  const { user } = await makeUser(t.sequelize, { establishments, lastEidLoginAt });
  if (disabled) await t.repos.users.update(user.id, { status: 'disabled' });
  userIds[key] = user.id;
}

/** One successful e-ID exchange (what the trend counts) or another history row. */
const eidEvent = (
  key: string,
  iso: string,
  reason = 'eid_verified',
  outcome: 'info' | 'failure' | 'success' = 'info',
) =>
  appendLoginEvent(t.sequelize, {
    occurredAt: at(iso),
    userId: userIds[key]!,
    username: null,
    method: 'eid',
    outcome,
    reason,
    establishmentId: null,
    ip: '10.0.0.1',
    userAgent: 'fixture',
  });

beforeAll(async () => {
  t = await buildTestApp({}, { start: NOW });
  a1 = await makeEstablishment(t.sequelize, regionA);
  a2 = await makeEstablishment(t.sequelize, regionA);
  b1 = await makeEstablishment(t.sequelize, regionB);
  c1 = await makeEstablishment(t.sequelize, regionC);
  auditHome = await makeEstablishment(t.sequelize, `Región auditoría ${tag}`);

  await addUser('a1', [a1], at('2026-10-01T00:00:00-03:00'));
  await addUser('a2', [a1], at('2026-06-01T10:00:00-03:00'));
  await addUser('a3', [a1], null);
  await addUser('a4', [a1, a2], null);
  await addUser('a5', [a2], at('2026-11-19T10:00:00-03:00'));
  await addUser('a6', [a2], at('2026-10-05T10:00:00-03:00'), true);
  await addUser('b1', [b1], at('2026-11-01T10:00:00-03:00'));
  await addUser('b2', [b1], at('2026-09-01T10:00:00-03:00'));
  await addUser('b3', [b1], at('2026-01-01T10:00:00-03:00'));
  await addUser('b4', [b1], at('2026-08-20T09:00:00-03:00'));
  await addUser('b5', [b1], at('2026-08-20T08:59:59.999-03:00'));

  // Región C: two e-ID logins 1 ms apart, on the lower bound of October's window (31/10
  // 23:59:59.999 − 3 months = 31/07 23:59:59.999; the cutoff is 1 ms before: 31/07 …998).
  await addUser('c1', [c1], at('2026-07-31T23:59:59.998-03:00'));
  await addUser('c2', [c1], at('2026-07-31T23:59:59.999-03:00'));
  await eidEvent('c1', '2026-07-31T23:59:59.998-03:00');
  await eidEvent('c2', '2026-07-31T23:59:59.999-03:00');

  // The login history of región A's users (the trend reads these, not last_eid_login_at).
  await eidEvent('a1', '2026-03-15T10:00:00-03:00');
  await eidEvent('a1', '2026-10-01T00:00:00-03:00');
  await eidEvent('a2', '2026-06-01T10:00:00-03:00');
  await eidEvent('a5', '2026-09-30T23:59:59.999-03:00');
  await eidEvent('a5', '2026-11-19T10:00:00-03:00', 'eid_reauthenticated');
  await eidEvent('a6', '2026-10-05T10:00:00-03:00'); // disabled: not in the population
  await eidEvent('a3', '2026-10-10T10:00:00-03:00', 'eid_cancelled', 'failure');
  await eidEvent('a3', '2026-10-11T10:00:00-03:00', 'login', 'success');

  const auditor = async (key: keyof typeof auditors, scope?: string) => {
    const { user } = await makeUser(t.sequelize, {
      role: 'auditor',
      scope,
      establishments: [auditHome],
    });
    auditors[key] = user;
  };
  await auditor('global');
  await auditor('regionA', `region:${regionA}`);
  await auditor('regionB', `region:${regionB}`);
  await auditor('regionC', `region:${regionC}`);
  await auditor('a2', `establishment:${a2.code}`);
});
afterAll(() => t.close());

async function signIn(key: keyof typeof auditors): Promise<request.Agent> {
  const agent = agentFor(t.app);
  const res = await loginAndChoose(agent, auditors[key].username, TEST_PASSWORD, auditHome.id);
  expect(res.headers.location).toBe('/');
  return agent;
}

/** The cells of a table row, by data-state, as displayed. */
function rowOf(html: string, attribute: string, id: number): Record<string, string> | null {
  const match = new RegExp(`<tr ${attribute}="${id}">([\\s\\S]*?)</tr>`).exec(html);
  if (!match) return null;
  const cells: Record<string, string> = {};
  for (const [, state, text] of match[1]!.matchAll(/data-state="(\w+)">([\s\S]*?)<\/td>/g))
    cells[state!] = text!
      .replace(/<[^>]+>/g, '')
      .replace(/\s+/g, ' ')
      .trim();
  return cells;
}

describe('GET /audit/eid-adoption: badge states by región and establishment', () => {
  it('when a global auditor opens it then región A and B show the hand-counted figures, A first', async () => {
    const res = await (await signIn('global')).get('/audit/eid-adoption');
    expect(res.status).toBe(200);
    const idA = a1.regionId;
    const idB = b1.regionId;
    expect(rowOf(res.text, 'data-region-id', idA)).toEqual({
      total: '5',
      verified: '2 (40 %)',
      stale: '1 (20 %)',
      never: '2 (40 %)',
      behind: '60 %',
    });
    expect(rowOf(res.text, 'data-region-id', idB)).toEqual({
      total: '5',
      verified: '3 (60 %)',
      stale: '2 (40 %)',
      never: '0 (0 %)',
      behind: '40 %',
    });
    expect(res.text.indexOf(`data-region-id="${idA}"`)).toBeLessThan(
      res.text.indexOf(`data-region-id="${idB}"`),
    );
    // The región's name is text, never markup.
    expect(res.text).toContain(`=Región B &lt;i&gt;${tag}&lt;/i&gt;`);
    expect(res.text).not.toContain(`<i>${tag}</i>`);
  });

  it('when a regional auditor opens it then they see only their región, with its exact totals', async () => {
    const res = await (await signIn('regionA')).get('/audit/eid-adoption');
    expect(res.status).toBe(200);
    const summary = /data-testid="adoption-summary">([\s\S]*?)<\/dl>/.exec(res.text)![1]!;
    const text = (state: string) =>
      new RegExp(`data-state="${state}">([\\s\\S]*?)</dd>`)
        .exec(summary)![1]!
        .replace(/<[^>]+>/g, '')
        .replace(/\s+/g, ' ')
        .trim();
    expect(text('total')).toBe('5');
    expect(text('verified')).toBe('2 (40 %)');
    expect(text('stale')).toBe('1 (20 %)');
    expect(text('never')).toBe('2 (40 %)');
    expect(rowOf(res.text, 'data-region-id', b1.regionId)).toBeNull();
    expect(res.text).not.toContain(tag + '&lt;/i&gt;');
    expect(res.text).not.toContain(b1.name);
    // Establishments, furthest behind first: A1 (75 %) before A2 (50 %).
    expect(rowOf(res.text, 'data-establishment-id', a1.id)).toEqual({
      total: '4',
      verified: '1 (25 %)',
      stale: '1 (25 %)',
      never: '2 (50 %)',
      behind: '75 %',
    });
    expect(rowOf(res.text, 'data-establishment-id', a2.id)).toEqual({
      total: '2',
      verified: '1 (50 %)',
      stale: '0 (0 %)',
      never: '1 (50 %)',
      behind: '50 %',
    });
    expect(res.text.indexOf(`data-establishment-id="${a1.id}"`)).toBeLessThan(
      res.text.indexOf(`data-establishment-id="${a2.id}"`),
    );
  });

  it('when an establishment auditor opens it then only that establishment is counted', async () => {
    const res = await (await signIn('a2')).get('/audit/eid-adoption');
    expect(res.status).toBe(200);
    expect(rowOf(res.text, 'data-region-id', a1.regionId)).toMatchObject({
      total: '2',
      verified: '1 (50 %)',
    });
    expect(rowOf(res.text, 'data-establishment-id', a1.id)).toBeNull();
    expect(rowOf(res.text, 'data-establishment-id', a2.id)).not.toBeNull();
  });

  it('when the region filter names a región outside the scope then the page says so', async () => {
    const agent = await signIn('regionA');
    const res = await agent.get(`/audit/eid-adoption?region=${b1.regionId}`);
    expect(res.status).toBe(400);
    expect(res.text).toContain('Elija una región sanitaria de la lista.');
    expect(res.text).toContain('aria-invalid="true"');
    expect(res.text).not.toContain(b1.name);
  });

  it('when a global auditor filters by región B then only its establishments are listed', async () => {
    const res = await (await signIn('global')).get(`/audit/eid-adoption?region=${b1.regionId}`);
    expect(res.status).toBe(200);
    const table = /data-testid="establishments-table"[\s\S]*?<\/table>/.exec(res.text)![0];
    expect([...table.matchAll(/data-establishment-id="(\d+)"/g)].map((m) => Number(m[1]))).toEqual([
      b1.id,
    ]);
  });
});

/** The trend table's rows: "2026-10 2 de 5 40 %". */
function trendRows(html: string): string[] {
  const table = /data-testid="trend-table"[\s\S]*?<\/table>/.exec(html)![0];
  return [...table.matchAll(/<tr data-month="([\d-]+)">([\s\S]*?)<\/tr>/g)].map(
    (m) =>
      `${m[1]} ${m[2]!
        .replace(/<th[\s\S]*?<\/th>/, '')
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim()}`,
  );
}

describe('the 12-month trend, from the login history', () => {
  it('when región A is read then each month counts its users with an e-ID login in the 3 months before its end', async () => {
    const res = await (await signIn('regionA')).get('/audit/eid-adoption');
    const rows = trendRows(res.text);
    expect(rows).toEqual([
      '2025-12 0 de 5 0 %',
      '2026-01 0 de 5 0 %',
      '2026-02 0 de 5 0 %',
      '2026-03 1 de 5 20 %', // a1, 15/03
      '2026-04 1 de 5 20 %',
      '2026-05 1 de 5 20 %',
      '2026-06 1 de 5 20 %', // a2, 01/06 (a1's March login is past 3 months)
      '2026-07 1 de 5 20 %',
      '2026-08 1 de 5 20 %',
      '2026-09 1 de 5 20 %', // a5 at 30/09 23:59:59.999, the month's last instant
      '2026-10 2 de 5 40 %', // a1 at 01/10 00:00 and a5; a6 is disabled, a3 only failed
      '2026-11 2 de 5 40 %', // so far: a1 and a5 — the same 2 as the verified badges now
    ]);
    expect(res.text).toContain('role="img"');
    expect(res.text).toMatch(/<svg[^>]+aria-labelledby="trend-chart-title trend-chart-desc"/);
    expect((res.text.match(/class="chart__bar/g) ?? []).length).toBe(12);
  });

  it('when a login lies exactly on a window’s lower bound then it is out; 1 ms later it is in', async () => {
    const res = await (await signIn('regionC')).get('/audit/eid-adoption');
    expect(trendRows(res.text).slice(6)).toEqual([
      '2026-06 0 de 2 0 %',
      '2026-07 2 de 2 100 %', // both, up to 31/07 23:59:59.999 inclusive
      '2026-08 2 de 2 100 %',
      '2026-09 2 de 2 100 %',
      '2026-10 1 de 2 50 %', // c1 sits on the cutoff (…998): stale at 31/10 23:59:59.999
      '2026-11 0 de 2 0 %',
    ]);
  });
});

describe('GET /audit/eid-adoption.csv', () => {
  it('when a regional auditor downloads it then it is Excel-ready CSV of their región only, and audited', async () => {
    const agent = await signIn('regionA');
    const res = await agent.get('/audit/eid-adoption.csv');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="?adopcion-identidad-electronica-20261120\.csv"?$/,
    );
    const body = res.text;
    expect(body.charCodeAt(0)).toBe(0xfeff);
    const lines = body.slice(1).trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'Nivel;Región sanitaria;Código;Establecimiento;Usuarios activos;Verificada;Verificada (%);' +
        'Más de 3 meses;Más de 3 meses (%);Nunca;Nunca (%);Sin verificar (%)',
    );
    expect(lines.slice(1)).toEqual([
      'Total;;;;5;2;40;1;20;2;40;60',
      `Región;${regionA};;;5;2;40;1;20;2;40;60`,
      `Establecimiento;${regionA};${a1.code};${a1.name};4;1;25;1;25;2;50;75`,
      `Establecimiento;${regionA};${a2.code};${a2.name};2;1;50;0;0;1;50;50`,
    ]);
    const [event] = await t.sequelize.query<{ details: { rows: number; view: string } }>(
      `SELECT details FROM admin_events
        WHERE actor_username = :username AND action = 'audit.export' AND outcome = 'success'`,
      { replacements: { username: auditors.regionA.username }, type: QueryTypes.SELECT },
    );
    expect(event?.details).toEqual({ view: 'estados', rows: 4 });
  });

  it('when región B (whose name starts with "=") is exported then the name is neutralised', async () => {
    const res = await (await signIn('regionB')).get('/audit/eid-adoption.csv');
    const lines = res.text
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines).toContain(`Región;'${regionB};;;5;3;60;2;40;0;0;40`);
    expect(res.text).not.toContain(regionA);
  });

  it('when the trend is exported then there is one row per month with its share', async () => {
    const res = await (await signIn('regionA')).get('/audit/eid-adoption.csv?vista=tendencia');
    const lines = res.text
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines).toHaveLength(13);
    expect(lines[0]).toMatch(/^Mes;/);
    expect(lines[11]).toBe('2026-10;2;5;40;No');
    expect(lines[12]).toBe('2026-11;2;5;40;Sí');
  });
});

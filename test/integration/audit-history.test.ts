import { randomBytes } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import type request from 'supertest';
import { parse } from 'csv-parse/sync';
import { buildTestApp, type TestApp } from '../support/test-app';
import { makeEstablishment, makeUser, TEST_PASSWORD } from '../support/factories';
import { agentFor, csrfOf, loginAndChoose, postLogin } from '../support/http';
import { appendLoginEvent, type LoginEvent } from '../../src/storage/audit/login-events';
import { appendAdminEvent } from '../../src/storage/audit/admin-events';
import { createLoginHistory, PROBE_LIMIT } from '../../src/storage/queries/login-history';
import type { EstablishmentRecord } from '../../src/storage/establishments';
import type { UserRecord } from '../../src/storage/users';

jest.setTimeout(60_000);

/**
 * The auditors' histories against real PostgreSQL and Redis. Other test files write to the same
 * tables at the same time: every assertion is about rows this file made (its own regiones,
 * establishments, users and user agents).
 */
let t: TestApp;
const tag = randomBytes(3).toString('hex');
const regionA = `Región Auditoría A ${tag}`;
const regionB = `Región Auditoría B ${tag}`;
let estA1: EstablishmentRecord;
let estA2: EstablishmentRecord;
let estB: EstablishmentRecord;
let staffA: UserRecord;
let staffA2: UserRecord;
let staffB: UserRecord;
const logins = new Map<string, { username: string; home: EstablishmentRecord }>();
const agents = new Map<string, request.Agent>();

const T0 = new Date('2026-11-10T13:00:00Z');
const ua = (name: string) => `ua-${tag}-${name}`;

async function event(e: Partial<LoginEvent> & { userAgent: string }): Promise<void> {
  await appendLoginEvent(t.sequelize, {
    occurredAt: T0,
    userId: null,
    username: null,
    method: 'classic',
    outcome: 'success',
    reason: 'login',
    establishmentId: null,
    ip: '10.1.2.3',
    ...e,
  });
}

/** The signed-in agent of one of this file's accounts. */
async function as(who: string): Promise<request.Agent> {
  const existing = agents.get(who);
  if (existing) return existing;
  const account = logins.get(who)!;
  const agent = agentFor(t.app);
  const res = await loginAndChoose(agent, account.username, TEST_PASSWORD, account.home.id);
  if (res.headers.location !== '/') throw new Error(`${who} could not log in`);
  agents.set(who, agent);
  return agent;
}

/** The `data-event-id`s of a history page, in order. */
const eventIds = (html: string) => [...html.matchAll(/data-event-id="(\d+)"/g)].map((m) => m[1]!);

const nextHref = (html: string) =>
  /<a href="([^"]+)" rel="next">/.exec(html)?.[1]?.replace(/&amp;/g, '&') ?? null;

/** A CSV export: its BOM, header and records (parsed back with the project's own parser). */
function readCsv(res: request.Response): { bom: boolean; header: string[]; rows: string[][] } {
  const body = (res.body as Buffer).toString('utf8');
  const records = parse(body.replace(/^\uFEFF/, ''), { delimiter: ';' }) as string[][];
  return { bom: body.startsWith('\uFEFF'), header: records[0] ?? [], rows: records.slice(1) };
}

const getCsv = (agent: request.Agent, path: string) =>
  agent
    .get(path)
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });

beforeAll(async () => {
  t = await buildTestApp({}, { start: '2026-11-20T12:00:00Z' });
  estA1 = await makeEstablishment(t.sequelize, regionA);
  estA2 = await makeEstablishment(t.sequelize, regionA);
  estB = await makeEstablishment(t.sequelize, regionB);
  ({ user: staffA } = await makeUser(t.sequelize, { establishments: [estA1], name: 'Ana Área A' }));
  ({ user: staffA2 } = await makeUser(t.sequelize, { establishments: [estA2] }));
  ({ user: staffB } = await makeUser(t.sequelize, { establishments: [estB], name: 'Bruno B' }));
  const account = async (
    who: string,
    opts: { role: 'staff' | 'admin' | 'auditor'; scope?: string; home: EstablishmentRecord },
  ) => {
    const { user } = await makeUser(t.sequelize, {
      role: opts.role,
      scope: opts.scope,
      establishments: [opts.home],
    });
    logins.set(who, { username: user.username, home: opts.home });
  };
  await account('globalAuditor', { role: 'auditor', home: estA1 });
  await account('regionAuditor', { role: 'auditor', scope: `region:${regionA}`, home: estA1 });
  await account('establishmentAuditor', {
    role: 'auditor',
    scope: `establishment:${estA2.code}`,
    home: estA2,
  });
  await account('admin', { role: 'admin', home: estA1 });
  await account('staff', { role: 'staff', home: estA1 });

  await event({
    userId: staffA.id,
    username: staffA.username,
    establishmentId: estA1.id,
    userAgent: ua('a1-login'),
  });
  await event({
    userId: staffA2.id,
    username: staffA2.username,
    establishmentId: estA2.id,
    userAgent: ua('a2-login'),
  });
  await event({
    userId: staffB.id,
    username: staffB.username,
    establishmentId: estB.id,
    userAgent: ua('b-login'),
  });
  // Failures before the establishment step: attributed to the user's establishments.
  await event({
    userId: staffA.id,
    username: staffA.username,
    outcome: 'failure',
    reason: 'bad_password',
    userAgent: ua('a-failure'),
  });
  await event({
    userId: staffB.id,
    username: staffB.username,
    outcome: 'failure',
    reason: 'bad_password',
    userAgent: ua('b-failure'),
  });
  await event({
    username: `nadie-${tag}`,
    outcome: 'failure',
    reason: 'unknown_user',
    userAgent: ua('unknown'),
  });
});
afterAll(() => t.close());

describe('scope: an auditor sees only the rows of their región or establishment', () => {
  it('when a regional auditor reads the history then their región rows (and their users’ failed attempts) appear and no other', async () => {
    const res = await (await as('regionAuditor')).get('/audit/logins');
    expect(res.status).toBe(200);
    for (const seen of ['a1-login', 'a2-login', 'a-failure']) expect(res.text).toContain(ua(seen));
    for (const hidden of ['b-login', 'b-failure', 'unknown'])
      expect(res.text).not.toContain(ua(hidden));
  });

  it('when a regional auditor asks for another región’s establishment in the URL then nothing of it is shown', async () => {
    const res = await (await as('regionAuditor')).get(`/audit/logins?establishment=${estB.id}`);
    expect(res.status).toBe(200);
    expect(res.text).not.toContain(ua('b-login'));
    expect(eventIds(res.text)).toEqual([]);
  });

  it('when a regional auditor downloads the CSV then it holds their región’s rows only, also with a filter for another', async () => {
    const agent = await as('regionAuditor');
    const all = readCsv(await getCsv(agent, '/audit/logins.csv'));
    const agents = all.rows.map((r) => r[12]);
    expect(agents).toEqual(
      expect.arrayContaining([ua('a1-login'), ua('a2-login'), ua('a-failure')]),
    );
    for (const hidden of ['b-login', 'b-failure', 'unknown'])
      expect(agents).not.toContain(ua(hidden));
    const other = readCsv(await getCsv(agent, `/audit/logins.csv?establishment=${estB.id}`));
    expect(other.rows).toEqual([]);
  });

  it('when an establishment auditor reads the history then only that establishment’s rows appear', async () => {
    const res = await (await as('establishmentAuditor')).get('/audit/logins');
    expect(res.text).toContain(ua('a2-login'));
    for (const hidden of ['a1-login', 'a-failure', 'b-login'])
      expect(res.text).not.toContain(ua(hidden));
  });

  it('when a network-wide auditor filters by establishment then that establishment’s rows and its users’ failures appear', async () => {
    const res = await (await as('globalAuditor')).get(`/audit/logins?establishment=${estB.id}`);
    expect(res.text).toContain(ua('b-login'));
    expect(res.text).toContain(ua('b-failure'));
    for (const hidden of ['a1-login', 'a-failure', 'unknown'])
      expect(res.text).not.toContain(ua(hidden));
  });

  it('when a network-wide auditor filters by región then the región’s rows appear', async () => {
    const [region] = await t.sequelize.query<{ id: number }>(
      'SELECT region_id AS id FROM establishments WHERE id = :id',
      { replacements: { id: estA1.id }, type: QueryTypes.SELECT },
    );
    const res = await (await as('globalAuditor')).get(`/audit/logins?region=${region!.id}`);
    expect(res.text).toContain(ua('a2-login'));
    expect(res.text).not.toContain(ua('b-login'));
  });
});

describe('keyset paging on (occurred_at, id)', () => {
  const SAME_INSTANT = new Date('2026-11-15T12:00:00.000Z');

  async function manyAtOnce(user: UserRecord, n: number, at = SAME_INSTANT): Promise<string[]> {
    for (let i = 0; i < n; i++)
      await event({
        occurredAt: at,
        userId: user.id,
        username: user.username,
        establishmentId: estA1.id,
        userAgent: ua(`page-${user.id}-${i}`),
      });
    const rows = await t.sequelize.query<{ id: string }>(
      'SELECT id::text FROM login_events WHERE user_id = :id ORDER BY occurred_at DESC, login_events.id DESC',
      { replacements: { id: user.id }, type: QueryTypes.SELECT },
    );
    return rows.map((r) => r.id);
  }

  /** Every page from `path`, following "Siguiente página". */
  async function allPages(agent: request.Agent, path: string): Promise<string[][]> {
    const pages: string[][] = [];
    for (let next: string | null = path; next;) {
      const res: request.Response = await agent.get(next);
      expect(res.status).toBe(200);
      pages.push(eventIds(res.text));
      next = nextHref(res.text);
    }
    return pages;
  }

  it('when 120 rows share one instant then the pages hold 50, 50 and 20 of them, each once, in id order', async () => {
    const { user } = await makeUser(t.sequelize, { establishments: [estA1] });
    const expected = await manyAtOnce(user, 120);
    const pages = await allPages(await as('globalAuditor'), `/audit/logins?userId=${user.id}`);
    expect(pages.map((p) => p.length)).toEqual([50, 50, 20]);
    expect(pages.flat()).toEqual(expected);
  });

  it('when there are several pages then each says the total and which page it is', async () => {
    const { user } = await makeUser(t.sequelize, { establishments: [estA1] });
    await manyAtOnce(user, 120);
    const agent = await as('globalAuditor');
    const count = (html: string) =>
      /data-testid="results-count"><strong>([^<]*)<\/strong> · ([^<]*)</.exec(html)?.slice(1);
    const first = await agent.get(`/audit/logins?userId=${user.id}`);
    expect(count(first.text)).toEqual(['120 ingresos', 'Página 1 de 3']);
    const second = await agent.get(nextHref(first.text)!);
    expect(count(second.text)).toEqual(['120 ingresos', 'Página 2 de 3']);
    const third = await agent.get(nextHref(second.text)!);
    expect(count(third.text)).toEqual(['120 ingresos', 'Página 3 de 3']);
    // One row: the noun in the singular.
    const { user: once } = await makeUser(t.sequelize, { establishments: [estA1] });
    await manyAtOnce(once, 1);
    expect(count((await agent.get(`/audit/logins?userId=${once.id}`)).text)).toEqual([
      '1 ingreso',
      'Página 1 de 1',
    ]);
  });

  it('when more rows match than are counted then the page says "Más de 10.000"', async () => {
    const history = createLoginHistory(t.sequelize);
    const { user } = await makeUser(t.sequelize, { establishments: [estA1] });
    await manyAtOnce(user, 12);
    const q = { filters: { userId: user.id }, scope: { kind: 'global' as const }, places: [] };
    expect(await history.count(q, 10)).toBe(11); // the cap + 1: "more than 10"
    expect(await history.count(q)).toBe(12);
  });

  it('when a regional auditor pages through rows sharing one instant then none is lost or repeated (merged probes)', async () => {
    const { user } = await makeUser(t.sequelize, { establishments: [estA2] });
    const expected = await manyAtOnce(user, 120);
    const seen = (await allPages(await as('regionAuditor'), '/audit/logins')).flat();
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((id) => expected.includes(id))).toEqual(expected);
  });

  it('when the scope is too large to probe key by key then the walk pages through the same rows', async () => {
    const { user } = await makeUser(t.sequelize, { establishments: [estA2] });
    const expected = await manyAtOnce(user, 120);
    // The rows' establishment and more ids than PROBE_LIMIT (nobody's): one walk, filtered.
    const wide = [estA1.id, ...Array.from({ length: PROBE_LIMIT }, (_, i) => 2_000_000_000 + i)];
    const history = createLoginHistory(t.sequelize);
    const q = {
      filters: {},
      scope: { kind: 'limited' as const, establishmentIds: wide, regionIds: [] },
      places: [],
    };
    const seen: string[] = [];
    for (let cursor: string | undefined, i = 0; i === 0 || cursor; i++) {
      const page = await history.page(q, cursor);
      seen.push(...page.rows.map((r) => r.id));
      cursor = page.nextCursor ?? undefined;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((id) => expected.includes(id))).toEqual(expected);
  });

  it('when rows arrive between two pages then the second page is the one it was before they came', async () => {
    const { user } = await makeUser(t.sequelize, { establishments: [estA1] });
    const before = await manyAtOnce(user, 120);
    const agent = await as('globalAuditor');
    const first = await agent.get(`/audit/logins?userId=${user.id}`);
    expect(eventIds(first.text)).toEqual(before.slice(0, 50));
    await manyAtOnce(user, 5); // same instant, larger ids: they sort before the page
    await manyAtOnce(user, 5, new Date(SAME_INSTANT.getTime() + 1000));
    const second = await agent.get(nextHref(first.text)!);
    expect(eventIds(second.text)).toEqual(before.slice(50, 100));
  });

  it('when the page link is edited then the first page is shown with a notice', async () => {
    const res = await (
      await as('globalAuditor')
    ).get(`/audit/logins?userId=${staffA.id}&after=bm90LWEtY3Vyc29y`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('El enlace de la página no era válido');
    expect(res.text).toContain(ua('a1-login'));
  });
});

describe('filters', () => {
  it('when filtering by reason, outcome, method, cédula and IP then only matching rows of this file appear', async () => {
    const agent = await as('globalAuditor');
    const mine = `establishment=${estA1.id}`;
    const failure = await agent.get(`/audit/logins?${mine}&outcome=failure&reason=bad_password`);
    expect(failure.text).toContain(ua('a-failure'));
    expect(failure.text).not.toContain(ua('a1-login'));
    expect(failure.text).toContain('Contraseña incorrecta');
    const byDocument = await agent.get(
      `/audit/logins?document=${staffB.documentNumber.replace(/(\d{3})$/, '.$1')}`,
    );
    expect(byDocument.text).toContain(ua('b-login'));
    expect(byDocument.text).not.toContain(ua('a1-login'));
    const ip = `10.${tag.length}.${parseInt(tag.slice(0, 2), 16)}.${parseInt(tag.slice(2, 4), 16)}`;
    await event({
      userId: staffB.id,
      username: staffB.username,
      method: 'eid',
      reason: 'eid_verified',
      outcome: 'info',
      ip,
      userAgent: ua('by-ip'),
    });
    const byIp = await agent.get(`/audit/logins?ip=${ip}&method=eid`);
    expect(eventIds(byIp.text)).toHaveLength(1);
    expect(byIp.text).toContain(ua('by-ip'));
  });

  it('when filtering by "Respuesta inválida del proveedor" then the state, nonce and signature failures all appear, nothing else', async () => {
    const { user } = await makeUser(t.sequelize, { establishments: [estA1] });
    for (const reason of ['eid_state_mismatch', 'eid_nonce_mismatch', 'eid_bad_signature'])
      await event({
        userId: user.id,
        username: user.username,
        method: 'eid',
        outcome: 'failure',
        reason,
        userAgent: ua(`grouped-${reason}`),
      });
    await event({ userId: user.id, username: user.username, userAgent: ua('grouped-login') });
    const agent = await as('globalAuditor');
    const res = await agent.get(`/audit/logins?userId=${user.id}&reason=eid_invalid_response`);
    expect(eventIds(res.text)).toHaveLength(3);
    expect(res.text).not.toContain(ua('grouped-login'));
    // One choice in the filter, inside its group; each row keeps its own reason.
    expect(res.text).toMatch(
      /<optgroup label="Identidad Electrónica">[\s\S]*?<option value="eid_invalid_response" selected>Respuesta inválida del proveedor</,
    );
    expect(res.text).not.toContain('<option value="eid_nonce_mismatch"');
    expect(res.text).toContain('Token que no corresponde a este inicio (nonce)');
    // A stored code still works in a link made before the grouping.
    const old = await agent.get(`/audit/logins?userId=${user.id}&reason=eid_bad_signature`);
    expect(eventIds(old.text)).toHaveLength(1);
  });

  it('when filtering by part of a username then that account’s rows appear and not others', async () => {
    const res = await (
      await as('globalAuditor')
    ).get(`/audit/logins?user=${staffA.username.slice(1, -1).toUpperCase()}`);
    expect(res.text).toContain(ua('a1-login'));
    expect(res.text).toContain(ua('a-failure'));
    expect(res.text).not.toContain(ua('b-login'));
  });

  it('when filtering by dates then days are Asunción days (23:30 on the 19th is UTC 02:30 on the 20th)', async () => {
    const { user } = await makeUser(t.sequelize, { establishments: [estA1] });
    await event({
      occurredAt: new Date('2026-11-20T02:30:00Z'),
      userId: user.id,
      username: user.username,
      userAgent: ua('late'),
    });
    const agent = await as('globalAuditor');
    const on19 = await agent.get(`/audit/logins?userId=${user.id}&from=2026-11-19&to=2026-11-19`);
    const on20 = await agent.get(`/audit/logins?userId=${user.id}&from=2026-11-20`);
    expect(on19.text).toContain(ua('late'));
    expect(on19.text).toContain('19/11/2026 23:30:00');
    expect(on20.text).not.toContain(ua('late'));
  });

  it('when a filter is malformed then the page says which and why, in Spanish, and offers no export', async () => {
    const res = await (
      await as('globalAuditor')
    ).get('/audit/logins?ip=10.0.0&document=abc&from=2026-11-20&to=2026-11-01&reason=nope');
    expect(res.status).toBe(400);
    expect(res.text).toContain('Escriba una dirección IP completa');
    expect(res.text).toContain('Escriba una cédula válida');
    expect(res.text).toContain('Elija un motivo de la lista.');
    expect(res.text).toMatch(/id="ip" [^>]*aria-invalid="true" aria-describedby="ip-error"/);
    expect(res.text).not.toContain('.csv');
    const dates = await (
      await as('globalAuditor')
    ).get('/audit/logins?from=2026-11-20&to=2026-11-01');
    expect(dates.text).toContain('La fecha final debe ser igual o posterior a la inicial.');
    const csv = await (await as('globalAuditor')).get('/audit/logins.csv?ip=nope');
    expect(csv.status).toBe(400);
    expect(csv.headers['content-type']).toMatch(/text\/html/);
  });
});

describe('hostile text: escaped on screen, neutralised in the CSV', () => {
  const script = `<script>alert('${tag}')</script>`;
  const formula = `=HYPERLINK("http://evil.example/${tag}","clic")`;
  const agentText = `${formula}\n<script>ua-${tag}</script>`;
  const ip = `10.250.${parseInt(tag.slice(0, 2), 16)}.${parseInt(tag.slice(4, 6), 16)}`;

  beforeAll(async () => {
    // Real failed logins: the usernames travel through the login form into the history.
    for (const username of [script, formula]) {
      const res = await postLogin(agentFor(t.app), username, 'x');
      expect(res.status).toBe(401);
    }
    // A user agent cannot hold a newline in HTTP: this one is recorded directly.
    await event({
      username: `agente-${tag}`,
      outcome: 'failure',
      reason: 'unknown_user',
      ip,
      userAgent: agentText,
    });
  });

  it('when the history shows them then every character is escaped', async () => {
    const agent = await as('globalAuditor');
    const byName = await agent.get(`/audit/logins?user=${encodeURIComponent(script)}`);
    expect(byName.text).toContain(`&lt;script&gt;alert(&#39;${tag}&#39;)&lt;/script&gt;`);
    expect(byName.text).not.toContain(script);
    const byIp = await agent.get(`/audit/logins?ip=${ip}`);
    expect(byIp.text).toContain(
      `=HYPERLINK(&#34;http://evil.example/${tag}&#34;,&#34;clic&#34;)\n&lt;script&gt;ua-${tag}&lt;/script&gt;`,
    );
    expect(byIp.text).not.toContain(`<script>ua-${tag}`);
  });

  it('when they are exported then the CSV has a BOM, quotes the newline and neutralises the formulas', async () => {
    const agent = await as('globalAuditor');
    const res = await getCsv(agent, `/audit/logins.csv?ip=${ip}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(
      'attachment; filename="historial-ingresos-20261120.csv"',
    );
    const raw = (res.body as Buffer).toString('utf8');
    expect(raw.startsWith('\uFEFFFecha y hora (Asunción);')).toBe(true);
    expect(raw).toContain(
      `"'=HYPERLINK(""http://evil.example/${tag}"",""clic"")\n<script>ua-${tag}</script>"`,
    );
    const csv = readCsv(res);
    expect(csv.rows).toHaveLength(1);
    expect(csv.rows[0]![12]).toBe(`'${agentText}`);

    const formulaRes = await getCsv(agent, `/audit/logins.csv?user=${encodeURIComponent(formula)}`);
    const typed = readCsv(formulaRes).rows.map((r) => r[2]);
    expect(typed).toEqual([`'${formula.toLowerCase()}`]);
  });

  it.each([',', ';'])(
    'when the file is read with %j as the separator then no cell starts a formula',
    async (delimiter) => {
      const hidden = `x,=1+2,y;@sum(a1)-${tag}`;
      expect((await postLogin(agentFor(t.app), hidden, 'x')).status).toBe(401);
      const agent = await as('globalAuditor');
      const res = await getCsv(agent, `/audit/logins.csv?user=${encodeURIComponent(hidden)}`);
      const raw = (res.body as Buffer).toString('utf8').replace(/^\uFEFF/, '');
      // A spreadsheet takes a quote in the middle of a field literally (relax_quotes).
      const cells = (
        parse(raw, { delimiter, relax_column_count: true, relax_quotes: true }) as string[][]
      ).flat();
      expect(cells.some((c) => c.includes(`sum(a1)-${tag}`))).toBe(true);
      expect(cells.filter((c) => /^[=+\-@\t\r]/.test(c))).toEqual([]);
    },
  );
});

describe('the export is itself audited', () => {
  it('when a regional auditor downloads the CSV then an audit.export row records who, the filters and the row count', async () => {
    const agent = await as('regionAuditor');
    const res = await getCsv(agent, `/audit/logins.csv?outcome=failure&establishment=${estA1.id}`);
    const { rows } = readCsv(res);
    expect(rows.length).toBeGreaterThan(0);
    const [row] = await t.sequelize.query<{
      actor_username: string;
      details: { table: string; filters: Record<string, string>; rows: number; complete: boolean };
      region_ids: number[];
    }>(
      `SELECT actor_username, details, region_ids FROM admin_events
       WHERE action = 'audit.export' AND actor_username = :who ORDER BY id DESC LIMIT 1`,
      { replacements: { who: logins.get('regionAuditor')!.username }, type: QueryTypes.SELECT },
    );
    expect(row?.details).toEqual({
      table: 'login_events',
      filters: { outcome: 'failure', establishment: String(estA1.id) },
      rows: rows.length,
      complete: true,
    });
    expect(row?.region_ids).toEqual([estA1.regionId]);
  });
});

describe('administrative actions', () => {
  beforeAll(async () => {
    const admin = {
      actorUserId: null,
      actorUsername: `jefe-${tag}`,
      outcome: 'success' as const,
      targetType: 'user',
      establishmentId: null,
      ip: '10.9.9.9',
      userAgent: 'x',
    };
    await t.sequelize.transaction(async (tx) => {
      await appendAdminEvent(
        t.sequelize,
        {
          ...admin,
          occurredAt: T0,
          action: 'users.disable',
          targetId: String(staffA.id),
          targetUserId: staffA.id,
          details: { before: { status: 'active' }, after: { status: 'disabled' } },
          regionIds: [estA1.regionId],
        },
        tx,
      );
      await appendAdminEvent(
        t.sequelize,
        {
          ...admin,
          occurredAt: T0,
          action: 'users.enable',
          targetId: String(staffB.id),
          targetUserId: staffB.id,
          details: { before: { status: 'disabled' }, after: { status: 'active' } },
          regionIds: [estB.regionId],
        },
        tx,
      );
    });
  });

  it('when a regional auditor reads them then only their región’s rows appear, with what changed', async () => {
    const res = await (await as('regionAuditor')).get(`/audit/admin-events?user=jefe-${tag}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Deshabilitar usuario');
    expect(res.text).toContain('Estado: Activo → Deshabilitado');
    expect(res.text).toContain('Ana Área A');
    expect(res.text).not.toContain('Bruno B');
    expect(eventIds(res.text)).toHaveLength(1);
  });

  it('when a regional auditor exports them then the CSV holds the same row', async () => {
    const res = await getCsv(await as('regionAuditor'), `/audit/admin-events.csv?user=jefe-${tag}`);
    expect(res.headers['content-disposition']).toBe(
      'attachment; filename="acciones-administrativas-20261120.csv"',
    );
    const { bom, header, rows } = readCsv(res);
    expect(bom).toBe(true);
    expect(header.slice(0, 4)).toEqual([
      'Fecha y hora (Asunción)',
      'Acción',
      'Código de la acción',
      'Resultado',
    ]);
    expect(rows.map((r) => [r[2], r[9]])).toEqual([
      ['users.disable', 'Estado: Activo → Deshabilitado'],
    ]);
  });

  it('when a network-wide auditor filters by action then both regiones’ rows of that action appear', async () => {
    const res = await (
      await as('globalAuditor')
    ).get(`/audit/admin-events?user=jefe-${tag}&action=users.enable`);
    expect(res.text).toContain('Bruno B');
    expect(res.text).not.toContain('Ana Área A');
  });
});

describe('who may read', () => {
  const paths = [
    '/audit/logins',
    '/audit/logins.csv',
    '/audit/admin-events',
    '/audit/admin-events.csv',
  ];

  it.each(['staff', 'admin'])(
    'when %s opens the audit pages then each is refused with 403',
    async (who) => {
      const agent = await as(who);
      for (const path of paths) {
        const res = await agent.get(path);
        expect([path, res.status]).toEqual([path, 403]);
      }
    },
  );

  it('when nobody is signed in then the audit pages send to the login', async () => {
    for (const path of paths) {
      const res = await agentFor(t.app).get(path);
      expect([path, res.status, res.headers.location]).toEqual([path, 303, '/login']);
    }
  });

  it('when an auditor posts to an administration route then it is refused and the refusal recorded', async () => {
    const agent = await as('regionAuditor');
    const csrf = await csrfOf(agent, '/audit/logins');
    const res = await agent
      .post('/admin/regions')
      .type('form')
      .send({ _csrf: csrf, name: `Nueva ${tag}` });
    expect(res.status).toBe(403);
    const [row] = await t.sequelize.query<{ outcome: string; target_id: string }>(
      `SELECT outcome, target_id FROM admin_events WHERE actor_username = :who AND target_type = 'route'
       ORDER BY id DESC LIMIT 1`,
      { replacements: { who: logins.get('regionAuditor')!.username }, type: QueryTypes.SELECT },
    );
    expect(row).toEqual({ outcome: 'denied', target_id: 'POST /admin/regions' });
  });
});

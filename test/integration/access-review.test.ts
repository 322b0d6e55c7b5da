import { randomBytes } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import type request from 'supertest';
import { buildTestApp, type TestApp } from '../support/test-app';
import { scratchDatabase } from '../support/scratch-database';
import { makeEstablishment, TEST_PASSWORD } from '../support/factories';
import { agentFor, csrfOf, loginAndChoose } from '../support/http';
import { signedIn, type SignedInUser } from '../support/sign-in';
import { closeDueReview } from '../../src/domain/reviews/due';
import type { EstablishmentRecord } from '../../src/storage/establishments';

/**
 * The periodic access review: a global admin opens it with a last day; each admin confirms the
 * people of their scope (or changes their access first, and the decision says so); what reaches
 * beyond an admin's scope, a peer or oneself is left to someone above; progress per región; at
 * the close the unreviewed are listed and, as this review asks, lose their roles other than
 * staff (a network-wide admin keeps theirs); the result as CSV; every decision in the history.
 * A review covers every account: a database of its own.
 */
jest.setTimeout(90_000);

let t: TestApp;
let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
const tag = randomBytes(3).toString('hex');
const capital = `Capital ${tag}`;
const central = `Central ${tag}`;
let a1: EstablishmentRecord;
let a2: EstablishmentRecord;
let b1: EstablishmentRecord;
let global: SignedInUser;
let ra: SignedInUser;
let peer: SignedInUser;
let auditor: SignedInUser;
let s1: SignedInUser;
let s2: SignedInUser;
let s3: SignedInUser;
let cross: SignedInUser;
let sB: SignedInUser;
let reviewId: number;

const post = async (agent: request.Agent, path: string, fields: Record<string, string> = {}) =>
  agent
    .post(path)
    .type('form')
    .send({ _csrf: await csrfOf(agent, '/admin/reviews'), ...fields })
    .redirects(0);

const decisions = () =>
  t.sequelize.query<{ user_id: number; decision: string; decided_by_username: string }>(
    `SELECT user_id, decision, decided_by_username FROM access_review_decisions
      WHERE review_id = $1 ORDER BY user_id`,
    { bind: [reviewId], type: QueryTypes.SELECT },
  );
const decisionOf = async (userId: number) =>
  (await decisions()).find((d) => d.user_id === userId)?.decision ?? null;
const events = (action: string) =>
  t.sequelize.query<{
    actor_username: string;
    outcome: string;
    target_user_id: number | null;
    details: Record<string, unknown>;
  }>(
    `SELECT actor_username, outcome, target_user_id, details FROM admin_events
      WHERE action = $1 ORDER BY id`,
    { bind: [action], type: QueryTypes.SELECT },
  );
const rowOf = (html: string, userId: number) => {
  const start = html.indexOf(`data-user-id="${userId}"`);
  return start < 0 ? null : html.slice(start, html.indexOf('</tr>', start));
};

beforeAll(async () => {
  scratch = await scratchDatabase('review');
  t = await buildTestApp({ DATABASE_URL: scratch.url });
  a1 = await makeEstablishment(t.sequelize, capital);
  a2 = await makeEstablishment(t.sequelize, capital);
  b1 = await makeEstablishment(t.sequelize, central);
  global = await signedIn(t, { establishments: [a1], role: 'admin' });
  ra = await signedIn(t, { establishments: [a1], role: 'admin', scope: `region:${capital}` });
  peer = await signedIn(t, { establishments: [a2], role: 'admin', scope: `region:${capital}` });
  auditor = await signedIn(t, {
    establishments: [a2],
    role: 'auditor',
    scope: `region:${capital}`,
  });
  s1 = await signedIn(t, { establishments: [a1] });
  s2 = await signedIn(t, { establishments: [a1, a2] });
  s3 = await signedIn(t, { establishments: [a2] });
  cross = await signedIn(t, { establishments: [a1, b1] });
  sB = await signedIn(t, { establishments: [b1] });
});
afterAll(async () => {
  await t.close();
  await scratch.drop();
});

describe('opening', () => {
  it('when a regional admin tries to open a review then it is refused; the page says who opens one', async () => {
    const page = await ra.agent.get('/admin/reviews');
    expect(page.status).toBe(200);
    expect(page.text).toContain('La abre un administrador de toda la red.');
    expect(page.text).not.toContain('Abrir revisión');
    const res = await post(ra.agent, '/admin/reviews', { title: 'X', lastDay: '2026-12-20' });
    expect(res.status).toBe(403);
  });

  it('when the last day is today or more than six months ahead then the field says why', async () => {
    const today = await post(global.agent, '/admin/reviews', {
      title: 'Revisión de accesos 2026-2',
      lastDay: '2026-11-20',
    });
    expect(today.status).toBe(400);
    expect(today.text).toContain('El último día debe ser posterior a hoy.');
    const far = await post(global.agent, '/admin/reviews', {
      title: 'Revisión de accesos 2026-2',
      lastDay: '2027-08-01',
    });
    expect(far.text).toContain(
      'Una revisión dura como máximo 6 meses: elija un día hasta el 20/05/2027.',
    );
  });

  it('when a global admin opens a review then it is recorded and a second one is refused while it is open', async () => {
    const res = await post(global.agent, '/admin/reviews', {
      title: 'Revisión de accesos 2026-2',
      lastDay: '2026-12-15',
      suspendUnreviewed: 'on',
    });
    expect(res.status).toBe(303);
    reviewId = Number(/\/admin\/reviews\/(\d+)$/.exec(res.headers.location!)![1]);
    const [opened] = (await events('reviews.open')).filter((e) => e.outcome === 'success');
    expect(opened).toMatchObject({
      actor_username: global.user.username,
      outcome: 'success',
      details: {
        title: 'Revisión de accesos 2026-2',
        lastDay: '2026-12-15',
        suspendUnreviewed: true,
      },
    });
    const again = await post(global.agent, '/admin/reviews', {
      title: 'Otra',
      lastDay: '2026-12-16',
    });
    expect(again.status).toBe(409);
    expect(again.text).toContain(
      'Ya hay una revisión abierta («Revisión de accesos 2026-2», hasta el 15/12/2026)',
    );
  });
});

describe('an admin reviews their scope', () => {
  it('when the regional admin opens the review then they see the people of their región only, with what each row allows', async () => {
    const page = await ra.agent.get(`/admin/reviews/${reviewId}`);
    expect(page.status).toBe(200);
    for (const u of [s1, s2, s3, cross, peer, auditor, ra])
      expect(rowOf(page.text, u.user.id)).not.toBeNull();
    expect(rowOf(page.text, sB.user.id)).toBeNull();
    expect(rowOf(page.text, s1.user.id)).toContain('>Confirmar<');
    expect(rowOf(page.text, auditor.user.id)).toContain('>Confirmar<');
    for (const u of [cross, peer])
      expect(rowOf(page.text, u.user.id)).toContain('lo confirma un administrador de toda la red');
    expect(rowOf(page.text, ra.user.id)).toContain(
      'Sus propios accesos los confirma otro administrador.',
    );
    // Progress: their región only, nobody reviewed yet.
    expect(page.text).toContain(capital);
    expect(page.text).not.toContain(central);
  });

  it('when the regional admin confirms a person then the decision and its audit row say so, and the person leaves the pending list', async () => {
    const res = await post(ra.agent, `/admin/reviews/${reviewId}/users/${s1.user.id}/confirm`, {
      back: `/admin/reviews/${reviewId}?q=x`,
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/admin/reviews/${reviewId}?q=x`);
    expect(await decisionOf(s1.user.id)).toBe('confirmed');
    const [row] = await events('reviews.confirm');
    expect(row).toMatchObject({
      actor_username: ra.user.username,
      outcome: 'success',
      target_user_id: s1.user.id,
      details: { reviewId, decision: 'confirmed', review: 'Revisión de accesos 2026-2' },
    });
    const pending = await ra.agent.get(`/admin/reviews/${reviewId}`);
    expect(rowOf(pending.text, s1.user.id)).toBeNull();
    const done = await ra.agent.get(`/admin/reviews/${reviewId}?estado=revisados`);
    expect(rowOf(done.text, s1.user.id)).toContain('Confirmado');
    expect(rowOf(done.text, s1.user.id)).toContain(`por ${ra.user.username}`);
  });

  it('when the admin removes an establishment on the person\'s page and then confirms then the decision is "modificado"', async () => {
    const removed = await ra.agent
      .post(`/admin/users/${s2.user.id}/establishments/remove`)
      .type('form')
      .send({
        _csrf: await csrfOf(ra.agent, `/admin/users/${s2.user.id}`),
        establishmentId: a2.id,
      });
    expect(removed.status).toBe(303);
    await post(ra.agent, `/admin/reviews/${reviewId}/users/${s2.user.id}/confirm`);
    expect(await decisionOf(s2.user.id)).toBe('changed');
    const page = await ra.agent.get(`/admin/reviews/${reviewId}?estado=revisados`);
    expect(rowOf(page.text, s2.user.id)).toContain('Modificado y confirmado');
  });

  it('when the regional admin tries a person who also works in another región, a peer or themselves then it is refused and audited; a global admin confirms them', async () => {
    for (const u of [cross, peer, ra]) {
      const res = await post(ra.agent, `/admin/reviews/${reviewId}/users/${u.user.id}/confirm`);
      expect(res.status).toBe(403);
      expect(await decisionOf(u.user.id)).toBeNull();
    }
    const denied = (await events('reviews.confirm')).filter((e) => e.outcome === 'denied');
    expect(denied).toHaveLength(3);
    const outside = await post(ra.agent, `/admin/reviews/${reviewId}/users/${sB.user.id}/confirm`);
    expect(outside.status).toBe(404);
    for (const u of [cross, ra]) {
      const res = await post(global.agent, `/admin/reviews/${reviewId}/users/${u.user.id}/confirm`);
      expect(res.status).toBe(303);
    }
    expect(await decisionOf(cross.user.id)).toBe('confirmed');
    expect(await decisionOf(ra.user.id)).toBe('confirmed');
  });

  it('when a global admin reads the review then progress per región counts a person working in two regiones in both', async () => {
    const [capitalRow, centralRow] = await Promise.all([
      t.repos.accessReviews.progress({ id: reviewId, closedAt: null }),
    ]).then(([rows]) => [
      rows.find((r) => r.regionName === capital),
      rows.find((r) => r.regionName === central),
    ]);
    // Capital: global, ra, peer, auditor, s1, s2 (still there through a1), s3, cross = 8;
    // decided: s1, s2, cross, ra.
    expect(capitalRow).toMatchObject({ total: 8, decided: 4 });
    // Central: cross and sB; cross decided.
    expect(centralRow).toMatchObject({ total: 2, decided: 1 });
    const page = await global.agent.get(`/admin/reviews/${reviewId}`);
    expect(page.text).toContain(central);
    expect(page.text).toContain('50 %');
  });

  it("when the person's page is opened then it says when their access was last reviewed and by whom", async () => {
    const page = await global.agent.get(`/admin/users/${s1.user.id}`);
    expect(page.text).toMatch(
      new RegExp(
        `Revisión de accesos 2026-2: confirmado el \\d\\d/\\d\\d/2026 \\d\\d:\\d\\d por ${ra.user.username}`,
      ),
    );
    const never = await global.agent.get(`/admin/users/${s3.user.id}`);
    expect(never.text).toMatch(
      /Última revisión de accesos<\/dt><dd data-testid="last-review">Nunca/,
    );
  });
});

describe('the close', () => {
  it('when a global admin tries to close before the last day has passed then it is refused with the day', async () => {
    const res = await post(global.agent, `/admin/reviews/${reviewId}/close`);
    expect(res.status).toBe(303);
    const page = await global.agent.get(res.headers.location!);
    expect(page.text).toContain(
      'La revisión sigue abierta hasta el 15/12/2026 inclusive: podrá cerrarla desde el día siguiente.',
    );
    expect(await events('reviews.close')).toEqual([]);
  });

  it('when the day after the last day comes then the system closes it: the unreviewed are listed and lose roles other than staff, except a network-wide admin', async () => {
    t.clock.set('2026-12-15T23:00:00-03:00');
    expect(
      await closeDueReview({ repos: t.repos, clock: t.clock, identities: t.identities }),
    ).toBeNull();
    t.clock.set('2026-12-16T00:30:00-03:00');
    const closed = await closeDueReview({
      repos: t.repos,
      clock: t.clock,
      identities: t.identities,
    });
    expect(closed).toEqual({ reviewId, unreviewed: expect.any(Number), suspended: 2 });
    const unreviewed = (await decisions())
      .filter((d) => d.decision === 'unreviewed')
      .map((d) => d.user_id);
    expect(unreviewed.sort()).toEqual(
      [global, peer, auditor, s3, sB].map((u) => u.user.id).sort((a, b) => a - b),
    );
    expect((await t.repos.users.grants(peer.user.id)).map((g) => g.role)).toEqual([]);
    expect((await t.repos.users.grants(auditor.user.id)).map((g) => g.role)).toEqual([]);
    expect((await t.repos.users.grants(global.user.id)).map((g) => g.role)).toEqual(['admin']);
    const suspended = await events('reviews.suspendRoles');
    expect(suspended.map((e) => [e.target_user_id, e.actor_username]).sort()).toEqual(
      [
        [peer.user.id, 'sistema'],
        [auditor.user.id, 'sistema'],
      ].sort(),
    );
    const [close] = await events('reviews.close');
    expect(close).toMatchObject({
      actor_username: 'sistema',
      details: { unreviewed: 5, suspended: 2 },
    });
  });

  it('when the suspended peer uses an open session then the admin screens are refused at the next request', async () => {
    const agent = agentFor(t.app);
    await loginAndChoose(agent, peer.user.username, TEST_PASSWORD, a2.id);
    expect((await agent.get('/admin/users')).status).toBe(403);
  });

  it("when the regional admin downloads the result then it holds their región's decisions with the access each person had, and the download is audited", async () => {
    const agent = agentFor(t.app);
    await loginAndChoose(agent, ra.user.username, TEST_PASSWORD, a1.id);
    const res = await agent.get(`/admin/reviews/${reviewId}/resultado.csv`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const lines = res.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe(
      'revision;cedula;nombre;usuario;decision;fecha;por;establecimientos;roles;roles_suspendidos',
    );
    const line = (u: SignedInUser) => lines.find((l) => l.includes(`;${u.user.username};`));
    expect(line(s1)).toContain(`;Confirmado;`);
    expect(line(s1)).toContain(`;${ra.user.username};${a1.name};Personal de salud;`);
    expect(line(s2)).toContain('Modificado y confirmado');
    expect(line(peer)).toContain(`Sin revisar`);
    expect(line(peer)).toMatch(new RegExp(`;Administrador \\(Región ${capital}\\)"?$`));
    expect(line(sB)).toBeUndefined();
    const [exported] = await events('reviews.export');
    expect(exported).toMatchObject({
      actor_username: ra.user.username,
      details: { rows: lines.length - 1 },
    });
  });

  it("when an auditor filters the admin history by person and action then the review's decision shows who confirmed them and when", async () => {
    const reader = await signedIn(t, {
      establishments: [a1],
      role: 'auditor',
      scope: `region:${capital}`,
    });
    const page = await reader.agent.get(
      `/audit/admin-events?user=${s1.user.username}&action=reviews.confirm`,
    );
    expect(page.status).toBe(200);
    expect(page.text).toContain('Revisión de accesos: confirmar los accesos de una persona');
    expect(page.text).toContain(ra.user.username);
    expect(page.text).toContain('Confirmado');
  });

  it('when the review is closed then confirming is refused with its message and a new review can be opened', async () => {
    const agent = agentFor(t.app);
    await loginAndChoose(agent, global.user.username, TEST_PASSWORD, a1.id);
    const res = await post(agent, `/admin/reviews/${reviewId}/users/${s3.user.id}/confirm`);
    expect(res.status).toBe(303);
    expect((await agent.get(res.headers.location!)).text).toContain('ya se cerró');
    const page = await agent.get(`/admin/reviews/${reviewId}?estado=todos`);
    expect(page.text).toContain('Cerrada el 16/12/2026');
    expect(rowOf(page.text, s3.user.id)).toContain('Sin revisar');
    const next = await post(agent, '/admin/reviews', {
      title: 'Revisión de accesos 2027-1',
      lastDay: '2027-03-31',
    });
    expect(next.status).toBe(303);
  });
});

import { randomBytes } from 'node:crypto';
import type request from 'supertest';
import { QueryTypes } from 'sequelize';
import { buildTestApp, type TestApp } from '../support/test-app';
import { makeEstablishment, makeUser } from '../support/factories';
import { csrfOf } from '../support/http';
import { signedIn, type SignedInUser } from '../support/sign-in';
import type { EstablishmentRecord } from '../../src/storage/establishments';

/**
 * "Trasladar": one establishment replaced by another in one command, inside the admin's scope,
 * audited as users.moveEstablishment, and the session in the old one told where the person went.
 */
jest.setTimeout(60_000);

let t: TestApp;
let admin: SignedInUser;
let a: EstablishmentRecord;
let b: EstablishmentRecord;
let outside: EstablishmentRecord;
const tag = randomBytes(3).toString('hex');
const REGION = `Región Traslado ${tag}`;

beforeAll(async () => {
  t = await buildTestApp();
  a = await makeEstablishment(t.sequelize, REGION);
  b = await makeEstablishment(t.sequelize, REGION);
  outside = await makeEstablishment(t.sequelize, `Región Lejana ${tag}`);
  admin = await signedIn(t, { role: 'admin', scope: `region:${REGION}`, establishments: [a] });
});
afterAll(() => t.close());

async function submit(agent: request.Agent, path: string, body: Record<string, unknown>) {
  const csrf = await csrfOf(agent, '/');
  return agent
    .post(path)
    .type('form')
    .send({ ...body, _csrf: csrf });
}

it('when a person is moved from A to B then A is gone and B assigned in one audited step, and the session in A is told where they went', async () => {
  const person = await signedIn(t, { establishments: [a] });
  const res = await submit(admin.agent, `/admin/users/${person.user.id}/establishments/move`, {
    fromEstablishmentId: a.id,
    toEstablishmentId: b.id,
  });
  expect(res.status).toBe(303);
  expect(await t.repos.users.assignedEstablishmentIds(person.user.id)).toEqual([b.id]);
  const [row] = await t.sequelize.query<{ outcome: string; details: object }>(
    `SELECT outcome, details FROM admin_events
      WHERE action = 'users.moveEstablishment' AND target_user_id = :id`,
    { replacements: { id: person.user.id }, type: QueryTypes.SELECT },
  );
  expect(row).toMatchObject({
    outcome: 'success',
    details: {
      before: { establishment: { id: a.id, code: a.code } },
      after: { establishment: { id: b.id, code: b.code } },
    },
  });
  expect((await person.agent.get('/')).headers.location).toBe('/login');
  expect((await person.agent.get('/login')).text).toContain(
    `Un administrador lo trasladó de «${a.name}» a «${b.name}»`,
  );
  const page = await admin.agent.get(`/admin/users/${person.user.id}`);
  expect(page.text).toContain(`Se trasladó de ${a.name} a ${b.name}.`);
});

it('when the destination is outside the admin’s región or already assigned then nothing moves', async () => {
  const { user } = await makeUser(t.sequelize, { establishments: [a, b] });
  const already = await submit(admin.agent, `/admin/users/${user.id}/establishments/move`, {
    fromEstablishmentId: a.id,
    toEstablishmentId: b.id,
  });
  expect(already.status).toBe(400);
  expect(already.text).toContain('La persona ya trabaja en ese establecimiento');
  const far = await submit(admin.agent, `/admin/users/${user.id}/establishments/move`, {
    fromEstablishmentId: a.id,
    toEstablishmentId: outside.id,
  });
  expect(far.status).toBe(403);
  expect((await t.repos.users.assignedEstablishmentIds(user.id)).sort()).toEqual(
    [a.id, b.id].sort(),
  );
});

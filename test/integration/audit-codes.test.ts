import { randomBytes } from 'node:crypto';
import type request from 'supertest';
import { parse } from 'csv-parse/sync';
import { buildTestApp, type TestApp } from '../support/test-app';
import { makeEstablishment, makeUser } from '../support/factories';
import { csrfOf } from '../support/http';
import { signedIn } from '../support/sign-in';

/**
 * Acts that used to share an audit code with another act, as the auditors read them: each under
 * its own code, with its own label, in the filter, on the page and in the CSV.
 */
let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

async function submit(agent: request.Agent, path: string, body: Record<string, unknown> = {}) {
  const csrf = await csrfOf(agent, '/');
  const res = await agent
    .post(path)
    .type('form')
    .send({ ...body, _csrf: csrf });
  expect(res.status).toBe(303);
}

it('when an admin clears an exemption and renames a región then the auditor tells each act by its code and label', async () => {
  const region = `Región Códigos ${randomBytes(3).toString('hex')}`;
  const place = await makeEstablishment(t.sequelize, region);
  const admin = await signedIn(t, { role: 'admin', establishments: [place] });
  const auditor = await signedIn(t, { role: 'auditor', establishments: [place] });
  const { user } = await makeUser(t.sequelize, { establishments: [place] });

  await submit(admin.agent, `/admin/users/${user.id}/exemption`, {
    reason: 'Sin teléfono inteligente',
    until: '2026-12-15',
  });
  await submit(admin.agent, `/admin/users/${user.id}/exemption/clear`);
  await submit(admin.agent, `/admin/regions/${place.regionId}`, { name: `${region} Norte` });

  const filter = await auditor.agent.get('/audit/admin-events');
  expect(filter.text).toContain('<option value="users.clearExemption"');
  expect(filter.text).toContain('Quitar la exención de la Identidad Electrónica');

  const cleared = await auditor.agent.get(
    `/audit/admin-events?action=users.clearExemption&user=${admin.user.username}`,
  );
  expect(cleared.status).toBe(200);
  expect(cleared.text).toContain('Quitar la exención de la Identidad Electrónica');

  const csv = await auditor.agent.get(`/audit/admin-events.csv?user=${admin.user.username}`);
  const rows = parse(csv.text.replace(/^\uFEFF/, ''), { delimiter: ';', columns: true }) as Record<
    string,
    string
  >[];
  expect(rows.map((r) => [r['Código de la acción'], r['Acción']])).toEqual(
    expect.arrayContaining([
      ['users.exempt', 'Eximir de la Identidad Electrónica'],
      ['users.clearExemption', 'Quitar la exención de la Identidad Electrónica'],
      ['regions.rename', 'Renombrar región sanitaria'],
    ]),
  );
});

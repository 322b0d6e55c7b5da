import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { makeEstablishment, makeUser, TEST_PASSWORD } from '../support/factories';
import {
  openWatchedPage,
  overflowsSideways,
  screenshot,
  useBrowserRig,
  wcagViolations,
  signInByKeyboard,
} from '../support/browser';
import { agentFor, loginAndChoose } from '../support/http';
import type { EstablishmentRecord } from '../../src/storage/establishments';
import type { UserRecord } from '../../src/storage/users';

jest.setTimeout(90_000);

const rig = useBrowserRig('2026-11-20T12:00:00Z');
const token = randomBytes(3).toString('hex');
const region = `Cordillera ${token}`;
let place: EstablishmentRecord;
/** Where the people of the second test work: outside the auditor's región and its figures. */
let elsewhere: EstablishmentRecord;
let auditor: UserRecord;

beforeAll(async () => {
  place = await makeEstablishment(rig.t.sequelize, region);
  elsewhere = await makeEstablishment(rig.t.sequelize, `Guairá ${token}`);
  for (const lastEidLoginAt of [
    new Date('2026-11-01T12:00:00Z'),
    new Date('2026-02-01T12:00:00Z'),
    null,
  ])
    await makeUser(rig.t.sequelize, { establishments: [place], lastEidLoginAt });
  auditor = (
    await makeUser(rig.t.sequelize, {
      establishments: [place],
      role: 'auditor',
      scope: `region:${region}`,
      name: `Auditora ${token}`,
    })
  ).user;
});

const signIn = (page: Page, user: UserRecord) =>
  signInByKeyboard(page, rig.server.baseUrl, user.username, TEST_PASSWORD);

describe.each([
  { width: 360, height: 740 },
  { width: 1366, height: 768 },
])('at $width px', (viewport) => {
  it('when a regional auditor opens the e-ID adoption dashboard then charts, tables and the CSV work without WCAG violations', async () => {
    const { context, page } = await openWatchedPage(rig.browser, viewport, { axe: true });
    await signIn(page, auditor);
    await page.goto(`${rig.server.baseUrl}/audit/eid-adoption`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
      'Adopción de la Identidad Electrónica',
    );
    // The charts are images with a name; the same figures are in tables.
    expect(await page.getByRole('img', { name: /Evolución mensual/ }).count()).toBe(1);
    expect(await page.locator('[data-testid="regions-table"] tbody tr').count()).toBe(1);
    expect(await overflowsSideways(page)).toBe(false);
    expect(await wcagViolations(page)).toEqual([]);
    await screenshot(page, `eid-adoption-${viewport.width}`);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Descargar CSV por región y establecimiento' }).click(),
    ]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv).toContain(`Región;${region};;;4;`);
    await context.close();
  });

  it('when a person logs in again then the home page tells the previous login once, and Mis accesos lists it', async () => {
    const { user } = await makeUser(rig.t.sequelize, { establishments: [elsewhere] });
    await loginAndChoose(agentFor(rig.t.app), user.username, TEST_PASSWORD, elsewhere.id);
    const { context, page } = await openWatchedPage(rig.browser, viewport, { axe: true });
    await signIn(page, user);
    const notice = page.getByTestId('last-login');
    expect(await notice.textContent()).toContain('Su último ingreso fue el 20/11/2026 09:00');
    expect(await overflowsSideways(page)).toBe(false);
    expect(await wcagViolations(page)).toEqual([]);

    await page.getByRole('link', { name: 'Ver mis accesos' }).press('Enter');
    await page.waitForURL(`${rig.server.baseUrl}/me/access`);
    expect(await page.locator('[data-testid="sessions"] tbody tr').count()).toBe(2);
    expect(await page.locator('[data-testid="access-history"] tbody tr').count()).toBe(2);
    expect(await overflowsSideways(page)).toBe(false);
    expect(await wcagViolations(page)).toEqual([]);
    await screenshot(page, `me-access-${viewport.width}`);

    await page.getByRole('button', { name: 'Cerrar las otras sesiones' }).press('Enter');
    await page.waitForURL(`${rig.server.baseUrl}/me/access`);
    expect(await page.getByRole('status').first().textContent()).toContain(
      'Se cerró 1 sesión abierta',
    );
    expect(await page.locator('[data-testid="sessions"] tbody tr').count()).toBe(1);
    await page.goto(`${rig.server.baseUrl}/`);
    expect(await page.getByTestId('last-login').count()).toBe(0);
    await context.close();
  });
});

it('when the dashboard is shown with the real CSP then nothing is blocked and nothing fails', async () => {
  const { context, page, problems } = await openWatchedPage(rig.browser);
  await signIn(page, auditor);
  await page.goto(`${rig.server.baseUrl}/audit/eid-adoption`);
  await page.goto(`${rig.server.baseUrl}/me/access`);
  expect(problems).toEqual([]);
  await context.close();
});

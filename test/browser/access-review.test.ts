import { randomBytes } from 'node:crypto';
import { makeEstablishment, makeUser, TEST_PASSWORD } from '../support/factories';
import {
  openWatchedPage,
  overflowsSideways,
  screenshot,
  signInByKeyboard,
  useBrowserRig,
  wcagViolations,
} from '../support/browser';
import type { EstablishmentRecord } from '../../src/storage/establishments';
import type { UserRecord } from '../../src/storage/users';

/**
 * The periodic access review in Chromium: a global admin opens it; a regional admin finds the
 * people of their región, confirms one, follows "Cambiar" to another's page and back, and watches
 * the progress; at 360 px too. A review covers every account: the rig has a database of its own.
 */
jest.setTimeout(90_000);

const rig = useBrowserRig('2026-11-20T15:42:00Z', { scratch: 'review_browser' });
const region = `Región Revisión ${randomBytes(3).toString('hex')}`;
let place: EstablishmentRecord;
let global: UserRecord;
let regional: UserRecord;
let nurse: UserRecord;
let doctor: UserRecord;

beforeAll(async () => {
  place = await makeEstablishment(rig.t.sequelize, region);
  global = (await makeUser(rig.t.sequelize, { establishments: [place], role: 'admin' })).user;
  regional = (
    await makeUser(rig.t.sequelize, {
      establishments: [place],
      role: 'admin',
      scope: `region:${region}`,
    })
  ).user;
  nurse = (await makeUser(rig.t.sequelize, { establishments: [place], name: 'Rosa Benítez' })).user;
  doctor = (await makeUser(rig.t.sequelize, { establishments: [place], name: 'Hugo Ayala' })).user;
});

it('when a global admin opens a review then a regional admin confirms the people of their región and sees the progress', async () => {
  const opener = await openWatchedPage(rig.browser, { width: 1366, height: 768 }, { axe: true });
  await signInByKeyboard(opener.page, rig.server.baseUrl, global.username, TEST_PASSWORD);
  await opener.page.goto(`${rig.server.baseUrl}/admin/users`);
  await opener.page.getByRole('link', { name: 'Revisión de accesos' }).click();
  await opener.page.getByLabel('Nombre', { exact: true }).fill('Revisión de accesos 2026-2');
  await opener.page.getByLabel('Último día').fill('2026-12-15');
  await opener.page.getByLabel(/quitar los roles de administración/).check();
  expect(await wcagViolations(opener.page)).toEqual([]);
  await opener.page.getByRole('button', { name: 'Abrir revisión' }).click();
  await opener.page.waitForURL(/\/admin\/reviews\/\d+$/);
  expect(await opener.page.getByRole('status').first().textContent()).toContain(
    'Se abrió la revisión.',
  );
  await opener.context.close();

  const { context, page } = await openWatchedPage(
    rig.browser,
    { width: 1366, height: 768 },
    {
      axe: true,
    },
  );
  await signInByKeyboard(page, rig.server.baseUrl, regional.username, TEST_PASSWORD);
  await page.goto(`${rig.server.baseUrl}/admin/reviews`);
  await page.getByRole('link', { name: 'Revisión de accesos 2026-2' }).click();
  const progress = page.getByTestId('review-progress');
  expect(await progress.textContent()).toContain(region);
  expect(await wcagViolations(page)).toEqual([]);
  expect(await overflowsSideways(page)).toBe(false);
  await screenshot(page, 'access-review');

  await page.getByRole('button', { name: 'Confirmar los accesos de Rosa Benítez' }).click();
  expect(await page.getByRole('status').first().textContent()).toContain(
    'Se confirmaron los accesos.',
  );
  expect(await page.locator(`tr[data-user-id="${nurse.id}"]`).count()).toBe(0);

  // "Cambiar": the person's page, where the usual commands are; then back to confirm.
  await page.getByRole('link', { name: 'Cambiar los accesos de Hugo Ayala' }).click();
  await page.waitForURL(`${rig.server.baseUrl}/admin/users/${doctor.id}`);
  expect(await page.getByTestId('last-review').textContent()).toBe('Nunca');
  await page.goBack();
  await page.getByRole('button', { name: 'Confirmar los accesos de Hugo Ayala' }).click();
  await page.getByLabel('Mostrar').selectOption('revisados');
  await page.getByRole('button', { name: 'Mostrar', exact: true }).click();
  const reviewed = page.locator(`tr[data-user-id="${doctor.id}"]`);
  expect(await reviewed.getByTestId('decision').textContent()).toBe('Confirmado');
  // Four people in the región (both admins, Rosa, Hugo); two reviewed.
  const cells = await progress
    .locator('tbody tr', { hasText: region })
    .locator('td')
    .allTextContents();
  expect(cells.map((c) => c.trim())).toEqual([region, '4', '2', '50 %']);
  expect(await wcagViolations(page)).toEqual([]);

  await page.setViewportSize({ width: 360, height: 740 });
  expect(await overflowsSideways(page)).toBe(false);
  await context.close();
});

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
 * Screens where a person decides or is told something, clicked through in Chromium: the import's
 * new-región step, the login page after an administrator closed the session, and an auditor
 * opening the details of an administrative action.
 */
jest.setTimeout(90_000);

const rig = useBrowserRig('2026-11-20T15:42:00Z');
const token = randomBytes(4).toString('hex');
const region = `Región Decide ${token}`;
let place: EstablishmentRecord;
let admin: UserRecord;
let auditor: UserRecord;

beforeAll(async () => {
  place = await makeEstablishment(rig.t.sequelize, region);
  admin = (await makeUser(rig.t.sequelize, { establishments: [place], role: 'admin' })).user;
  auditor = (await makeUser(rig.t.sequelize, { establishments: [place], role: 'auditor' })).user;
});

const viewport = { width: 1366, height: 768 };

it('when the import names a región that does not exist then the preview asks, refuses it unticked, and creates it ticked', async () => {
  const { context, page } = await openWatchedPage(rig.browser, viewport, { axe: true });
  await signInByKeyboard(page, rig.server.baseUrl, admin.username, TEST_PASSWORD);
  await page.goto(`${rig.server.baseUrl}/admin/establishments/import`);
  const code = `DEC-${token}`.toUpperCase();
  const typo = `${region}x`;
  await page.getByLabel('Archivo CSV').setInputFiles({
    name: 'lista.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(`código;nombre;región\n${code};Puesto de Salud Decisión;${typo}\n`),
  });
  await page.getByRole('button', { name: 'Ver vista previa' }).click();
  const box = page.getByRole('checkbox', { name: `Región nueva: ${typo}` });
  await box.waitFor();
  expect(await page.getByText(`¿Quiso decir «${region}»?`).count()).toBe(1);
  expect(await wcagViolations(page)).toEqual([]);
  await screenshot(page, 'decisions-import-new-region');

  await page.getByRole('button', { name: 'Importar 1 cambio' }).click();
  expect(await page.getByTestId('import-error').textContent()).toContain(
    'Marque cada región nueva que quiere crear',
  );
  await page.getByRole('checkbox', { name: `Región nueva: ${typo}` }).check();
  await page.getByRole('button', { name: 'Importar 1 cambio' }).click();
  await page.waitForURL(`${rig.server.baseUrl}/admin/establishments`);
  expect(await page.getByRole('status').first().textContent()).toContain(
    'Importación aplicada: 1 nuevo, 0 actualizados, 0 sin cambios.',
  );
  await context.close();
});

it('when an administrator closes a person’s session then their browser shows why at the login, once', async () => {
  const { user } = await makeUser(rig.t.sequelize, { establishments: [place] });
  const person = await openWatchedPage(rig.browser, viewport);
  await signInByKeyboard(person.page, rig.server.baseUrl, user.username, TEST_PASSWORD);

  const adminPage = await openWatchedPage(rig.browser, viewport);
  await signInByKeyboard(adminPage.page, rig.server.baseUrl, admin.username, TEST_PASSWORD);
  await adminPage.page.goto(`${rig.server.baseUrl}/admin/users/${user.id}`);
  await adminPage.page.getByRole('link', { name: 'Cerrar todas las sesiones…' }).click();
  await adminPage.page.getByRole('button', { name: 'Cerrar todas las sesiones' }).click();
  await adminPage.page.waitForURL(/#sesiones$/);

  await person.page.reload();
  await person.page.waitForURL(`${rig.server.baseUrl}/login`);
  expect(await person.page.getByRole('status').textContent()).toBe(
    'Un administrador cerró su sesión. Puede iniciar sesión nuevamente.',
  );
  expect(await overflowsSideways(person.page)).toBe(false);
  await screenshot(person.page, 'decisions-login-closed-by-admin');
  await person.page.reload();
  expect(await person.page.getByRole('status').count()).toBe(0);
  await person.context.close();
  await adminPage.context.close();
});

it('when an auditor opens an action with several changes then every line reads in Spanish', async () => {
  const { context, page } = await openWatchedPage(rig.browser, viewport, { axe: true });
  await signInByKeyboard(page, rig.server.baseUrl, auditor.username, TEST_PASSWORD);
  await page.goto(
    `${rig.server.baseUrl}/audit/admin-events?action=users.exempt&user=${encodeURIComponent(admin.username)}`,
  );
  // None yet: the admin exempts someone first.
  const { user } = await makeUser(rig.t.sequelize, { establishments: [place] });
  const adminPage = await openWatchedPage(rig.browser, viewport);
  await signInByKeyboard(adminPage.page, rig.server.baseUrl, admin.username, TEST_PASSWORD);
  await adminPage.page.goto(`${rig.server.baseUrl}/admin/users/${user.id}`);
  await adminPage.page.getByLabel('Motivo').fill('Sin teléfono inteligente');
  await adminPage.page.getByLabel('Válida hasta (inclusive)', { exact: true }).fill('2027-03-31');
  await adminPage.page.getByRole('button', { name: 'Registrar exención' }).click();
  await adminPage.page.waitForURL(/#exencion$/);
  await adminPage.context.close();

  await page.reload();
  const more = page.locator('tbody details.audit-more').first();
  await more.locator('summary').click();
  const text = (await more.textContent())!.replace(/\s+/g, ' ');
  expect(text).toContain('Exención: — → hasta el 31/03/2027 inclusive');
  expect(text).toContain('Motivo: — → Sin teléfono inteligente');
  expect(text).not.toMatch(/2027-0[34]|until|reason/);
  expect(await wcagViolations(page)).toEqual([]);
  await screenshot(page, 'decisions-audit-details');
  await context.close();
});

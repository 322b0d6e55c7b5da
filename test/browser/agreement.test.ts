import { randomBytes } from 'node:crypto';
import { makeEstablishment, makeUser, TEST_PASSWORD } from '../support/factories';
import {
  openWatchedPage,
  screenshot,
  signInByKeyboard,
  useBrowserRig,
  wcagViolations,
} from '../support/browser';
import type { EstablishmentRecord } from '../../src/storage/establishments';
import type { UserRecord } from '../../src/storage/users';

/**
 * The confidentiality agreement in Chromium: a global admin publishes it, then a person who logs
 * in is shown it before any page, accepts it, and reaches the home page; "Mis accesos" says when.
 * Publishing acts on every account: the rig has a database of its own.
 */
jest.setTimeout(90_000);

const rig = useBrowserRig('2026-11-20T15:42:00Z', { scratch: 'agreement_browser' });
const region = `Región Acuerdo ${randomBytes(3).toString('hex')}`;
let place: EstablishmentRecord;
let admin: UserRecord;
let staff: UserRecord;

beforeAll(async () => {
  place = await makeEstablishment(rig.t.sequelize, region);
  admin = (await makeUser(rig.t.sequelize, { establishments: [place], role: 'admin' })).user;
  staff = (await makeUser(rig.t.sequelize, { establishments: [place], name: 'Rosa Benítez' })).user;
});

const viewport = { width: 1366, height: 768 };

it('when an agreement is published then the next person to log in reads and accepts it before any page', async () => {
  const adminView = await openWatchedPage(rig.browser, viewport, { axe: true });
  await signInByKeyboard(adminView.page, rig.server.baseUrl, admin.username, TEST_PASSWORD);
  await adminView.page.goto(`${rig.server.baseUrl}/admin/users`);
  await adminView.page.getByRole('link', { name: 'Acuerdo de confidencialidad' }).click();
  await adminView.page.getByLabel('Título').fill('Acuerdo de confidencialidad del HIS');
  await adminView.page
    .getByLabel('Texto')
    .fill(
      'Me comprometo a guardar secreto sobre los datos de salud de las personas que atiendo.\n\n' +
        'Solo accederé a la información necesaria para mi trabajo y no la compartiré con terceros.',
    );
  await adminView.page.getByRole('button', { name: 'Publicar versión 1' }).click();
  // The checkbox left unticked: the form says why, beside it.
  expect(
    await adminView.page.getByText('Marque la casilla: todas las personas deberán aceptar').count(),
  ).toBe(1);
  await adminView.page.getByLabel(/Entiendo que todas las personas/).check();
  await adminView.page.getByRole('button', { name: 'Publicar versión 1' }).click();
  // The admin's own session is next: the agreement before any page, theirs included.
  await adminView.page.waitForURL(`${rig.server.baseUrl}/me/agreement`);
  await adminView.context.close();

  const { context, page } = await openWatchedPage(rig.browser, viewport, { axe: true });
  await page.goto(`${rig.server.baseUrl}/login`);
  await page.getByLabel('Usuario', { exact: true }).fill(staff.username);
  await page.getByLabel('Contraseña', { exact: true }).fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Iniciar sesión' }).click();
  await page.waitForURL(`${rig.server.baseUrl}/login/establishment`);
  await page.getByRole('button', { name: 'Ingresar' }).click();
  await page.waitForURL(`${rig.server.baseUrl}/me/agreement`);
  expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
    'Acuerdo de confidencialidad del HIS',
  );
  expect(await page.getByTestId('links-unavailable').textContent()).toContain(
    'Disponibles después de aceptar el acuerdo de confidencialidad',
  );
  expect(await wcagViolations(page)).toEqual([]);
  await screenshot(page, 'agreement-accept');
  await page.getByRole('button', { name: 'Leí y acepto el acuerdo' }).click();
  await page.waitForURL(`${rig.server.baseUrl}/`);
  expect(await page.getByRole('status').first().textContent()).toContain(
    'Aceptó el acuerdo de confidencialidad (versión 1)',
  );
  await page.getByRole('link', { name: 'Mis accesos' }).click();
  expect(await page.getByTestId('agreement-status').textContent()).toMatch(
    new RegExp(`Aceptó la versión 1 el \\d\\d/\\d\\d/\\d{4} \\d\\d:\\d\\d en ${place.name}`),
  );
  await context.close();
});

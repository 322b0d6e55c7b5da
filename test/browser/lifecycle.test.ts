import { randomBytes } from 'node:crypto';
import { makeEstablishment, makeUser, TEST_PASSWORD, uniqueDocument } from '../support/factories';
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
 * The account lifecycle in Chromium: a regional admin's staff import (the refused file, the
 * corrected preview, the printable page of one-time passwords) and the login of a person whose
 * account ended.
 */
jest.setTimeout(90_000);

const rig = useBrowserRig('2026-11-20T15:42:00Z');
const letters = (n: number) =>
  [...randomBytes(n)].map((b) => String.fromCharCode(97 + (b % 26))).join('');
const region = `Región Ciclo ${letters(6)}`;
let place: EstablishmentRecord;
let admin: UserRecord;

beforeAll(async () => {
  place = await makeEstablishment(rig.t.sequelize, region);
  admin = (
    await makeUser(rig.t.sequelize, {
      establishments: [place],
      role: 'admin',
      scope: `region:${region}`,
    })
  ).user;
});

const viewport = { width: 1366, height: 768 };
const HEADER = 'cedula;nombre;usuario;email;establecimientos;rol;valida_hasta';

it('when a regional admin imports residents then a wrong file is refused by line, the corrected one previewed, and the passwords shown once for printing', async () => {
  const { context, page } = await openWatchedPage(rig.browser, viewport, { axe: true });
  await signInByKeyboard(page, rig.server.baseUrl, admin.username, TEST_PASSWORD);
  await page.goto(`${rig.server.baseUrl}/admin/users`);
  await page.getByRole('link', { name: 'Importar personal (CSV)' }).click();
  await page.waitForURL(`${rig.server.baseUrl}/admin/users/import`);

  const surnames = [letters(9), letters(9), letters(9)];
  const lines = surnames.map(
    (s, i) => `${uniqueDocument()};${['Ana', 'Luis', 'Eva'][i]} ${s};;;${place.code};;28/02/2027`,
  );
  const upload = async (body: string[]) => {
    await page.getByLabel('Archivo CSV').setInputFiles({
      name: 'residentes.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from([HEADER, ...body].join('\r\n')),
    });
    await page.getByRole('button', { name: 'Ver vista previa' }).click();
  };

  await upload([...lines, `${uniqueDocument()};Sin Lugar;;;NO-EXISTE;;`]);
  const errors = page.getByTestId('import-errors');
  await errors.waitFor();
  expect(await errors.locator('tr[data-line="5"]').textContent()).toContain(
    'Establecimiento desconocido: NO-EXISTE.',
  );
  expect(await page.getByRole('button', { name: /^Importar/ }).count()).toBe(0);
  expect(await wcagViolations(page)).toEqual([]);

  await page.getByRole('link', { name: 'Subir el archivo corregido' }).click();
  await upload(lines);
  const changes = page.getByTestId('import-changes');
  await changes.waitFor();
  expect(await changes.locator('tr[data-action="create"]').count()).toBe(3);
  expect(await changes.textContent()).toContain(`a${surnames[0]}`);
  expect(await wcagViolations(page)).toEqual([]);
  expect(await overflowsSideways(page)).toBe(false);
  await screenshot(page, 'lifecycle-import-preview');

  await page.getByLabel('Dar a cada cuenta nueva una contraseña de un solo uso').check();
  await page.getByRole('button', { name: 'Importar 3 cambios' }).click();
  await page.getByTestId('import-done').waitFor();
  expect(await page.getByTestId('one-time-password').count()).toBe(3);
  expect(await page.getByRole('button', { name: 'Imprimir' }).count()).toBe(1);
  expect(await wcagViolations(page)).toEqual([]);
  // On paper only the content: no navigation, no buttons.
  await page.emulateMedia({ media: 'print' });
  expect(await page.getByRole('navigation', { name: 'Administración' }).isVisible()).toBe(false);
  expect(await page.getByRole('button', { name: 'Imprimir' }).isVisible()).toBe(false);
  expect(await page.getByTestId('one-time-password').first().isVisible()).toBe(true);
  await context.close();
});

it('when a person whose account ended tries to log in then the login says since when and whom to ask', async () => {
  const { user } = await makeUser(rig.t.sequelize, { establishments: [place] });
  await rig.t.repos.transaction((tx) =>
    rig.t.repos.users.setValidity(user.id, new Date('2026-11-15T03:00:00Z'), tx),
  );
  const { context, page } = await openWatchedPage(rig.browser, viewport, { axe: true });
  await page.goto(`${rig.server.baseUrl}/login`);
  await page.getByLabel('Usuario', { exact: true }).fill(user.username);
  await page.getByLabel('Contraseña', { exact: true }).fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Iniciar sesión' }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  expect(await alert.textContent()).toContain('Su cuenta venció el 14/11/2026');
  expect(await alert.textContent()).toContain('administrador del HIS de su Región Sanitaria');
  expect(new URL(page.url()).pathname).toBe('/login');
  expect(await wcagViolations(page)).toEqual([]);
  await context.close();
});

import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { makeEstablishment, makeUser, TEST_PASSWORD, uniqueDocument } from '../support/factories';
import {
  overflowsSideways,
  screenshot,
  useBrowserRig,
  wcagViolations,
  signInByKeyboard,
  openWatchedPage,
} from '../support/browser';
import type { EstablishmentRecord } from '../../src/storage/establishments';
import type { UserRecord } from '../../src/storage/users';

jest.setTimeout(60_000);

const rig = useBrowserRig('2026-11-20T15:42:00Z');
const token = randomBytes(4).toString('hex');
let place: EstablishmentRecord;
let admin: UserRecord;

beforeAll(async () => {
  place = await makeEstablishment(rig.t.sequelize, `Este ${token}`);
  admin = (
    await makeUser(rig.t.sequelize, {
      establishments: [place],
      role: 'admin',
      name: `Administradora ${token}`,
    })
  ).user;
  await makeUser(rig.t.sequelize, {
    establishments: [place],
    name: `María González ${token}`,
    lastEidLoginAt: new Date('2026-10-01T12:00:00Z'),
    password: null,
  });
});

const signIn = (page: Page) =>
  signInByKeyboard(page, rig.server.baseUrl, admin.username, TEST_PASSWORD);

describe.each([
  { width: 360, height: 740 },
  { width: 1366, height: 768 },
])('users list and creation at $width px', (viewport) => {
  it('when an admin searches and creates a user with the keyboard then every page works without WCAG violations or sideways scrolling', async () => {
    const { context, page } = await openWatchedPage(rig.browser, viewport, { axe: true });
    await signIn(page);

    await page.goto(`${rig.server.baseUrl}/admin/users`);
    await page.getByLabel('Buscar', { exact: true }).fill(`gonzalez ${token}`);
    await page.getByRole('button', { name: 'Buscar' }).press('Enter');
    await page.waitForURL(/q=gonzalez/);
    expect(await page.locator('tbody tr').count()).toBe(1);
    expect(await page.getByRole('link', { name: `María González ${token}` }).count()).toBe(1);
    // The row's badge shows its tooltip on keyboard focus.
    const rowBadge = page.locator('tbody [data-eid-badge]');
    await rowBadge.focus();
    expect(await page.locator('tbody .eid-badge__tooltip').isVisible()).toBe(true);
    // Its 0.12 s fade-in over, so the contrast is read on the tooltip as it stays.
    await page.waitForFunction(
      () => getComputedStyle(document.querySelector('tbody .eid-badge__tooltip')!).opacity === '1',
    );
    expect(await overflowsSideways(page)).toBe(false);
    expect(await wcagViolations(page)).toEqual([]);
    await screenshot(page, `admin-users-${viewport.width}`);

    await page.getByRole('link', { name: 'Crear usuario' }).press('Enter');
    await page.waitForURL(`${rig.server.baseUrl}/admin/users/new`);
    await page.getByLabel('Nombre completo').fill(`Nueva ${token}`);
    await page.getByLabel('Número de cédula').fill('abc');
    await page.getByLabel('Usuario', { exact: true }).fill('X');
    await page.getByRole('button', { name: 'Crear usuario' }).press('Enter');
    await page.locator('#documentNumber-error').waitFor();
    expect(await page.getByLabel('Número de cédula').getAttribute('aria-invalid')).toBe('true');
    expect(await overflowsSideways(page)).toBe(false);
    expect(await wcagViolations(page)).toEqual([]);
    await screenshot(page, `admin-user-new-errors-${viewport.width}`);

    await page.getByLabel('Número de cédula').fill(uniqueDocument());
    await page.getByLabel('Usuario', { exact: true }).fill(`n${randomBytes(4).toString('hex')}`);
    await page.locator(`input[name="establishmentIds"][value="${place.id}"]`).check();
    await page.getByRole('button', { name: 'Crear usuario' }).press('Enter');
    await page.getByRole('heading', { name: 'Usuario creado' }).waitFor();
    expect(await page.locator('.secret').textContent()).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    expect(await overflowsSideways(page)).toBe(false);
    expect(await wcagViolations(page)).toEqual([]);
    await screenshot(page, `admin-user-created-${viewport.width}`);
    await context.close();
  });
});

import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { makeEstablishment, makeUser, TEST_PASSWORD } from '../support/factories';
import {
  overflowsSideways,
  screenshot,
  useBrowserRig,
  wcagViolations,
  signInByKeyboard,
  openWatchedPage,
} from '../support/browser';
import { agentFor, loginAndChoose } from '../support/http';
import type { EstablishmentRecord } from '../../src/storage/establishments';
import type { UserRecord } from '../../src/storage/users';

jest.setTimeout(60_000);

const rig = useBrowserRig('2026-11-20T15:42:00Z');
const token = randomBytes(4).toString('hex');
let place: EstablishmentRecord;
let other: EstablishmentRecord;
let admin: UserRecord;

beforeAll(async () => {
  place = await makeEstablishment(rig.t.sequelize, `Oeste ${token}`);
  other = await makeEstablishment(rig.t.sequelize, `Oeste ${token}`);
  admin = (
    await makeUser(rig.t.sequelize, {
      establishments: [place],
      role: 'admin',
      name: `Administrador ${token}`,
    })
  ).user;
});

const signIn = (page: Page) =>
  signInByKeyboard(page, rig.server.baseUrl, admin.username, TEST_PASSWORD);

describe.each([
  { width: 360, height: 740 },
  { width: 1366, height: 768 },
])('user detail at $width px', (viewport) => {
  it('when an admin works on a user with the keyboard then every section works without WCAG violations or sideways scrolling', async () => {
    const { user } = await makeUser(rig.t.sequelize, {
      establishments: [place],
      name: `Rosa Benítez ${token}`,
      lastEidLoginAt: new Date('2026-10-01T12:00:00Z'),
    });
    // The person is working right now: their session is listed.
    await loginAndChoose(agentFor(rig.t.app), user.username, TEST_PASSWORD, place.id);

    const { context, page } = await openWatchedPage(rig.browser, viewport, { axe: true });
    await signIn(page);
    const detail = `${rig.server.baseUrl}/admin/users/${user.id}`;
    await page.goto(detail);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('Rosa Benítez');
    expect(await page.locator('#sesiones tbody tr').count()).toBe(1);
    expect(await overflowsSideways(page)).toBe(false);
    expect(await wcagViolations(page)).toEqual([]);
    await screenshot(page, `admin-user-detail-${viewport.width}`);

    // An exemption with too short a reason: the message sits by the field, which says so.
    await page.getByLabel('Motivo').fill('no');
    await page.getByLabel('Válida hasta (inclusive)', { exact: true }).fill('2026-12-15');
    await page.getByRole('button', { name: 'Registrar exención' }).press('Enter');
    await page.locator('#reason-error').waitFor();
    expect(await page.getByLabel('Motivo').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('Válida hasta (inclusive)', { exact: true }).inputValue()).toBe(
      '2026-12-15',
    );
    expect(await wcagViolations(page)).toEqual([]);
    await screenshot(page, `admin-user-detail-errors-${viewport.width}`);

    await page.getByLabel('Asignar establecimiento').selectOption(String(other.id));
    await page.getByRole('button', { name: 'Asignar', exact: true }).press('Enter');
    await page.waitForURL(`${detail}#establecimientos`);
    expect(await page.getByRole('status').textContent()).toContain(`Se asignó ${other.name}.`);
    expect(await page.locator('#establecimientos tbody tr').count()).toBe(2);

    // Closing sessions asks first, saying how many; the message then sits in the section.
    await page.getByRole('link', { name: 'Cerrar todas las sesiones…' }).press('Enter');
    await page.waitForURL(`${detail}/confirm/sessions-end-all`);
    expect(await page.getByTestId('confirm-impact').textContent()).toContain(
      'Se cerrará 1 sesión abierta',
    );
    expect(await overflowsSideways(page)).toBe(false);
    expect(await wcagViolations(page)).toEqual([]);
    await screenshot(page, `admin-confirm-${viewport.width}`);
    await page.getByRole('button', { name: 'Cerrar todas las sesiones' }).press('Enter');
    await page.waitForURL(`${detail}#sesiones`);
    expect(await page.getByText('No tiene sesiones abiertas.').isVisible()).toBe(true);
    const flash = page.locator('#sesiones [data-testid="section-flash"]');
    expect(await flash.textContent()).toBe('Se cerraron todas las sesiones de la persona.');
    expect(await flash.isVisible()).toBe(true);
    const box = await flash.boundingBox();
    expect(box!.y).toBeGreaterThanOrEqual(0);
    expect(box!.y).toBeLessThan(viewport.height);

    await page.getByRole('link', { name: 'Restablecer contraseña…' }).press('Enter');
    await page.getByRole('button', { name: 'Restablecer la contraseña' }).press('Enter');
    await page.getByRole('heading', { name: 'Contraseña restablecida' }).waitFor();
    expect(await page.locator('.secret').textContent()).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    expect(await overflowsSideways(page)).toBe(false);
    expect(await wcagViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Volver a la ficha de la persona' }).press('Enter');
    await page.waitForURL(detail);
    await context.close();
  });
});

import { makeUser, TEST_PASSWORD } from '../support/factories';
import {
  overflowsSideways,
  screenshot,
  useBrowserRig,
  wcagViolations,
  openWatchedPage,
} from '../support/browser';

jest.setTimeout(60_000);

const rig = useBrowserRig('2026-11-20T15:42:00Z');

describe.each([
  { width: 360, height: 740 },
  { width: 1366, height: 768 },
])('own password pages at $width px', (viewport) => {
  it('when a one-time-password user signs in with the keyboard then the forced change works, with errors beside the fields and no WCAG violations', async () => {
    const { context, page } = await openWatchedPage(rig.browser, viewport, { axe: true });
    const { user } = await makeUser(rig.t.sequelize);
    await rig.t.repos.users.update(user.id, { mustChangePassword: true });

    await page.goto(`${rig.server.baseUrl}/login`);
    await page.getByLabel('Usuario').fill(user.username);
    await page.getByLabel('Contraseña', { exact: true }).fill(TEST_PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${rig.server.baseUrl}/login/establishment`);
    await page.getByRole('button', { name: 'Ingresar' }).press('Enter');
    await page.waitForURL(`${rig.server.baseUrl}/me/password`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
      'Cambie su contraseña',
    );
    expect(await wcagViolations(page)).toEqual([]);
    // The one-time password was just proved: it is not asked again. The header's links say why
    // they wait.
    expect(await page.getByLabel('Contraseña actual').count()).toBe(0);
    expect(await page.getByTestId('links-unavailable').textContent()).toBe(
      'Disponibles después de cambiar su contraseña de un solo uso',
    );
    expect(await page.getByRole('link', { name: 'Mis accesos' }).count()).toBe(0);

    await page.getByLabel('Nueva contraseña', { exact: true }).fill(TEST_PASSWORD);
    await page.getByLabel('Repita la nueva contraseña').fill(TEST_PASSWORD);
    await page.keyboard.press('Enter');
    await page.locator('#newPassword-error').waitFor();
    expect(await page.locator('#newPassword-error').textContent()).toBe(
      'La nueva contraseña debe ser distinta de la contraseña de un solo uso.',
    );

    await page.getByLabel('Nueva contraseña', { exact: true }).fill('corta');
    await page.getByLabel('Repita la nueva contraseña').fill('otra');
    await page.keyboard.press('Enter');
    const newPassword = page.getByLabel('Nueva contraseña', { exact: true });
    await page.locator('#newPassword-error').waitFor();
    expect(await newPassword.getAttribute('aria-invalid')).toBe('true');
    expect(await newPassword.getAttribute('aria-describedby')).toContain('newPassword-error');
    expect(await page.locator('#confirmation-error').textContent()).toBe(
      'La confirmación no coincide con la nueva contraseña.',
    );
    expect(await overflowsSideways(page)).toBe(false);
    expect(await wcagViolations(page)).toEqual([]);
    await screenshot(page, `me-password-errors-${viewport.width}`);

    await newPassword.fill('tortuga violeta bajo la lluvia');
    await page.getByLabel('Repita la nueva contraseña').fill('tortuga violeta bajo la lluvia');
    await page.getByRole('button', { name: 'Guardar contraseña' }).press('Enter');
    await page.waitForURL(`${rig.server.baseUrl}/me/password/changed`);
    expect(await wcagViolations(page)).toEqual([]);
    await screenshot(page, `me-password-changed-${viewport.width}`);
    await page.getByRole('link', { name: 'Continuar' }).press('Enter');
    await page.waitForURL(`${rig.server.baseUrl}/`);
    await context.close();
  });

  it('when "¿Olvidó su contraseña?" is followed from the login then the explanation page has a way on and a way back, without WCAG violations', async () => {
    const { context, page } = await openWatchedPage(rig.browser, viewport, { axe: true });
    await page.goto(`${rig.server.baseUrl}/login`);
    await page.getByRole('link', { name: '¿Olvidó su contraseña?' }).press('Enter');
    await page.waitForURL(`${rig.server.baseUrl}/login/forgot`);
    expect(
      await page.getByRole('button', { name: 'Continuar con Identidad Electrónica' }).count(),
    ).toBe(1);
    expect(await page.getByRole('link', { name: 'Volver al inicio de sesión' }).count()).toBe(1);
    expect(await overflowsSideways(page)).toBe(false);
    expect(await wcagViolations(page)).toEqual([]);
    await screenshot(page, `forgot-${viewport.width}`);
    await context.close();
  });
});

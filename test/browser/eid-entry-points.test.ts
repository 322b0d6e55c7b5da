import type { Page } from 'playwright-core';
import { TEST_PASSWORD } from '../support/factories';
import { openWatchedPage, screenshot } from '../support/browser';
import { useEidBrowserRig } from '../support/eid-browser';

/**
 * Every e-ID entry point besides the login button (eid-journey.test.ts), clicked in Chromium
 * through to the provider (another origin) and back, in both protocols: "¿Olvidó su
 * contraseña?" (a form whose redirect leaves the site: CSP form-action applies to it), the forced
 * re-authentication and "Verificar ahora". Any CSP violation or console error fails the test
 * (test/support/browser-setup.ts).
 */
jest.setTimeout(90_000);

const MONTH = 30 * 86_400_000;

describe.each(['mitic', 'oidc'] as const)(
  'e-ID entry points in a real browser (%s)',
  (protocol) => {
    // The admin areas' step-up on, as in production.
    const rig = useEidBrowserRig(protocol, { ADMIN_EID_STEP_UP: 'true' });
    const shot = (page: Page, step: string) => screenshot(page, `eid-entry-${protocol}-${step}`);

    async function classicLogin(page: Page, username: string, password: string) {
      await page.goto(`${rig.server.baseUrl}/login`);
      await page.getByLabel('Usuario', { exact: true }).fill(username);
      await page.getByLabel('Contraseña', { exact: true }).fill(password);
      await page.getByRole('button', { name: 'Iniciar sesión' }).click();
    }

    it('when a person who forgot the password clicks through the e-ID then they set a new one and log in with it', async () => {
      const { user } = await rig.citizenUser({ establishments: 1 });
      const { context, page, problems } = await openWatchedPage(rig.browser);

      await page.goto(`${rig.server.baseUrl}/login`);
      await page.getByRole('link', { name: '¿Olvidó su contraseña?' }).click();
      await page.waitForURL(`${rig.server.baseUrl}/login/forgot`);
      await page.getByRole('button', { name: 'Continuar con Identidad Electrónica' }).click();
      await rig.atProvider(page);
      await shot(page, 'forgot-01-provider');
      await rig.loginAtProvider(page, user.documentNumber);

      await page.waitForURL(`${rig.server.baseUrl}/login/forgot/new-password`);
      expect(await page.getByTestId('username').textContent()).toBe(user.username);
      const fresh = 'una frase larga para el turno de noche';
      await page.getByLabel('Nueva contraseña', { exact: true }).fill(fresh);
      await page.getByLabel('Repita la nueva contraseña').fill(fresh);
      await page.getByRole('button', { name: 'Guardar contraseña' }).click();
      await page.waitForURL(`${rig.server.baseUrl}/login`);
      expect(await page.getByRole('status').textContent()).toContain(
        'Su nueva contraseña quedó guardada',
      );
      await shot(page, 'forgot-02-saved');

      await classicLogin(page, user.username, fresh);
      await page.waitForURL(`${rig.server.baseUrl}/login/establishment`);
      expect(problems).toEqual([]);
      await context.close();
    });

    it('when a classic login is refused for an old e-ID login then "Ingresar con Identidad Electrónica" leads through the provider to the establishment step', async () => {
      const lastEidLoginAt = new Date(rig.t.clock.now().getTime() - 8 * MONTH);
      const { user, establishments } = await rig.citizenUser({ establishments: 1, lastEidLoginAt });
      const { context, page, problems } = await openWatchedPage(rig.browser);

      await classicLogin(page, user.username, TEST_PASSWORD);
      await page.waitForURL(`${rig.server.baseUrl}/login/eid-required`);
      await shot(page, 'reauth-01-notice');
      await page.getByRole('link', { name: 'Ingresar con Identidad Electrónica' }).click();
      await rig.atProvider(page);
      await rig.loginAtProvider(page, user.documentNumber);

      await page.waitForURL(`${rig.server.baseUrl}/login/establishment`);
      expect(await page.getByText(establishments[0]!.name, { exact: true }).isVisible()).toBe(true);
      await page.getByRole('button', { name: 'Ingresar' }).click();
      await page.waitForURL(`${rig.server.baseUrl}/`);
      expect(await page.locator('header [data-eid-badge="verified"]').count()).toBe(1);
      expect(problems).toEqual([]);
      await context.close();
    });

    it('when a signed-in person clicks "Verificar ahora" then the provider verifies them and the session goes on with the blue check', async () => {
      const lastEidLoginAt = new Date(rig.t.clock.now().getTime() - 4 * MONTH);
      const { user } = await rig.citizenUser({ establishments: 1, lastEidLoginAt });
      const { context, page, problems } = await openWatchedPage(rig.browser);

      await classicLogin(page, user.username, TEST_PASSWORD);
      await page.waitForURL(`${rig.server.baseUrl}/login/establishment`);
      await page.getByRole('button', { name: 'Ingresar' }).click();
      await page.waitForURL(`${rig.server.baseUrl}/`);
      expect(await page.locator('header [data-eid-badge="stale"]').count()).toBe(1);

      await page.getByRole('link', { name: 'Verificar ahora con Identidad Electrónica' }).click();
      await rig.atProvider(page);
      await rig.loginAtProvider(page, user.documentNumber);
      await page.waitForURL(`${rig.server.baseUrl}/`);
      expect(await page.getByRole('status').first().textContent()).toContain(
        'Identidad Electrónica verificada',
      );
      expect(await page.locator('header [data-eid-badge="verified"]').count()).toBe(1);
      await shot(page, 'verify-now-01-home');
      expect(problems).toEqual([]);
      await context.close();
    });

    it('when a classic-login administrator opens the users list then the step-up leads through the provider and back to it', async () => {
      const { user } = await rig.citizenUser({ establishments: 1, role: 'admin' });
      const { context, page, problems } = await openWatchedPage(rig.browser);

      await classicLogin(page, user.username, TEST_PASSWORD);
      await page.waitForURL(`${rig.server.baseUrl}/login/establishment`);
      await page.getByRole('button', { name: 'Ingresar' }).click();
      await page.waitForURL(`${rig.server.baseUrl}/`);
      await page.goto(`${rig.server.baseUrl}/admin/users`);
      await page.waitForURL(/\/login\/step-up/);
      expect(await page.getByTestId('step-up-notice').textContent()).toContain(
        'Verifique su identidad con la Identidad Electrónica para administrar',
      );
      await shot(page, 'step-up-01-notice');
      await page.getByRole('link', { name: 'Verificar con Identidad Electrónica' }).click();
      await rig.atProvider(page);
      await rig.loginAtProvider(page, user.documentNumber);
      await page.waitForURL(`${rig.server.baseUrl}/admin/users`);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('Usuarios');
      expect(problems).toEqual([]);
      await context.close();
    });
  },
);

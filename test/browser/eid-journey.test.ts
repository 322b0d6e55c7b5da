import type { Browser, Page } from 'playwright-core';
import type { TestApp } from '../support/test-app';
import { startSandboxProcess, type SandboxProcess } from '../support/sandbox-process';
import { buildEidTestApp, CLIENT_ID, CLIENT_SECRET, MITIC_ISSUER } from '../support/eid-flow';
import { makeUser, uniqueDocument } from '../support/factories';
import {
  expectSignedOut,
  launchBrowser,
  listenFirst,
  openWatchedPage,
  screenshot,
  type EarlyServer,
} from '../support/browser';
import { SANDBOX_PASSWORD } from '../../src/sandbox/citizens';

// Two sandbox processes, two apps and a real browser: slower than the project's default.
jest.setTimeout(90_000);

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** "123456789" → "123.456.789", written here rather than taken from the code under test. */
const withDots = (digits: string) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, '.');

/** "DD/MM/YYYY HH:mm" in Asunción, which is UTC-3 all year since 2024. */
function asuncionDateTime(instant: Date): string {
  const local = new Date(instant.getTime() - 3 * 3_600_000);
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${two(local.getUTCDate())}/${two(local.getUTCMonth() + 1)}/${local.getUTCFullYear()} ` +
    `${two(local.getUTCHours())}:${two(local.getUTCMinutes())}`
  );
}

/** The tooltip is shown when it is visible and its fade-in has finished. */
async function waitForTooltipShown(page: Page) {
  await page.waitForFunction(() => {
    const tip = document.querySelector('.eid-badge__tooltip');
    if (!tip) return false;
    const style = getComputedStyle(tip);
    return style.visibility === 'visible' && style.opacity === '1';
  });
}

describe.each(['mitic', 'oidc'] as const)('e-ID journey in a real browser (%s)', (protocol) => {
  let server: EarlyServer;
  let sandbox: SandboxProcess;
  let t: TestApp;
  const shot = (page: Page, step: string) => screenshot(page, `eid-${protocol}-${step}`);

  beforeAll(async () => {
    // The sandbox sends the browser to the registered redirect URI, so the app's port comes first.
    server = await listenFirst();
    const redirectUri = `${server.baseUrl}/auth/eid/callback`;
    sandbox = await startSandboxProcess({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUri,
      miticIssuer: MITIC_ISSUER,
      postLogoutRedirectUri: `${server.baseUrl}/login`,
    });
    t = await buildEidTestApp(protocol, sandbox, {
      BASE_URL: server.baseUrl,
      EID_REDIRECT_URI: redirectUri,
    });
    server.attach(t.app);
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
    await sandbox?.stop();
  });

  /** A never-e-ID user (gray X) whose cédula is a sandbox citizen of this test only. */
  const citizenUser = async (establishments: number) => {
    const document = uniqueDocument();
    await sandbox.addCitizen({ cedula: document, nombres: 'Persona', apellidos: 'de Prueba' });
    return makeUser(t.sequelize, { document, establishments, lastEidLoginAt: null });
  };

  /** From /login to the provider's screen. */
  async function goToProvider(page: Page) {
    await page.goto(`${server.baseUrl}/login`);
    await page.getByRole('link', { name: 'Ingresar con Identidad Electrónica' }).click();
    await page.waitForURL((url) => url.origin === new URL(sandbox.url).origin);
    await page.getByLabel('Número de cédula').waitFor();
  }

  /** Types the cédula with dots and the shared password, then "Iniciar sesión". */
  async function loginAtProvider(page: Page, document: string) {
    await page.getByLabel('Número de cédula').fill(withDots(document));
    await page.getByLabel('Contraseña').fill(SANDBOX_PASSWORD);
    await page.getByRole('button', { name: 'Iniciar sesión' }).click();
    await page.waitForURL(`${server.baseUrl}/login/establishment`);
  }

  /**
   * Waits until the browser is back on the HIS /login, confirming the provider's logout page
   * on the way when it asks.
   */
  async function backToLogin(page: Page, problems: string[], screenshotStep?: string) {
    const login = (url: URL) => url.origin === server.baseUrl && url.pathname === '/login';
    const providerLogout = (url: URL) =>
      url.origin === new URL(sandbox.url).origin && url.pathname.startsWith('/oidc/session/end');
    await page
      .waitForURL((url) => login(url) || providerLogout(url), { timeout: 10_000 })
      .catch((err: Error) => {
        throw new Error(
          `never reached /login or the provider's logout; stuck at ${page.url()}; ` +
            `page problems: ${JSON.stringify(problems)}\n${err.message}`,
        );
      });
    if (providerLogout(new URL(page.url()))) {
      const confirm = page.getByRole('button', { name: 'Sí, cerrar sesión' });
      await confirm.waitFor();
      if (screenshotStep) await shot(page, screenshotStep);
      await confirm.click();
      await page.waitForURL(login);
    }
  }

  it('when a never-e-ID user logs in through the provider and clicks Ingresar then home shows the blue check with the time of this login, and Cerrar sesión ends on /login', async () => {
    const establishmentCount = protocol === 'mitic' ? 1 : 2;
    const { user, establishments } = await citizenUser(establishmentCount);
    const chosen = establishments[establishments.length - 1]!;
    const { context, page, problems } = await openWatchedPage(browser);

    await page.goto(`${server.baseUrl}/login`);
    await shot(page, '01-login');
    await goToProvider(page);

    expect((await page.getByRole('note').textContent())?.replace(/\s+/g, ' ').trim()).toBe(
      'SIMULADOR — no es el servicio oficial',
    );
    expect(await page.getByLabel('Número de cédula').isVisible()).toBe(true);
    expect(await page.getByLabel('Contraseña').isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Iniciar sesión' }).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Cancelar' }).isVisible()).toBe(true);
    await shot(page, '02-provider');

    await loginAtProvider(page, user.documentNumber);
    const stamp = t.clock.now();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Confirme su ingreso');
    expect(await page.getByTestId('person-name').textContent()).toBe('Persona de Prueba');
    expect(await page.getByTestId('person-document').textContent()).toBe(
      withDots(user.documentNumber),
    );
    if (establishmentCount === 1) {
      expect(await page.getByText(chosen.name, { exact: true }).isVisible()).toBe(true);
    } else {
      const select = page.getByRole('combobox', { name: 'Seleccionar Establecimiento' });
      for (const e of establishments) {
        expect(await select.getByRole('option', { name: e.name }).count()).toBe(1);
      }
      await select.selectOption({ label: chosen.name });
    }
    expect(await page.getByRole('button', { name: 'Ingresar' }).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'No soy yo' }).isVisible()).toBe(true);
    await shot(page, '03-confirm');
    await page.getByRole('button', { name: 'Ingresar' }).click();

    await page.waitForURL(`${server.baseUrl}/`);
    expect(await page.getByTestId('current-establishment').textContent()).toBe(chosen.name);
    const header = page.locator('header');
    expect(await header.getByText('Persona de Prueba', { exact: true }).isVisible()).toBe(true);
    const badge = header.locator('[data-eid-badge="verified"]');
    expect(await badge.count()).toBe(1);
    await badge.hover();
    await waitForTooltipShown(page);
    const tooltip = badge.getByRole('tooltip');
    expect(await tooltip.isVisible()).toBe(true);
    expect((await tooltip.textContent())?.trim()).toBe(
      `Último inicio de sesión con Identidad Electrónica: ${asuncionDateTime(stamp)}`,
    );
    await shot(page, '04-home-tooltip');

    await page.getByRole('button', { name: 'Cerrar sesión' }).click();
    if (protocol === 'mitic') {
      // MITIC has no logout endpoint: straight back to the HIS.
      await page.waitForURL(`${server.baseUrl}/login?bye=1`);
    } else {
      await backToLogin(page, problems, '05-provider-logout');
    }
    await shot(page, '06-logged-out');
    await expectSignedOut(page, server.baseUrl);

    expect(problems).toEqual([]);
    await context.close();
  });

  it('when the person clicks Cancelar at the provider then back on /login with "Inicio de sesión con Identidad Electrónica cancelado"', async () => {
    const { context, page, problems } = await openWatchedPage(browser);
    await goToProvider(page);
    await page.getByRole('button', { name: 'Cancelar' }).click();

    await page.waitForURL(`${server.baseUrl}/login`);
    expect(await page.getByRole('status').textContent()).toContain(
      'Inicio de sesión con Identidad Electrónica cancelado',
    );
    await shot(page, '07-cancelled');
    await page.goto(`${server.baseUrl}/`);
    expect(new URL(page.url()).pathname).toBe('/login');

    expect(problems).toEqual([]);
    await context.close();
  });

  // The brief asked for MITIC only; OIDC runs it too, as its way back crosses the provider's logout.
  it('when the person clicks "No soy yo" on the confirmation then back on /login with "Se canceló el ingreso" and no session', async () => {
    const { user } = await citizenUser(1);
    const { context, page, problems } = await openWatchedPage(browser);
    await goToProvider(page);
    await loginAtProvider(page, user.documentNumber);

    await page.getByRole('button', { name: 'No soy yo' }).click();
    await backToLogin(page, problems);
    expect(await page.getByRole('status').textContent()).toContain('Se canceló el ingreso');
    await shot(page, '08-not-me');
    await page.goto(`${server.baseUrl}/`);
    expect(new URL(page.url()).pathname).toBe('/login');

    expect(problems).toEqual([]);
    await context.close();
  });
});

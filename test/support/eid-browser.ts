import type { Browser, Page } from 'playwright-core';
import type { TestApp } from './test-app';
import { startSandboxProcess, type SandboxProcess } from './sandbox-process';
import { buildEidTestApp, CLIENT_ID, CLIENT_SECRET, MITIC_ISSUER } from './eid-flow';
import { makeUser, uniqueDocument } from './factories';
import { launchBrowser, listenFirst, type EarlyServer } from './browser';
import { SANDBOX_PASSWORD } from '../../src/sandbox/citizens';

/** "123456789" → "123.456.789", written here rather than taken from the code under test. */
export const withDots = (digits: string) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, '.');

/**
 * The app, the e-ID sandbox (a process of its own, another origin) and Chromium, for one
 * protocol: what a browser test needs to click through to the provider and back. Filled in by
 * beforeAll; stopped by afterAll.
 */
export interface EidBrowserRig {
  protocol: 'mitic' | 'oidc';
  server: EarlyServer;
  sandbox: SandboxProcess;
  t: TestApp;
  browser: Browser;
  /** A user whose cédula is a sandbox citizen of this test only; never e-ID unless told. */
  citizenUser(opts?: Parameters<typeof makeUser>[1]): ReturnType<typeof makeUser>;
  /** Waits until the page is on the provider's login screen. */
  atProvider(page: Page): Promise<void>;
  /** Types the cédula (with dots) and the sandbox password, then "Iniciar sesión". */
  loginAtProvider(page: Page, document: string): Promise<void>;
  /**
   * Waits until the browser is back on the HIS at `path`, confirming the provider's logout page
   * on the way when it asks (OpenID Connect's RP-initiated logout).
   */
  backAt(
    page: Page,
    path: string,
    problems: string[],
    /** Called on the provider's logout page before it is confirmed (a screenshot). */
    atProviderLogout?: (page: Page) => Promise<unknown>,
  ): Promise<void>;
}

export function useEidBrowserRig(
  protocol: 'mitic' | 'oidc',
  env: Record<string, string> = {},
): EidBrowserRig {
  const rig = { protocol } as EidBrowserRig;
  beforeAll(async () => {
    // The sandbox sends the browser to the registered redirect URI: the app's port comes first.
    rig.server = await listenFirst();
    const redirectUri = `${rig.server.baseUrl}/auth/eid/callback`;
    rig.sandbox = await startSandboxProcess({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUri,
      miticIssuer: MITIC_ISSUER,
      postLogoutRedirectUri: `${rig.server.baseUrl}/login`,
    });
    rig.t = await buildEidTestApp(protocol, rig.sandbox, {
      BASE_URL: rig.server.baseUrl,
      EID_REDIRECT_URI: redirectUri,
      ...env,
    });
    rig.server.attach(rig.t.app);
    rig.browser = await launchBrowser();
  });
  afterAll(async () => {
    await rig.browser?.close();
    await rig.server?.close();
    await rig.t?.close();
    await rig.sandbox?.stop();
  });

  const providerOrigin = () => new URL(rig.sandbox.url).origin;
  rig.citizenUser = async (opts = {}) => {
    const document = uniqueDocument();
    await rig.sandbox.addCitizen({ cedula: document, nombres: 'Persona', apellidos: 'de Prueba' });
    return makeUser(rig.t.sequelize, { lastEidLoginAt: null, ...opts, document });
  };
  rig.atProvider = async (page) => {
    await page.waitForURL((url) => url.origin === providerOrigin(), { timeout: 10_000 });
    await page.getByLabel('Número de cédula').waitFor();
  };
  rig.loginAtProvider = async (page, document) => {
    await page.getByLabel('Número de cédula').fill(withDots(document));
    await page.getByLabel('Contraseña').fill(SANDBOX_PASSWORD);
    await page.getByRole('button', { name: 'Iniciar sesión' }).click();
  };
  rig.backAt = async (page, path, problems, atProviderLogout) => {
    const home = (url: URL) => url.origin === rig.server.baseUrl && url.pathname === path;
    const providerLogout = (url: URL) =>
      url.origin === providerOrigin() && url.pathname.startsWith('/oidc/session/end');
    await page
      .waitForURL((url) => home(url) || providerLogout(url), { timeout: 10_000 })
      .catch((err: Error) => {
        throw new Error(
          `never reached ${path}; stuck at ${page.url()}; ` +
            `page problems: ${JSON.stringify(problems)}\n${err.message}`,
        );
      });
    if (providerLogout(new URL(page.url()))) {
      const confirm = page.getByRole('button', { name: 'Sí, cerrar sesión' });
      await confirm.waitFor();
      await atProviderLogout?.(page);
      await confirm.click();
      await page.waitForURL(home);
    }
  };
  return rig;
}

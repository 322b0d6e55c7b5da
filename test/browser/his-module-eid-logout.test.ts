import type { Page } from 'playwright-core';
import { openWatchedPage, screenshot } from '../support/browser';
import { useEidBrowserRig } from '../support/eid-browser';
import { useAgenda } from '../support/agenda-browser';

/**
 * A module's "Salir" after an e-ID login, on a shared PC, in Chromium, against an e-ID provider
 * with a logout of its own (OpenID Connect): the HIS asks, ends its session and the module's,
 * sends the browser through the provider's logout (so the next person's "Ingresar con Identidad
 * Electrónica" asks for a cédula again), and returns to the module. Any CSP violation or console
 * error fails the test.
 */
jest.setTimeout(90_000);

const env: Record<string, string> = {};
const agenda = useAgenda(env);
const rig = useEidBrowserRig('oidc', env);
agenda.attachTo(rig);

const shot = (page: Page, step: string) => screenshot(page, `his-module-eid-logout-${step}`);
const atProviderLogout = (url: URL) =>
  url.origin === new URL(rig.sandbox.url).origin && url.pathname.startsWith('/oidc/session/end');

it('when a person who logged in with the e-ID clicks "Salir" in the module then the e-ID session ends too and the module is back', async () => {
  const { user } = await rig.citizenUser({ establishments: 1 });
  const { context, page, problems } = await openWatchedPage(rig.browser);

  await page.goto(`${rig.server.baseUrl}/login`);
  await page.getByRole('link', { name: 'Ingresar con Identidad Electrónica' }).click();
  await rig.atProvider(page);
  await rig.loginAtProvider(page, user.documentNumber);
  await page.waitForURL(`${rig.server.baseUrl}/login/establishment`);
  await page.getByRole('button', { name: 'Ingresar' }).click();
  await page.waitForURL(`${rig.server.baseUrl}/`);
  await page.getByRole('link', { name: /Agenda/ }).click();
  await page.waitForURL(`${agenda.url}/`);
  expect(await page.getByTestId('agenda-acr').textContent()).toContain('urn:his:acr:eid');

  agenda.log.length = 0;
  await page.getByRole('link', { name: 'Salir' }).click();
  await page.waitForURL((url) => url.pathname === '/login/oidc/logout');
  await page.getByRole('button', { name: 'Sí, cerrar la sesión del HIS' }).click();
  // The e-ID provider's own logout, then back through the HIS's /login to the module.
  await page.waitForURL(atProviderLogout);
  await shot(page, '01-provider-logout');
  await page.getByRole('button', { name: 'Sí, cerrar sesión' }).click();
  await page.waitForURL(`${agenda.url}/salio`);
  expect(await page.getByTestId('agenda-signed-out').textContent()).toContain('Cerró su sesión');
  // The Agenda ended its own session before sending the browser here: told, with nothing left.
  expect(agenda.log).toEqual([`back-channel logout: sub ${user.id}, 0 session(s) ended`]);

  // The next person at this PC: the HIS asks for a login, and the e-ID for a cédula.
  await page.goto(`${rig.server.baseUrl}/`);
  expect(new URL(page.url()).pathname).toBe('/login');
  await page.getByRole('link', { name: 'Ingresar con Identidad Electrónica' }).click();
  await rig.atProvider(page);
  expect(await page.getByLabel('Número de cédula').inputValue()).toBe('');
  await shot(page, '02-next-person');
  expect(problems).toEqual([]);
  await context.close();
});

import type { Page } from 'playwright-core';
import { TEST_PASSWORD } from '../support/factories';
import { openWatchedPage, screenshot } from '../support/browser';
import { useEidBrowserRig } from '../support/eid-browser';
import { useAgenda } from '../support/agenda-browser';

/**
 * An HIS module on another origin signing people in through HIS Acceso's OpenID Provider, in
 * Chromium: the home page's "Agenda" tile opens the module already signed in (no second login),
 * with the person, establishment and acr; confirming an appointment steps up to the Identidad
 * Electrónica (the sandbox, another origin) and back; logging out of the HIS ends the module's
 * session through the back-channel logout. Any CSP violation or console error fails the test.
 */
jest.setTimeout(90_000);

const env: Record<string, string> = {};
const agenda = useAgenda(env);
const rig = useEidBrowserRig('mitic', env);
agenda.attachTo(rig);
const agendaLog = agenda.log;

const shot = (page: Page, step: string) => screenshot(page, `his-module-${step}`);

/** The classic login of a person with one establishment, to the home page. */
async function classicLogin(page: Page, username: string) {
  await page.goto(`${rig.server.baseUrl}/login`);
  await page.getByLabel('Usuario', { exact: true }).fill(username);
  await page.getByLabel('Contraseña', { exact: true }).fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Iniciar sesión' }).click();
  await page.waitForURL(`${rig.server.baseUrl}/login/establishment`);
  await page.getByRole('button', { name: 'Ingresar' }).click();
  await page.waitForURL(`${rig.server.baseUrl}/`);
}

it('when a signed-in person clicks the Agenda tile then it opens signed in, steps up to the e-ID for one action, and loses its session at the HIS logout', async () => {
  const { user, establishments } = await rig.citizenUser({
    establishments: 1,
    name: 'Rosa Agenda',
  });
  const { context, page, problems } = await openWatchedPage(rig.browser);

  await classicLogin(page, user.username);

  // The tile: the module opens with the HIS session, no second login.
  await page.getByRole('link', { name: /Agenda/ }).click();
  await page.waitForURL(`${env.AGENDA_URL}/`);
  expect(await page.getByTestId('agenda-name').textContent()).toContain('Rosa Agenda');
  expect(await page.getByTestId('agenda-establishment').textContent()).toContain(
    establishments[0]!.name,
  );
  expect(await page.getByTestId('agenda-acr').textContent()).toContain('urn:his:acr:password');
  await shot(page, '01-signed-in');

  // One action needs the e-ID: through the provider (the same person) and back.
  await page.getByRole('link', { name: 'Confirmar el turno de las 08:00' }).click();
  await rig.atProvider(page);
  await rig.loginAtProvider(page, user.documentNumber);
  await page.waitForURL(`${env.AGENDA_URL}/`);
  expect(await page.getByTestId('agenda-confirmed').textContent()).toContain(
    'Turno de las 08:00 confirmado con Identidad Electrónica.',
  );
  expect(await page.getByTestId('agenda-acr').textContent()).toContain('urn:his:acr:eid');
  await shot(page, '02-stepped-up');

  // Logging out of the HIS ends the module's session (back-channel logout).
  await page.goto(`${rig.server.baseUrl}/`);
  agendaLog.length = 0;
  await page.getByRole('button', { name: 'Cerrar sesión' }).click();
  await rig.backAt(page, '/login', problems);
  // A logout token for each sign-in of this HIS session, each naming its own sid: the tile's
  // (whose sid the Agenda's session no longer holds) and the step-up's, which ends it.
  expect([...agendaLog].sort()).toEqual([
    `back-channel logout: sub ${user.id}, 0 session(s) ended`,
    `back-channel logout: sub ${user.id}, 1 session(s) ended`,
  ]);
  await page.goto(`${env.AGENDA_URL}/`);
  await page.waitForURL((url) => url.href.startsWith(`${rig.server.baseUrl}/login`));
  expect(new URL(page.url()).pathname).toBe('/login');
  expect(problems).toEqual([]);
  await context.close();
});

it('when the person clicks "Salir" in the module then the HIS asks, ends its session and every module\'s, and returns to the module', async () => {
  const { user } = await rig.citizenUser({ establishments: 1 });
  const { context, page, problems } = await openWatchedPage(rig.browser);
  await classicLogin(page, user.username);
  await page.getByRole('link', { name: /Agenda/ }).click();
  await page.waitForURL(`${env.AGENDA_URL}/`);

  await page.getByRole('link', { name: 'Salir' }).click();
  await page.waitForURL((url) => url.pathname === '/login/oidc/logout');
  expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Cerrar sesión');
  await shot(page, '03-logout-asks');
  await page.getByRole('button', { name: 'Sí, cerrar la sesión del HIS' }).click();
  await page.waitForURL(`${env.AGENDA_URL}/salio`);
  expect(await page.getByTestId('agenda-signed-out').textContent()).toContain('Cerró su sesión');
  await page.goto(`${rig.server.baseUrl}/`);
  expect(new URL(page.url()).pathname).toBe('/login');
  expect(problems).toEqual([]);
  await context.close();
});

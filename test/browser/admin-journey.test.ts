import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { makeEstablishment, makeUser, TEST_PASSWORD, uniqueDocument } from '../support/factories';
import { openWatchedPage, screenshot, useBrowserRig } from '../support/browser';

/**
 * The administrators' journey in Chromium: a global admin creates a user with a one-time
 * password and assigns a second establishment; that person is made to change the password at
 * first login and finds the establishment offered; a regional admin of another región never
 * sees them.
 */
jest.setTimeout(120_000);

const rig = useBrowserRig('2026-11-20T12:00:00Z');

async function logIn(page: Page, username: string, password: string, establishment?: string) {
  await page.goto(`${rig.server.baseUrl}/login`);
  await page.getByLabel('Usuario').fill(username);
  await page.getByLabel('Contraseña').fill(password);
  await page.getByRole('button', { name: 'Iniciar sesión' }).click();
  await page.waitForURL(/\/login\/establishment$/);
  if (establishment)
    await page
      .getByRole('combobox', { name: 'Seleccionar establecimiento' })
      .selectOption({ label: establishment });
  await page.getByRole('button', { name: 'Ingresar' }).click();
}

describe('administration in a real browser', () => {
  it('when an admin creates a user and assigns an establishment then that user changes the one-time password and finds both establishments; a regional admin of another región does not see them', async () => {
    const tag = randomBytes(3).toString('hex');
    const regionA = `Región Navegador ${tag}`;
    const regionB = `Región Otra ${tag}`;
    const first = await makeEstablishment(rig.t.sequelize, regionA);
    const second = await makeEstablishment(rig.t.sequelize, regionA);
    const elsewhere = await makeEstablishment(rig.t.sequelize, regionB);
    const { user: admin } = await makeUser(rig.t.sequelize, {
      role: 'admin',
      establishments: [first],
    });
    const { user: otherAdmin } = await makeUser(rig.t.sequelize, {
      role: 'admin',
      scope: `region:${regionB}`,
      establishments: [elsewhere],
    });
    const { user: neighbour } = await makeUser(rig.t.sequelize, {
      establishments: [elsewhere],
      name: `Vecina Otra ${tag}`,
    });
    const fullName = `Lucía Navegador ${tag}`;
    const username = `lnav${tag}`;

    // 1. The global admin creates the account.
    const adminPage = await openWatchedPage(rig.browser);
    await logIn(adminPage.page, admin.username, TEST_PASSWORD);
    await adminPage.page.getByRole('link', { name: 'Administración' }).click();
    await adminPage.page.waitForURL(/\/admin\/users$/);
    await adminPage.page.getByRole('link', { name: 'Crear usuario' }).click();
    await adminPage.page.getByLabel('Nombre completo').fill(fullName);
    await adminPage.page.getByLabel('Número de cédula').fill(uniqueDocument());
    await adminPage.page.getByLabel('Usuario', { exact: true }).fill(username);
    // The picker: typing the code narrows the list to it, then its box is ticked.
    await adminPage.page.getByLabel('Buscar establecimiento').fill(first.code.toLowerCase());
    expect(await adminPage.page.locator('[data-picker-item]:visible').count()).toBe(1);
    await adminPage.page.getByRole('checkbox', { name: `${first.name} ${first.code}` }).check();
    await adminPage.page.getByRole('button', { name: 'Crear usuario' }).click();
    const oneTime = (await adminPage.page.getByTestId('one-time-password').textContent())!.trim();
    expect(oneTime).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    await screenshot(adminPage.page, 'admin-01-user-created');

    // 2. …and assigns the second establishment on the user's page.
    await adminPage.page.getByRole('link', { name: 'Ver la ficha del usuario' }).click();
    await adminPage.page
      .getByLabel('Asignar establecimiento')
      .selectOption({ label: `${second.name} (${second.code})` });
    await adminPage.page
      .locator('#establecimientos')
      .getByRole('button', { name: 'Asignar', exact: true })
      .click();
    await adminPage.page.waitForLoadState();
    const assigned = adminPage.page.locator('#establecimientos');
    expect(await assigned.locator(`tbody tr[data-establishment-id="${second.id}"]`).count()).toBe(
      1,
    );
    await screenshot(adminPage.page, 'admin-02-establishment-assigned');
    expect(adminPage.problems).toEqual([]);
    await adminPage.context.close();

    // 3. The person logs in with the one-time password: both establishments are offered, and
    //    the password must be changed before anything else.
    const userPage = await openWatchedPage(rig.browser);
    await userPage.page.goto(`${rig.server.baseUrl}/login`);
    await userPage.page.getByLabel('Usuario').fill(username);
    await userPage.page.getByLabel('Contraseña').fill(oneTime);
    await userPage.page.getByRole('button', { name: 'Iniciar sesión' }).click();
    await userPage.page.waitForURL(/\/login\/establishment$/);
    const offered = await userPage.page
      .getByRole('combobox', { name: 'Seleccionar establecimiento' })
      .locator('option')
      .allTextContents();
    expect(offered).toEqual(expect.arrayContaining([first.name, second.name]));
    await userPage.page
      .getByRole('combobox', { name: 'Seleccionar establecimiento' })
      .selectOption({ label: second.name });
    await userPage.page.getByRole('button', { name: 'Ingresar' }).click();
    await userPage.page.waitForURL(/\/me\/password$/);
    await userPage.page.goto(`${rig.server.baseUrl}/`);
    expect(new URL(userPage.page.url()).pathname).toBe('/me/password');
    await userPage.page
      .getByLabel('Nueva contraseña', { exact: true })
      .fill('tres pájaros vuelan sobre el lago');
    await userPage.page
      .getByLabel('Repita la nueva contraseña')
      .fill('tres pájaros vuelan sobre el lago');
    await userPage.page.getByRole('button', { name: 'Guardar contraseña' }).click();
    await userPage.page.getByRole('link', { name: 'Continuar' }).first().click();
    await userPage.page.waitForURL(`${rig.server.baseUrl}/`);
    expect(await userPage.page.getByTestId('current-establishment').textContent()).toBe(
      second.name,
    );
    await screenshot(userPage.page, 'admin-03-new-user-home');
    expect(userPage.problems).toEqual([]);
    await userPage.context.close();

    // 4. The regional admin of the other región sees their own users, never this one.
    const regionalPage = await openWatchedPage(rig.browser);
    await logIn(regionalPage.page, otherAdmin.username, TEST_PASSWORD);
    await regionalPage.page.goto(`${rig.server.baseUrl}/admin/users?q=${encodeURIComponent(tag)}`);
    const listed = await regionalPage.page.locator('tbody').textContent();
    expect(listed).toContain(neighbour.fullName);
    expect(listed).not.toContain(fullName);
    await screenshot(regionalPage.page, 'admin-04-regional-list');
    const direct = await regionalPage.page.goto(
      `${rig.server.baseUrl}/admin/users/${(await rig.t.repos.users.findByUsername(username))!.id}`,
    );
    // Outside the admin's scope: the same answer as an unknown id.
    expect(direct!.status()).toBe(404);
    await regionalPage.context.close();
  });
});

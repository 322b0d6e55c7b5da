import { makeUser, TEST_PASSWORD } from '../support/factories';
import { useBrowserRig, wcagViolations, openWatchedPage } from '../support/browser';

jest.setTimeout(60_000);

const rig = useBrowserRig('2026-11-20T15:42:00Z');

describe('accessibility (WCAG 2.1 AA, axe-core)', () => {
  it.each([
    { width: 1366, height: 768 },
    { width: 360, height: 740 },
  ])(
    'when a user goes through login, establishment and home at $width px then no WCAG violations',
    async (viewport) => {
      const { context, page } = await openWatchedPage(rig.browser, viewport, { axe: true });
      const { user } = await makeUser(rig.t.sequelize, {
        establishments: 2,
        lastEidLoginAt: new Date('2026-07-01T12:00:00Z'),
      });

      await page.goto(`${rig.server.baseUrl}/login`);
      expect(await wcagViolations(page)).toEqual([]);

      await page.getByLabel('Usuario').fill(user.username);
      await page.getByLabel('Contraseña').fill('wrong-password');
      await page.getByRole('button', { name: 'Iniciar sesión' }).click();
      await page.getByRole('alert').waitFor();
      expect(await wcagViolations(page)).toEqual([]);

      await page.getByLabel('Contraseña').fill(TEST_PASSWORD);
      await page.getByRole('button', { name: 'Iniciar sesión' }).click();
      await page.waitForURL(`${rig.server.baseUrl}/login/establishment`);
      expect(await wcagViolations(page)).toEqual([]);

      await page.getByRole('combobox').selectOption({ index: 1 });
      await page.getByRole('button', { name: 'Ingresar' }).click();
      await page.waitForURL(`${rig.server.baseUrl}/`);
      expect(await page.locator('[data-eid-badge="stale"]').count()).toBe(1);
      expect(await wcagViolations(page)).toEqual([]);
      await context.close();
    },
  );

  it('when the re-authentication notice, a missing page and the login after logout show then no WCAG violations', async () => {
    const { context, page } = await openWatchedPage(rig.browser, undefined, { axe: true });
    const { user } = await makeUser(rig.t.sequelize, {
      lastEidLoginAt: new Date('2026-03-01T12:00:00Z'),
    });

    await page.goto(`${rig.server.baseUrl}/login`);
    await page.getByLabel('Usuario').fill(user.username);
    await page.getByLabel('Contraseña').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Iniciar sesión' }).click();
    await page.waitForURL(`${rig.server.baseUrl}/login/eid-required`);
    expect(await wcagViolations(page)).toEqual([]);

    await page.goto(`${rig.server.baseUrl}/no-existe`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
      'Página no encontrada',
    );
    expect(await wcagViolations(page)).toEqual([]);

    await page.goto(`${rig.server.baseUrl}/login?expired=idle`);
    expect(await wcagViolations(page)).toEqual([]);
    await context.close();
  });
});

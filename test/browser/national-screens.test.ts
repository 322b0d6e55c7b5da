import type { Browser, Page } from 'playwright-core';
import type { Sequelize } from 'sequelize';
import { scratchDatabase } from '../support/scratch-database';
import { buildTestApp, type TestApp } from '../support/test-app';
import {
  launchBrowser,
  openWatchedPage,
  overflowsSideways,
  screenshot,
  signInByKeyboard,
  startServer,
  wcagViolations,
  type RunningServer,
} from '../support/browser';
import { createSequelize } from '../../src/db/sequelize';
import { createRepositories } from '../../src/storage/repositories';
import { ManualClock } from '../../src/shared/clock';
import { seedDemo } from '../../src/cli/seed-demo';
import { NATIONAL, seedNational } from '../../src/cli/seed-national';
import { cliActor } from '../../src/cli/actor';
import { DEMO_PASSWORD } from '../../src/cli/demo-data';

/**
 * The admin and audit screens on the network at its real size (18 regiones, 934 establishments,
 * 8,000 people; a month of history here, a year in `npm run dev -- --national`), in Chromium at
 * 1366 and 360 px: search, the establishment picker, orders, paging and counts, no name cut off,
 * no sideways scrolling, an audit page of 50 rows under 2,000 px tall. Every screen is saved as
 * test-artifacts/screenshots/national-<screen>-<width>.png (`npm run screenshots` runs only this).
 * The data lives in a database of its own, dropped at the end.
 */
jest.setTimeout(180_000);

const START = '2026-11-20T15:00:00Z';
let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
let t: TestApp;
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  scratch = await scratchDatabase('national');
  const sequelize: Sequelize = createSequelize({
    url: scratch.url,
    poolMax: 4,
    statementTimeoutInMs: 60_000,
  });
  try {
    const repos = createRepositories(sequelize);
    const clock = new ManualClock(START);
    const actor = cliActor('prueba');
    await seedDemo({ repos, clock }, actor);
    await seedNational({ repos, clock, sequelize }, actor, { ...NATIONAL, days: 30 });
  } finally {
    await sequelize.close();
  }
  t = await buildTestApp({ DATABASE_URL: scratch.url }, { start: START });
  server = await startServer(t.app);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await t?.close();
  await scratch?.drop();
});

/**
 * Nothing is cut off: no element that hides its overflow (an ellipsis, a scrolling table) holds
 * more than it shows. Content that overflows visibly would make the page scroll sideways, which
 * is checked apart.
 */
const clipped = (page: Page) =>
  page.evaluate(() =>
    Array.from(document.querySelectorAll('main *'))
      .filter((el) => (el as HTMLElement).offsetParent !== null)
      // Visually hidden text (for screen readers) is 1 px on purpose.
      .filter((el) => el.getBoundingClientRect().width > 2 && el.getBoundingClientRect().height > 2)
      .filter((el) => getComputedStyle(el).overflowX !== 'visible')
      // A wide chart or table inside a labelled, focusable scroll region scrolls on purpose.
      .filter((el) => !(el.getAttribute('role') === 'region' && el.hasAttribute('tabindex')))
      .filter((el) => el.scrollWidth > el.clientWidth + 1)
      .map(
        (el) =>
          `${el.tagName.toLowerCase()}.${el.className}: ${(el.textContent ?? '').trim().slice(0, 60)}`,
      ),
  );

async function check(page: Page, name: string, width: number) {
  await screenshot(page, `national-${name}-${width}`);
  expect(await overflowsSideways(page)).toBe(false);
  expect(await clipped(page)).toEqual([]);
  expect(await wcagViolations(page)).toEqual([]);
}

const countLine = async (page: Page) =>
  (await page.getByTestId('results-count').textContent())!.replace(/\s+/g, ' ').trim();

describe.each([
  { width: 1366, height: 768 },
  { width: 360, height: 740 },
])('the national network at $width px', (viewport) => {
  it('when the network administrator works with people then lists, search, orders, paging and the picker hold at scale', async () => {
    const { context, page } = await openWatchedPage(browser, viewport, { axe: true });
    await signInByKeyboard(page, server.baseUrl, 'adminhis', DEMO_PASSWORD);

    await page.goto(`${server.baseUrl}/admin/users`);
    expect(await countLine(page)).toMatch(
      /^8\.0\d\d usuarios · Página 1 de 16\d · Orden: por nombre$/,
    );
    expect(await page.locator('tbody tr').count()).toBe(50);
    await check(page, 'users', viewport.width);

    await page.getByLabel('Buscar', { exact: true }).fill('gonzalez benitez');
    await page.getByRole('button', { name: 'Buscar' }).press('Enter');
    await page.waitForURL(/q=gonzalez/);
    const found = await countLine(page);
    expect(found).toMatch(/^\d+ usuarios? · Página 1 de \d+/);
    const names = await page.locator('tbody td[data-label="Nombre"]').allTextContents();
    expect(names.length).toBeGreaterThan(0);
    expect(names.every((n) => /gonz[aá]lez/i.test(n) && /ben[ií]tez/i.test(n))).toBe(true);

    await page.goto(`${server.baseUrl}/admin/users`);
    await page.getByRole('link', { name: 'Último ingreso' }).press('Enter');
    await page.waitForURL(/sort=lastLogin/);
    expect(await page.locator('th[aria-sort="descending"]').textContent()).toContain(
      'Último ingreso',
    );
    await page.getByRole('link', { name: 'Siguiente página »' }).press('Enter');
    await page.waitForURL(/page=2/);
    expect(await countLine(page)).toContain('Página 2 de');
    await check(page, 'users-by-last-login-page-2', viewport.width);

    // The picker among 934 establishments: "luque" narrows the list to Luque's.
    await page.goto(`${server.baseUrl}/admin/users/new`);
    await page.getByLabel('Buscar establecimiento').fill('luque');
    const visible = await page.locator('[data-picker-item]:visible').allTextContents();
    expect(visible.length).toBeGreaterThan(3);
    expect(visible.every((text) => /luque/i.test(text))).toBe(true);
    expect(await page.getByText(/\d+ establecimientos coinciden\./).count()).toBe(1);
    await check(page, 'user-new-picker', viewport.width);

    await page.goto(`${server.baseUrl}/admin/establishments`);
    await check(page, 'establishments', viewport.width);
    await page.goto(`${server.baseUrl}/admin/regions`);
    expect(await page.locator('tbody tr').count()).toBeGreaterThanOrEqual(18);
    await check(page, 'regions', viewport.width);
    // The count of people who never used the e-ID leads to those people.
    await page.locator('[data-testid="never-used"] a').first().press('Enter');
    await page.waitForURL(/eid=never/);
    expect(await countLine(page)).toMatch(/usuarios · Página 1 de/);
    await context.close();
  });

  it('when an auditor reads a month of history then 50 rows fit under 2,000 px and the totals are shown', async () => {
    const { context, page } = await openWatchedPage(browser, viewport, { axe: true });
    await signInByKeyboard(page, server.baseUrl, 'auditor', DEMO_PASSWORD);

    await page.goto(`${server.baseUrl}/audit/logins`);
    expect(await page.locator('tbody tr').count()).toBe(50);
    expect(await countLine(page)).toMatch(/^Más de 10\.000 ingresos · Página 1$/);
    await check(page, 'audit-logins', viewport.width);
    if (viewport.width >= 1366)
      expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThan(2000);

    // Narrowed to one establishment through the picker's search, by code.
    await page.getByLabel('Buscar en la lista').fill('RS11-0001');
    await page.getByRole('button', { name: 'Filtrar' }).press('Enter');
    await page.waitForURL(/establishment=\d+/);
    expect(await countLine(page)).toMatch(/ingresos? · Página 1/);
    // Paging the whole history: page 2 says so.
    await page.goto(`${server.baseUrl}/audit/logins`);
    await page.getByRole('link', { name: 'Siguiente página »' }).press('Enter');
    await page.waitForURL(/page=2/);
    expect(await countLine(page)).toContain('Página 2');

    await page.goto(`${server.baseUrl}/audit/admin-events`);
    expect(await page.locator('tbody tr').count()).toBe(50);
    await check(page, 'audit-admin-events', viewport.width);
    if (viewport.width >= 1366)
      expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThan(2000);

    await page.goto(`${server.baseUrl}/audit/eid-adoption`);
    await check(page, 'eid-adoption', viewport.width);
    await context.close();
  });
});

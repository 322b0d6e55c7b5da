import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Express } from 'express';
import { scratchDatabase } from './scratch-database';
import { buildTestApp, type TestApp } from './test-app';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's package; browser downloads are impossible on these machines. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  // No traffic other than to the app under test: no updates, sync or background fetches.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Starts the system Chromium, or says exactly what to install when it is missing. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: install it with apt-get install -y chromium ` +
        '(or run bash .ci/run), or point CHROMIUM_PATH at another Chromium.',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

export interface RunningServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  baseUrl: string;
  close(): Promise<void>;
}

/** Serves `app` on 127.0.0.1 on a free port, so a real browser can reach it. */
export function startServer(app: Express): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = app.listen(0, '127.0.0.1');
    server.once('error', reject);
    server.once('listening', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        baseUrl: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done, fail) => {
            // Keep-alive connections from the browser would otherwise hold close() open.
            server.closeAllConnections();
            server.close((err) => (err ? fail(err) : done()));
          }),
      });
    });
  });
}

const SCREENSHOT_DIR = path.join(__dirname, '..', '..', 'test-artifacts', 'screenshots');

/** Saves a full-page PNG as test-artifacts/screenshots/<name>.png (git-ignored) for review. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** A server listening before its app exists, for apps that must know their own URL first. */
export interface EarlyServer {
  port: number;
  /** `http://localhost:<port>`, without a trailing slash (cookies are per host: use it everywhere). */
  baseUrl: string;
  /** Hands the server its app; until then every request gets a 503. */
  attach(app: Express): void;
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 on a free port without an app, so the port can go into the app's
 * configuration (and a provider's registered redirect URI) before the app is built.
 */
export function listenFirst(): Promise<EarlyServer> {
  let handler: Express | undefined;
  const server = createServer((req, res) => {
    if (handler) return void handler(req, res);
    res.statusCode = 503;
    res.end();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        port,
        baseUrl: `http://localhost:${port}`,
        attach: (app) => {
          handler = app;
        },
        close: () =>
          new Promise<void>((done, fail) => {
            server.closeAllConnections();
            server.close((err) => (err ? fail(err) : done()));
          }),
      });
    });
  });
}

/** A fresh browser profile and its page, with everything that went wrong on the page. */
export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  /**
   * Console errors, uncaught page errors and CSP violations, in order, each with its page URL.
   * Every browser test fails when any is left after it (test/support/browser-setup.ts): a test
   * that provokes one on purpose removes it once asserted.
   */
  problems: string[];
  /** HTTP statuses of 4xx/5xx documents the page navigated to (a refused login is a 401 page). */
  documentStatuses: number[];
}

/** The pages watched during the current test: test/support/browser-setup.ts checks them after it. */
const watchedThisTest: WatchedPage[] = [];

/** Takes the pages watched since the last call (the per-test check). */
export const takeWatchedPages = (): WatchedPage[] => watchedThisTest.splice(0);

let axeSource: string | undefined;
const axe = () => (axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));

/** A document's own "Failed to load resource" for its 4xx/5xx status: the status, not an error. */
const DOCUMENT_STATUS = /^Failed to load resource: the server responded with a status of (\d+)/;

/**
 * Opens a fresh browser profile whose page reports console errors, page errors and CSP
 * violations, each with the URL of the page where it happened. The page keeps the app's CSP:
 * `axe: true` adds axe-core as an init script (the browser injects it, outside the page's CSP),
 * for {@link wcagViolations}.
 */
export async function openWatchedPage(
  browser: Browser,
  viewport = { width: 1280, height: 800 },
  options: { axe?: boolean } = {},
): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport, locale: 'es-PY' });
  const problems: string[] = [];
  const documentStatuses: number[] = [];
  await context.exposeBinding('reportCspViolation', (_source, text: string) => {
    problems.push(`csp: ${text}`);
  });
  // Injected by the browser itself, so the page's own CSP does not block this listener.
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const report = (window as unknown as { reportCspViolation(text: string): void })
        .reportCspViolation;
      report(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.documentURI}`);
    });
  });
  if (options.axe) await context.addInitScript({ content: axe() });
  const page = await context.newPage();
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const status = DOCUMENT_STATUS.exec(msg.text());
    if (status && msg.location().url === page.url()) documentStatuses.push(Number(status[1]));
    else problems.push(`console: ${msg.text()} at ${page.url()}`);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message} at ${page.url()}`));
  const watched = { context, page, problems, documentStatuses };
  watchedThisTest.push(watched);
  return watched;
}

/** The real app on a port, with a browser to drive it: what a classic browser test needs. */
export interface BrowserRig {
  t: TestApp;
  server: RunningServer;
  browser: Browser;
}

/**
 * Registers beforeAll/afterAll that build the app (its clock at `start`), serve it and launch
 * Chromium; the returned object is filled in before the first test runs.
 */
export function useBrowserRig(
  start: string,
  /** A database of the rig's own (`scratchDatabase(label)`), for tests that act on every row. */
  options: { scratch?: string } = {},
): BrowserRig {
  const rig = {} as BrowserRig;
  let scratch: Awaited<ReturnType<typeof scratchDatabase>> | undefined;
  beforeAll(async () => {
    if (options.scratch) scratch = await scratchDatabase(options.scratch);
    rig.t = await buildTestApp(scratch ? { DATABASE_URL: scratch.url } : {}, { start });
    rig.server = await startServer(rig.t.app);
    rig.browser = await launchBrowser();
  });
  afterAll(async () => {
    await rig.browser?.close();
    await rig.server?.close();
    await rig.t?.close();
    await scratch?.drop();
  });
  return rig;
}

/** After "Cerrar sesión": the login page confirms it, and `/` no longer opens. */
export async function expectSignedOut(page: Page, baseUrl: string): Promise<void> {
  expect(await page.getByRole('status').textContent()).toContain('Cerró su sesión correctamente');
  await page.goto(`${baseUrl}/`);
  expect(new URL(page.url()).pathname).toBe('/login');
}

/**
 * axe-core's WCAG 2.1 A and AA violations of the page, as "rule: targets" (empty when none). The
 * page must come from `openWatchedPage(browser, viewport, { axe: true })`.
 */
export async function wcagViolations(page: Page): Promise<string[]> {
  const violations = (await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe?: { run(o: object): Promise<{ violations: unknown[] }> } }
    ).axe;
    if (!axe) throw new Error('axe-core is not loaded: open the page with { axe: true }');
    return (
      await axe.run({
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      })
    ).violations;
  })) as { id: string; nodes: { target: string[] }[] }[];
  return violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Whether the page scrolls sideways (its content is wider than the viewport). */
export function overflowsSideways(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
}

/** A classic login done with the keyboard (Enter on the form, Enter on "Ingresar"), ending on home. */
export async function signInByKeyboard(
  page: Page,
  baseUrl: string,
  username: string,
  password: string,
): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Usuario', { exact: true }).fill(username);
  await page.getByLabel('Contraseña', { exact: true }).fill(password);
  await page.keyboard.press('Enter');
  await page.waitForURL(`${baseUrl}/login/establishment`);
  await page.getByRole('button', { name: 'Ingresar' }).press('Enter');
  await page.waitForURL(`${baseUrl}/`);
}

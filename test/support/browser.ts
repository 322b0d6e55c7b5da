import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Express } from 'express';
import { chromium, type Browser, type Page } from 'playwright-core';

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

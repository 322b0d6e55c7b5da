import fs from 'node:fs';
import { buildTestApp, type TestApp } from '../support/test-app';
import { signedIn } from '../support/sign-in';

jest.setTimeout(60_000);

/**
 * What a page view no longer does per request (issue 16's "cheaper pages"): helmet's headers are
 * worked out once, not for every response (src/web/pipeline.ts), and EJS resolves no include on
 * the disk while it renders (every include is named from the views' root, `include('/…')`).
 */
const mockHelmetRuns = { count: 0 };
jest.mock('helmet', () => {
  const real = jest.requireActual('helmet') as { default: (...args: unknown[]) => unknown };
  return {
    __esModule: true,
    default: (...args: unknown[]) => {
      const middleware = real.default(...args) as (...mw: unknown[]) => unknown;
      return (...mw: unknown[]) => {
        mockHelmetRuns.count++;
        return middleware(...mw);
      };
    },
  };
});

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

it('when a signed-in person views pages then helmet runs once for all of them and their headers are its headers', async () => {
  const { agent } = await signedIn(t);
  const before = mockHelmetRuns.count;
  const pages = [];
  for (let i = 0; i < 5; i++) pages.push(await agent.get('/').expect(200));
  // Worked out at most once more (the first request after start, or when the e-ID origins
  // change), not once per response.
  expect(mockHelmetRuns.count - before).toBeLessThanOrEqual(1);
  for (const page of pages) {
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['referrer-policy']).toBe('same-origin');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['x-powered-by']).toBeUndefined();
  }
});

it('when pages are rendered then EJS looks for no include file on the disk', async () => {
  const { agent } = await signedIn(t);
  // The first render compiles each template once (view cache): not counted.
  await agent.get('/').expect(200);
  await agent.get('/me/password').expect(200);
  const lookups = jest.spyOn(fs, 'existsSync');
  try {
    await agent.get('/').expect(200);
    await agent.get('/me/password').expect(200);
    const ejsLookups = lookups.mock.calls.filter(([file]) => String(file).endsWith('.ejs'));
    expect(ejsLookups).toEqual([]);
  } finally {
    lookups.mockRestore();
  }
});

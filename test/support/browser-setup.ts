import { takeWatchedPages } from './browser';

/**
 * Every browser test fails on any CSP violation, console error or uncaught error a page it opened
 * reported (test/support/browser.ts openWatchedPage), whether or not the test looked.
 */
afterEach(() => {
  const left = takeWatchedPages().flatMap((w) => w.problems);
  expect(left).toEqual([]);
});

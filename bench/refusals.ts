/**
 * The refused-login scenarios: each connection fetches a form and posts credentials that must be
 * refused by one given path, whose 401 pages are kept for the report to compare.
 */
import type { ChildProcess } from 'node:child_process';
import { formThenPost, loginForm, postForm } from './http-forms';
import type { Scenario } from './measure';
import { askAudit } from './server-process';
import { FAILURE_WARMUP, PREFIX, WRONG_PASSWORD } from './settings';

/** The 401 page with what legitimately varies (CSRF token, the username typed) masked. */
const maskedPage = (html: string) =>
  html
    .replace(/(name="_csrf" value=")[^"]*/g, '$1…')
    .replace(/(id="username"[^>]*value=")[^"]*/, '$1…');

/** A refused login: each connection fetches a form, then posts `username()` and `password`. */
export function refused(
  name: string,
  prefix: string,
  reason: string,
  username: () => string,
  password: string,
  prepare?: () => Promise<void>,
): Scenario {
  const bodies = new Map<string, number>();
  return {
    name,
    measured: 401,
    helpers: [200],
    warmup: FAILURE_WARMUP,
    refusal: { prefix, reason, bodies },
    prepare,
    requests: formThenPost(
      () => ({ username: username(), password }),
      (status, body) => {
        if (status !== 401) return;
        const page = maskedPage(body);
        bodies.set(page, (bodies.get(page) ?? 0) + 1);
      },
    ),
  };
}

/** `<prefix>0`, `<prefix>1`, … `<prefix><size - 1>`, then again from 0. */
export const roundRobin = (prefix: string, size: number) => {
  let next = 0;
  return () => `${prefix}${next++ % size}`;
};

/** Locks every account of the locked pool as an attacker would: maxFailures wrong passwords. */
export async function lockAccounts(
  url: string,
  child: ChildProcess,
  count: number,
  maxFailures: number,
): Promise<void> {
  const { lastId } = await askAudit(child, PREFIX.locked, Number.MAX_SAFE_INTEGER);
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      for (let attempt = 0; attempt < maxFailures; attempt++) {
        const form = await loginForm(url);
        const res = await postForm(url, '/login', form.cookie, {
          username: `${PREFIX.locked}${i}`,
          password: WRONG_PASSWORD,
          _csrf: form.csrf,
        });
        if (res.status !== 401) throw new Error(`setup: locking got HTTP ${res.status}`);
      }
    }),
  );
  const { reasons } = await askAudit(child, PREFIX.locked, lastId);
  if (reasons.lockout_started !== count) {
    throw new Error(`setup: ${reasons.lockout_started ?? 0} of ${count} accounts locked`);
  }
}

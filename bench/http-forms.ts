/** The app's forms over HTTP: session cookie, CSRF token, form posts, and opening a session. */
import type { BenchRequest, RawHeaders } from './autocannon';
import { PASSWORD } from './settings';

/**
 * The Cookie header after a response: `previous` with the cookies the response sets (the session
 * cookie, and any other the login form may set, such as a CSRF cookie) added or replaced.
 */
export const sessionCookie = (headers: RawHeaders | Headers, previous = ''): string => {
  const raw =
    headers instanceof Headers
      ? headers.getSetCookie()
      : Object.entries(headers).flatMap(([k, v]) =>
          k.toLowerCase() === 'set-cookie' ? (v ?? []) : [],
        );
  const jar = new Map(
    previous
      .split('; ')
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair] as const),
  );
  for (const cookie of ([] as string[]).concat(raw)) {
    const pair = cookie.split(';')[0]!;
    const name = pair.slice(0, pair.indexOf('='));
    if (pair.endsWith('=') || /;\s*max-age=0/i.test(cookie)) jar.delete(name);
    else jar.set(name, pair);
  }
  return [...jar.values()].join('; ');
};
const csrfIn = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
const formPost = (cookie: string, fields: Record<string, string>) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
  body: new URLSearchParams(fields).toString(),
});

/** A fresh login form: its session cookie and CSRF token. */
export async function loginForm(base: string) {
  const page = await fetch(`${base}/login`);
  return { cookie: sessionCookie(page.headers), csrf: csrfIn(await page.text()) };
}

export const postForm = (
  base: string,
  path: string,
  cookie: string,
  fields: Record<string, string>,
) => fetch(base + path, { method: 'POST', redirect: 'manual', ...formPost(cookie, fields) });

/** A full classic login over HTTP (form, credentials, establishment); the open session's cookie. */
export async function openSession(base: string, username: string, establishmentId: number) {
  const form = await loginForm(base);
  const login = await postForm(base, '/login', form.cookie, {
    username,
    password: PASSWORD,
    _csrf: form.csrf,
  });
  let cookie = sessionCookie(login.headers, form.cookie);
  const choice = await fetch(`${base}/login/establishment`, { headers: { cookie } });
  cookie = sessionCookie(choice.headers, cookie);
  const chosen = await postForm(base, '/login/establishment', cookie, {
    establishmentId: String(establishmentId),
    _csrf: csrfIn(await choice.text()),
  });
  cookie = sessionCookie(chosen.headers, cookie);
  const home = await fetch(`${base}/`, { headers: { cookie }, redirect: 'manual' });
  if (home.status !== 200) throw new Error(`setup: ${username} got HTTP ${home.status} on /`);
  return cookie;
}

/** autocannon requests: GET a fresh form (helper, untimed), then POST it (timed). */
export function formThenPost(
  fields: () => Record<string, string>,
  onPosted?: (status: number, body: string) => void,
): BenchRequest[] {
  return [
    {
      method: 'GET',
      path: '/login',
      onResponse: (_status, body, context, headers) => {
        context.cookie = sessionCookie(headers);
        context.csrf = csrfIn(body);
      },
    },
    {
      method: 'POST',
      path: '/login',
      setupRequest: (req, { cookie = '', csrf = '' }) => ({
        ...req,
        ...formPost(cookie, { ...fields(), _csrf: csrf }),
      }),
      ...(onPosted && { onResponse: (status: number, body: string) => onPosted(status, body) }),
    },
  ];
}

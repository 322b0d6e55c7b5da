/**
 * A browser-less walk through the e-ID sandbox's login screen, for integration tests: follows
 * redirects, keeps cookies, fills the login form, and stops at the first redirect that leaves the
 * sandbox (the client's callback, with `code`/`state` or `error`).
 */

import { CookieJar } from 'tough-cookie';
import { decodeHTML } from 'entities';

type Credentials = { cedula: string; password: string } | { cancel: true };

const MAX_STEPS = 15;

const attribute = (tag: string, name: string) =>
  decodeHTML(new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag)?.[1] ?? '');

/** The login form of the page: its action and hidden fields. */
function parseLoginForm(
  html: string,
  pageUrl: URL,
): { action: URL; fields: URLSearchParams } | null {
  const forms = html.match(/<form\b[\s\S]*?<\/form>/gi) ?? [];
  const form = forms.find((f) => /name="cedula"/.test(f));
  if (!form) return null;
  const fields = new URLSearchParams();
  for (const input of form.match(/<input\b[^>]*>/gi) ?? []) {
    if (attribute(input, 'type').toLowerCase() === 'hidden') {
      fields.append(attribute(input, 'name'), attribute(input, 'value'));
    }
  }
  const openTag = /<form\b[^>]*>/i.exec(form)?.[0] ?? '';
  return { action: new URL(attribute(openTag, 'action') || pageUrl.href, pageUrl), fields };
}

/**
 * The sandbox's cookies for one simulated browser, so a test can come back later with the same
 * provider session (e.g. for RP-initiated logout). Redirects are never followed automatically.
 */
export class ProviderSession {
  private readonly jar = new CookieJar();

  /** `fetch` with this session's cookies, storing the cookies the answer sets. */
  async fetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url);
    const headers = new Headers(init.headers);
    const cookie = await this.jar.getCookieString(target.href);
    if (cookie) headers.set('cookie', cookie);
    const response = await fetch(target, { ...init, headers, redirect: 'manual' });
    for (const setCookie of response.headers.getSetCookie()) {
      await this.jar.setCookie(setCookie, target.href, { ignoreError: true });
    }
    return response;
  }
}

/**
 * Logs in (or cancels) at the sandbox, starting from an authorize URL of either protocol
 * (`/login?clientId=…` or `/oidc/auth?…`). Returns the URL the sandbox finally redirects to,
 * outside its own origin. Throws when the screen comes back (bad credentials) or nothing leaves.
 * Pass a `session` to keep the provider's cookies for later requests.
 */
export async function loginAtProvider(
  authorizeUrl: string,
  how: Credentials,
  session: ProviderSession = new ProviderSession(),
): Promise<string> {
  const origin = new URL(authorizeUrl).origin;
  let url = new URL(authorizeUrl);
  let init: RequestInit = { method: 'GET' };
  let submitted = false;

  for (let step = 0; step < MAX_STEPS; step += 1) {
    const response = await session.fetch(url, init);

    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.arrayBuffer();
      const next = new URL(location, url);
      if (next.origin !== origin) return next.href;
      url = next;
      init = { method: 'GET' };
      continue;
    }

    const html = await response.text();
    const form = parseLoginForm(html, url);
    if (!form)
      throw new Error(`Unexpected ${response.status} at ${url.href}: ${html.slice(0, 300)}`);
    if (submitted) {
      const message = /role="alert"[^>]*>([^<]*)</.exec(html)?.[1]?.trim() ?? '(no message)';
      throw new Error(`The login screen came back (${response.status}): ${decodeHTML(message)}`);
    }
    const body = form.fields;
    if ('cancel' in how) {
      body.set('action', 'cancel');
    } else {
      body.set('cedula', how.cedula);
      body.set('password', how.password);
      body.set('action', 'login');
    }
    submitted = true;
    url = form.action;
    init = {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    };
  }
  throw new Error(`No redirect out of ${origin} after ${MAX_STEPS} steps`);
}

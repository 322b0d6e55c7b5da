/**
 * A login load for the failover check: workers loop over whole classic logins (form, password,
 * establishment, home page) against the app instances in turn, timing every HTTP step and keeping
 * every session they open, so that afterwards one can tell which sessions survived.
 */
import { PASSWORD } from './settings';

export interface Step {
  /** e.g. "POST /login". */
  what: string;
  start: number;
  end: number;
  /** HTTP status, or 0 for a connection error or a timeout. */
  status: number;
  ok: boolean;
}

export interface OpenedSession {
  cookie: string;
  /** When its home page answered 200 (ms since the epoch). */
  openedAt: number;
}

const STEP_TIMEOUT_IN_MS = 15_000;

/** The cookies a response sets, merged into `jar`. */
function keepCookies(jar: Map<string, string>, res: Response): void {
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const at = pair!.indexOf('=');
    jar.set(pair!.slice(0, at).trim(), pair!.slice(at + 1));
  }
}
const cookieHeader = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
const csrfIn = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

/** One login; every step recorded in `steps`; the session's cookie if it reached the home page. */
async function login(
  base: string,
  username: string,
  establishmentId: number,
  steps: Step[],
): Promise<string | null> {
  const jar = new Map<string, string>();
  const step = async (
    what: string,
    path: string,
    expected: number,
    form?: Record<string, string>,
  ) => {
    const start = Date.now();
    let status = 0;
    let body = '';
    try {
      const res = await fetch(base + path, {
        method: form ? 'POST' : 'GET',
        redirect: 'manual',
        headers: {
          cookie: cookieHeader(jar),
          ...(form && { 'content-type': 'application/x-www-form-urlencoded' }),
        },
        ...(form && { body: new URLSearchParams(form).toString() }),
        signal: AbortSignal.timeout(STEP_TIMEOUT_IN_MS),
      });
      status = res.status;
      keepCookies(jar, res);
      body = await res.text();
    } catch {
      status = 0;
    }
    const ok = status === expected;
    steps.push({ what, start, end: Date.now(), status, ok });
    return ok ? body : null;
  };
  const form = await step('GET /login', '/login', 200);
  if (form === null) return null;
  const posted = await step('POST /login', '/login', 303, {
    username,
    password: PASSWORD,
    _csrf: csrfIn(form),
  });
  if (posted === null) return null;
  const choice = await step('GET /login/establishment', '/login/establishment', 200);
  if (choice === null) return null;
  const chosen = await step('POST /login/establishment', '/login/establishment', 303, {
    establishmentId: String(establishmentId),
    _csrf: csrfIn(choice),
  });
  if (chosen === null) return null;
  return (await step('GET /', '/', 200)) === null ? null : cookieHeader(jar);
}

/**
 * `workers` concurrent login loops over `bases` until `until()` is true (checked between logins;
 * each step is bounded by a 15 s timeout). Users are taken round-robin.
 */
export async function loginLoad(opts: {
  bases: string[];
  usernames: string[];
  establishmentId: number;
  workers: number;
  until: () => boolean;
}): Promise<{ steps: Step[]; sessions: OpenedSession[] }> {
  const steps: Step[] = [];
  const sessions: OpenedSession[] = [];
  let turn = 0;
  await Promise.all(
    Array.from({ length: opts.workers }, async () => {
      while (!opts.until()) {
        const i = turn++;
        const base = opts.bases[i % opts.bases.length]!;
        const username = opts.usernames[i % opts.usernames.length]!;
        const cookie = await login(base, username, opts.establishmentId, steps);
        if (cookie) sessions.push({ cookie, openedAt: Date.now() });
      }
    }),
  );
  return { steps, sessions };
}

/** `count` sessions opened before a switch (4 logins at a time), each with when it opened. */
export async function openSessions(opts: {
  bases: string[];
  usernames: string[];
  establishmentId: number;
  count: number;
}): Promise<OpenedSession[]> {
  const sessions: OpenedSession[] = [];
  const steps: Step[] = [];
  for (let i = 0; i < opts.count; i += 4) {
    const batch = Array.from({ length: Math.min(4, opts.count - i) }, (_, j) => i + j);
    await Promise.all(
      batch.map(async (n) => {
        const cookie = await login(
          opts.bases[n % opts.bases.length]!,
          opts.usernames[n % opts.usernames.length]!,
          opts.establishmentId,
          steps,
        );
        if (!cookie) throw new Error(`setup login ${n} failed: ${JSON.stringify(steps.at(-1))}`);
        sessions.push({ cookie, openedAt: Date.now() });
      }),
    );
  }
  return sessions;
}

/** Whether `cookie` still opens the home page on `base` (200, not a redirect to /login). */
export async function sessionWorks(base: string, cookie: string): Promise<boolean> {
  const res = await fetch(`${base}/`, {
    headers: { cookie },
    redirect: 'manual',
    signal: AbortSignal.timeout(STEP_TIMEOUT_IN_MS),
  });
  await res.arrayBuffer();
  return res.status === 200;
}

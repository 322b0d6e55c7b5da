/**
 * Our CPU per e-ID callback, against the real sandbox: first every provider leg (our
 * `GET /auth/eid`, then the sandbox's login screen, up to the redirect back with the code), then
 * only the callbacks, one at a time, while ours counts its own CPU time (process.cpuUsage). The
 * sandbox is another process: its CPU (the token endpoint it answers) is not counted.
 */
import type { ChildProcess } from 'node:child_process';
import { SANDBOX_PASSWORD } from '../src/sandbox/citizens';
import { loginAtProvider } from '../test/support/provider-login';
import { sessionCookie } from './http-forms';
import { askProbe } from './probes';

const protocol = process.env.BENCH_EID_PROTOCOL === 'oidc' ? 'oidc' : 'mitic';

/** The e-ID client the sandbox registers and ours uses (a bench-only secret). */
export const EID = {
  protocol,
  clientId: 'his-acceso-bench',
  clientSecret: 'bench-secret-0123456789-abcdefghijklmnop',
  redirectUri: 'http://127.0.0.1:3000/auth/eid/callback',
  miticIssuer: 'sandbox-mitic-bench',
  appEnv(sandboxUrl: string): Record<string, string> {
    const common = {
      EID_PROTOCOL: protocol,
      EID_CLIENT_ID: this.clientId,
      EID_CLIENT_SECRET: this.clientSecret,
      EID_REDIRECT_URI: this.redirectUri,
    };
    return protocol === 'mitic'
      ? {
          ...common,
          EID_AUTHORIZE_URL: `${sandboxUrl}/login`,
          EID_TOKEN_URL: `${sandboxUrl}/rest/authentication`,
          EID_ISSUER: this.miticIssuer,
        }
      : { ...common, EID_ISSUER: `${sandboxUrl}/oidc` };
  },
};

/** Legs run this many at a time (they are not measured). */
const LEG_CONCURRENCY = 4;

export interface EidMeasurement {
  callbacks: number;
  /** Our CPU (user + system) per callback, ms. */
  cpuMs: number;
  /** Wall time per callback as the load side saw it, ms (one at a time). */
  wallMs: number;
  /** Event-loop delay p99 in ours during the callbacks, ms. */
  eldP99: number;
  /** SQL statements per callback. */
  queries: number;
}

/** One provider leg: our start, the sandbox's login; the callback not yet followed. */
async function leg(base: string, cedula: string) {
  const start = await fetch(`${base}/auth/eid`, { redirect: 'manual' });
  const location = start.headers.get('location');
  if (start.status !== 303 || !location) throw new Error(`/auth/eid answered ${start.status}`);
  const callback = new URL(await loginAtProvider(location, { cedula, password: SANDBOX_PASSWORD }));
  return { cookie: sessionCookie(start.headers), path: callback.pathname + callback.search };
}

/** `count` e-ID logins of `users` in turn; our CPU is counted over the callbacks only. */
export async function eidCallbacks(
  base: string,
  server: ChildProcess,
  users: { cedula: string }[],
  count: number,
): Promise<EidMeasurement> {
  const legs: Awaited<ReturnType<typeof leg>>[] = new Array(count);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++)
      legs[i] = await leg(base, users[i % users.length]!.cedula);
  };
  await Promise.all(Array.from({ length: LEG_CONCURRENCY }, worker));

  await askProbe(server, { op: 'start', label: 'eid-callbacks' });
  const started = performance.now();
  for (const { cookie, path } of legs) {
    const res = await fetch(base + path, { headers: { cookie }, redirect: 'manual' });
    await res.arrayBuffer();
    if (res.status !== 303 || res.headers.get('location') !== '/login/establishment')
      throw new Error(`e-ID callback: HTTP ${res.status} to ${res.headers.get('location')}`);
  }
  const wall = performance.now() - started;
  const probe = await askProbe(server, { op: 'stop' });
  return {
    callbacks: count,
    cpuMs: probe.cpuMs! / count,
    wallMs: wall / count,
    eldP99: probe.eld!.p99,
    queries: probe.queries! / count,
  };
}

/**
 * The scale-out checks of `npm run cluster` (and of test/integration/cluster.test.ts): each
 * talks HTTP to nginx or straight to one instance, and says PASS or FAIL with its numbers.
 */
import { loginAtProvider } from '../test/support/provider-login';
import { SANDBOX_PASSWORD } from '../src/sandbox/citizens';
import type { RunningNginx } from '../test/support/nginx';
import type { AppInstance } from './cluster-instances';
import type { ClusterUser, ClusterWorld } from './cluster-world';
import { authenticatedLoad } from './cluster-load';
import { loginForm, openSession, postForm } from './http-forms';
import { PASSWORD, WRONG_PASSWORD } from './settings';

export interface CheckResult {
  name: string;
  pass: boolean;
  detail: string;
}

/** Prints how many checks failed (or that all passed) and returns the exit code. */
export function verdict(results: { pass: boolean }[]): number {
  const failed = results.filter((r) => !r.pass).length;
  console.log(failed ? `${failed} check(s) FAILED` : 'all checks passed');
  return failed ? 1 : 0;
}

/** Runs a check command's `main` and exits with its code; an error exits 1 with its stack. */
export function runChecks(command: string, main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`${command} failed: ${(err as Error).stack ?? String(err)}`);
      process.exit(1);
    },
  );
}

const setCookie = (res: Response) =>
  res.headers
    .getSetCookie()
    .find((c) => c.startsWith('his.sid='))
    ?.split(';')[0];

/** GET `path` of `base` with `cookie`, no redirects followed: status and body. */
async function page(base: string, path: string, cookie: string) {
  const res = await fetch(base + path, { headers: { cookie }, redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location'), body: await res.text() };
}

/** (1) A session opened through nginx is open on every instance. */
export async function sessionOnEveryInstance(
  world: ClusterWorld,
  lb: RunningNginx,
): Promise<CheckResult> {
  const user = world.users.load[0]!;
  const cookie = await openSession(lb.baseUrl, user.username, world.establishmentId);
  const seen = await Promise.all(world.instances.map((i) => page(i.url, '/', cookie)));
  const ok = seen.filter((p) => p.status === 200 && p.body.includes('Persona Cluster 0'));
  return {
    name: 'session made through nginx is open on every instance',
    pass: ok.length === world.instances.length,
    detail: seen.map((p, i) => `${world.instances[i]!.name}: ${p.status}`).join(', '),
  };
}

/** One classic login whose form comes from one instance and is posted to another. */
async function loginAcross(from: AppInstance, to: AppInstance, user: ClusterUser, pw: string) {
  const form = await loginForm(from.url);
  const res = await postForm(to.url, '/login', form.cookie, {
    username: user.username,
    password: pw,
    _csrf: form.csrf,
  });
  return { status: res.status, location: res.headers.get('location') };
}

/**
 * (2) Wrong passwords sent round-robin to the instances lock the account after exactly the
 * configured count: the right password is then refused on yet another instance, while a control
 * account one failure short of the limit still gets in.
 */
export async function lockoutShared(world: ClusterWorld): Promise<CheckResult> {
  const all = world.instances;
  const at = (i: number) => all[i % all.length]!;
  const spread = async (user: ClusterUser, failures: number) => {
    for (let i = 0; i < failures; i++) {
      const res = await loginAcross(at(i), at(i + 1), user, WRONG_PASSWORD);
      if (res.status !== 401) throw new Error(`wrong password ${i + 1} answered ${res.status}`);
    }
    return loginAcross(at(failures), at(failures + 1), user, PASSWORD);
  };
  const max = world.maxFailures;
  const locked = await spread(world.users.lock, max);
  const control = await spread(world.users.control, max - 1);
  return {
    name: 'brute-force counters are shared by the instances',
    pass: locked.status === 401 && control.status === 303,
    detail:
      `right password after ${max} failures over ${all.length} instances: ${locked.status} ` +
      `(expected 401); after ${max - 1}: ${control.status} → ${control.location} (expected 303)`,
  };
}

/** (3) The e-ID flow started on one instance is completed on another, then a third. */
export async function eidAcrossInstances(world: ClusterWorld): Promise<CheckResult> {
  const [a, b, c] = [0, 1, 2].map((i) => world.instances[i % world.instances.length]!);
  const start = await fetch(`${a!.url}/auth/eid`, { redirect: 'manual' });
  const startCookie = setCookie(start) ?? '';
  const authorizeUrl = start.headers.get('location') ?? '';
  if (start.status !== 303 || !startCookie)
    return { name: 'e-ID across instances', pass: false, detail: `/auth/eid: ${start.status}` };
  const callback = new URL(
    await loginAtProvider(authorizeUrl, {
      cedula: world.users.eid.document,
      password: SANDBOX_PASSWORD,
    }),
  );
  const back = await fetch(`${b!.url}${callback.pathname}${callback.search}`, {
    headers: { cookie: startCookie },
    redirect: 'manual',
  });
  const cookie = setCookie(back) ?? startCookie;
  const step = await page(c!.url, '/login/establishment', cookie);
  const pass =
    back.status === 303 &&
    back.headers.get('location') === '/login/establishment' &&
    step.status === 200 &&
    step.body.includes('Hospital de prueba (cluster)');
  return {
    name: 'e-ID flow started on one instance completes on another',
    pass,
    detail:
      `start on ${a!.name}, callback on ${b!.name}: ${back.status} → ${back.headers.get('location')}, ` +
      `establishment step on ${c!.name}: ${step.status}` +
      (step.location ? ` → ${step.location}` : ''),
  };
}

/**
 * (4) kill -9 of one instance while autocannon loads `GET /` through nginx with `sessions` open
 * sessions: nginx keeps serving (2xx after the kill), no session is lost (every cookie still
 * opens `/` afterwards), and the failed answers are counted (`maxFailedShare` of all at most).
 */
export async function killUnderLoad(
  world: ClusterWorld,
  lb: RunningNginx,
  opts: { seconds: number; connections: number; sessions: number; maxFailedShare: number },
): Promise<CheckResult> {
  const users = world.users.load;
  const cookies = await Promise.all(
    Array.from({ length: opts.sessions }, (_, i) =>
      openSession(lb.baseUrl, users[i % users.length]!.username, world.establishmentId),
    ),
  );
  const victim = world.instances[world.instances.length - 1]!;
  const load = await authenticatedLoad(lb.baseUrl, cookies, opts.seconds, opts.connections, {
    async during(mark) {
      await new Promise((resolve) => setTimeout(resolve, (opts.seconds * 1000) / 3));
      await victim.kill9();
      mark();
    },
  });
  const after = await Promise.all(cookies.map((c) => page(lb.baseUrl, '/', c)));
  const lost = after.filter((p) => p.status !== 200).length;
  const failed = Object.values(load.other).reduce((a, b) => a + b, 0) + load.errors + load.timeouts;
  const total = load.ok + failed;
  return {
    name: 'kill -9 of one instance under load: nginx keeps serving, no session lost',
    pass:
      !victim.alive() &&
      lost === 0 &&
      load.okAfterMark > 0 &&
      failed <= opts.maxFailedShare * total,
    detail:
      `${total} requests in ${load.seconds} s over ${opts.sessions} sessions, ${victim.name} ` +
      `(pid ${victim.pid}) killed at ${Math.round(opts.seconds / 3)} s; ` +
      `${load.okAfterMark} answered 2xx after the kill; failed: ${failed} ` +
      `(non-2xx ${JSON.stringify(load.other)}, errors ${load.errors}, timeouts ${load.timeouts}); ` +
      `sessions lost: ${lost} of ${cookies.length}`,
  };
}

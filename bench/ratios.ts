/**
 * `npm run bench`: the authenticated path against the stack's ceiling, as ratios measured in the
 * same run (issue 9 item 3), on 127.0.0.1 only. Processes, all on this Node binary and this Redis:
 * - this one, the load side: autocannon, the e-ID provider legs, the table;
 * - ours: the real `createApp` (bench/server-side.ts, this file with `--serve`), scratch database
 *   and Redis prefix, the e-ID pointed at the sandbox;
 * - the ceiling (bench/ceiling.ts): Express 5 + express-session + connect-redis + a small EJS page;
 * - the e-ID sandbox (`npm run sandbox`), whose CPU is not ours.
 * Each round measures, in turn (ours and ceiling alternating, who goes first swapping per round):
 * the home page and its ceiling, /auth/verify and the session-read ceiling, the classic login and
 * the raw argon2id verify rate on ours' thread pool, and our CPU per e-ID callback. The table
 * holds medians over the rounds; every server reports its event-loop delay p99 per load.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { openSession, sessionCookie, formThenPost } from './http-forms';
import { measure, run, type Measurement, type Scenario } from './measure';
import { askProbe, type ProbeReply } from './probes';
import { benchEntry } from './server-side';
import { startServer, stopServer } from './server-process';
import { PASSWORD, positiveInt } from './settings';
import { ratioReport, type Round } from './ratio-report';
import { eidCallbacks, EID } from './eid-callbacks';
import { footprint } from './footprint';
import { startSandboxProcess } from '../test/support/sandbox-process';

/** What a load left out by BENCH_ONLY shows: nothing. */
const SKIPPED = {
  scenario: { name: 'skipped', measured: 0, requests: [] },
  p50: NaN,
  p99: NaN,
  perSecond: NaN,
  count: 0,
  bytes: NaN,
  unexpected: {},
  errors: 0,
} satisfies Measurement;

/** Forks the ceiling app and waits until it listens. */
function startCeiling(runId: string) {
  const child = fork(require.resolve('./ceiling'), [], {
    env: { ...process.env, BENCH_RUN_ID: runId },
    execArgv: process.execArgv,
  });
  const ready = new Promise<number>((resolve, reject) => {
    child.once('message', (msg: { port: number }) => resolve(msg.port));
    child.once('exit', (code) => {
      run.failure = new Error(`the ceiling app exited early (code ${code})`);
      reject(run.failure);
      if (!run.stopped) run.current?.stop();
      run.stopped = true;
    });
  });
  return { child, ready };
}

/** Stops a forked server by message and waits for its exit (it cleans up its Redis keys). */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.send('stop');
  });
}

/** A file-name-safe label of a scenario, for BENCH_CPU_PROF's profiles. */
const label = (name: string) =>
  name
    .replace(/^ceiling: /, '')
    .replace(/[^a-z0-9]+/gi, '-')
    .replace(/^-|-$/g, '');

/** A load against one server, with that server's event-loop delay over the timed part. */
async function measured(
  url: string,
  scenario: Scenario,
  seconds: number,
  connections: number,
  server: ChildProcess,
): Promise<Measurement & { probe: ProbeReply }> {
  let probe: ProbeReply = { kind: 'probe', id: 0 };
  const span = {
    start: () => askProbe(server, { op: 'start', label: label(scenario.name) }),
    stop: async () => (probe = await askProbe(server, { op: 'stop' })),
  };
  process.stderr.write(`  ${scenario.name}…\n`);
  return { ...(await measure(url, scenario, seconds, connections, span)), probe };
}

/** Requests that carry one session cookie per connection, round-robin. */
function withSessions(name: string, path: string, measuredStatus: number, cookies: string[]) {
  let next = 0;
  return {
    name,
    measured: measuredStatus,
    requests: [{ method: 'GET' as const, path }],
    setupClient: (client: { setHeaders(h: Record<string, string>): void }) =>
      client.setHeaders({ cookie: cookies[next++ % cookies.length]! }),
  } satisfies Scenario;
}

async function main(): Promise<void> {
  const seconds = positiveInt('BENCH_SECONDS', 8);
  const rounds = positiveInt('BENCH_ROUNDS', 3);
  const connections = positiveInt('BENCH_CONNECTIONS', 10);
  const userCount = positiveInt('BENCH_USERS', 20);
  const callbacks = positiveInt('BENCH_EID_CALLBACKS', 40);
  const runId = randomBytes(4).toString('hex');
  const loadAtStart = loadavg().map((l) => l.toFixed(2));
  const started = performance.now();
  process.on('SIGINT', () => {
    run.stopped = true;
    run.current?.stop();
  });

  process.stderr.write('starting the e-ID sandbox…\n');
  const sandbox = await startSandboxProcess({
    clientId: EID.clientId,
    clientSecret: EID.clientSecret,
    redirectUri: EID.redirectUri,
    miticIssuer: EID.miticIssuer,
  });
  let ours: ReturnType<typeof startServer> | undefined;
  let ceiling: ReturnType<typeof startCeiling> | undefined;
  try {
    process.stderr.write(`preparing his_acceso_bench_${runId} and the ceiling…\n`);
    // The server side (this file with --serve) reads the e-ID settings from BENCH_APP_ENV.
    process.env.BENCH_APP_ENV = JSON.stringify(EID.appEnv(sandbox.url));
    ours = startServer(__filename, runId, userCount, seconds, connections);
    ceiling = startCeiling(runId);
    const [ready, ceilingPort] = await Promise.all([ours.ready, ceiling.ready]);
    const oursUrl = `http://127.0.0.1:${ready.port}`;
    const ceilingUrl = `http://127.0.0.1:${ceilingPort}`;
    const users = ready.usernames.map((username, i) => ({
      username,
      cedula: String(1_000_000 + i),
    }));
    for (const [i, user] of users.entries()) {
      await sandbox.addCitizen({
        cedula: user.cedula,
        nombres: 'Persona',
        apellidos: `Bench ${i}`,
      });
    }

    const oursCookies = await Promise.all(
      Array.from({ length: connections }, (_, i) =>
        openSession(oursUrl, ready.usernames[i % ready.usernames.length]!, ready.establishmentId),
      ),
    );
    const ceilingCookies = await Promise.all(
      Array.from({ length: connections }, async (_, i) => {
        const opened = await fetch(`${ceilingUrl}/__open?name=Persona%20Bench%20${i}`);
        return sessionCookie(opened.headers);
      }),
    );
    let nextUser = 0;
    const home = withSessions('GET / (home page)', '/', 200, oursCookies);
    const homeCeiling = withSessions('ceiling: GET / (EJS page)', '/', 200, ceilingCookies);
    const verify = withSessions('GET /auth/verify', '/auth/verify', 204, oursCookies);
    const verifyCeiling = withSessions('ceiling: GET /verify', '/verify', 204, ceilingCookies);
    const login: Scenario = {
      name: 'POST /login (accepted)',
      measured: 303,
      helpers: [200],
      requests: formThenPost(() => ({
        username: ready.usernames[nextUser++ % ready.usernames.length]!,
        password: PASSWORD,
      })),
    };
    // Every user's first e-ID login binds the identity: done once, untimed, before the rounds.
    process.stderr.write('e-ID warm-up (first logins bind the identities)…\n');
    await eidCallbacks(oursUrl, ours.child, users, users.length);

    // BENCH_ONLY=home,verify,login,eid: only these loads (e.g. to profile one with BENCH_CPU_PROF).
    const only = new Set((process.env.BENCH_ONLY ?? 'home,verify,login,eid').split(','));
    const skipped = async (): Promise<Measurement & { probe: ProbeReply }> => ({
      ...SKIPPED,
      probe: { kind: 'probe', id: 0 },
    });
    const results: Round[] = [];
    for (let r = 0; r < rounds; r += 1) {
      process.stderr.write(`round ${r + 1} of ${rounds}\n`);
      // Who goes first swaps each round, so that a drift in the machine's load favours neither.
      const pair = async (a: () => Promise<Measurement & { probe: ProbeReply }>, b: typeof a) => {
        if (r % 2 === 0) {
          const x = await a();
          return [x, await b()] as const;
        }
        const y = await b();
        return [await a(), y] as const;
      };
      const [homeOurs, homeBase] = only.has('home')
        ? await pair(
            () => measured(oursUrl, home, seconds, connections, ours!.child),
            () => measured(ceilingUrl, homeCeiling, seconds, connections, ceiling!.child),
          )
        : [await skipped(), await skipped()];
      const [verifyOurs, verifyBase] = only.has('verify')
        ? await pair(
            () => measured(oursUrl, verify, seconds, connections, ours!.child),
            () => measured(ceilingUrl, verifyCeiling, seconds, connections, ceiling!.child),
          )
        : [await skipped(), await skipped()];
      let raw: ProbeReply = { kind: 'probe', id: 0, verifiesPerSecond: NaN };
      let loginOurs = await skipped();
      if (only.has('login')) {
        process.stderr.write(`  argon2id verify rate on ours' thread pool…\n`);
        raw = await askProbe(ours.child, { op: 'rate', seconds, concurrency: connections });
        loginOurs = await measured(oursUrl, login, seconds, connections, ours.child);
      }
      process.stderr.write(`  ${callbacks} e-ID callbacks…\n`);
      const eid = only.has('eid')
        ? await eidCallbacks(oursUrl, ours.child, users, callbacks)
        : { callbacks: 0, cpuMs: NaN, wallMs: NaN, eldP99: NaN, queries: NaN };
      results.push({
        home: [homeOurs, homeBase],
        verify: [verifyOurs, verifyBase],
        login: loginOurs,
        verifiesPerSecond: raw.verifiesPerSecond ?? NaN,
        verifyCpuMs: raw.cpuMs ?? NaN,
        eid,
      });
    }
    if (run.failure) throw run.failure;
    const sizes = await footprint(runId, oursCookies);
    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    ratioReport(results, sizes, {
      header:
        `${rounds} rounds of ${seconds} s per load, ${connections} connections, ` +
        `${callbacks} e-ID callbacks (${EID.protocol}) per round; Node ${process.version}, ` +
        `${availableParallelism()} CPUs (${cpu}), load average ${loadAtStart.join(' ')} at start`,
      elapsed: (performance.now() - started) / 1000,
    });
  } finally {
    process.stderr.write('cleaning up…\n');
    await Promise.allSettled([
      ours ? stopServer(ours.child) : undefined,
      ceiling ? stopChild(ceiling.child) : undefined,
      sandbox.stop(),
    ]);
  }
}

benchEntry(main, 8, () => JSON.parse(process.env.BENCH_APP_ENV ?? '{}') as Record<string, string>);

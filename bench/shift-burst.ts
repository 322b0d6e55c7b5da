/**
 * `npm run bench:burst`: the shift change. BURST_LOGINS logins (default 2,000; one in four with
 * the e-ID through the sandbox, the others classic) arrive evenly over BURST_SECONDS (default
 * 60) through nginx (deploy/nginx/his-load-balancer.conf) to 1, 2 and 4 instances of the app
 * (BURST_INSTANCES), all on 127.0.0.1 and on a scratch database and Redis prefix. Each login is
 * the whole journey a person makes: the form (or the e-ID provider's screen), the credentials,
 * the establishment, until the home page is reached.
 *
 * Printed per step: logins done and failed, logins/s (done ÷ the time from the first arrival to
 * the last answer), p50/p99 of a journey (classic and e-ID apart), the share of the journeys' time
 * spent waiting for the login history's chain lock (PostgreSQL's pg_locks, sampled every 10 ms:
 * backends waiting for that advisory lock × the sampling interval, over the sum of the journeys'
 * times), the CPU the instances used (in cores) and the load average. Ratios are to one instance.
 *
 * Arrivals are open-loop (a person does not wait for another's login), so a step that cannot keep
 * up shows it in its p99 and its logins/s. Every process started here is stopped by its PID.
 */
import { loadavg, availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { createSequelize } from '../src/db/sequelize';
import { createRepositories } from '../src/storage/repositories';
import { SANDBOX_PASSWORD } from '../src/sandbox/citizens';
import { createUser } from '../test/support/builders';
import { freePort } from '../test/support/nginx';
import { loginAtProvider } from '../test/support/provider-login';
import { runChecks } from './cluster-checks';
import { startLoadBalancer } from './cluster-nginx';
import { startClusterWorld, type ClusterWorld } from './cluster-world';
import { loginForm, postForm, sessionCookie } from './http-forms';
import { PASSWORD, positiveInt } from './settings';

const LOGINS = positiveInt('BURST_LOGINS', 2000);
const SECONDS = positiveInt('BURST_SECONDS', 60);
const STEPS = (process.env.BURST_INSTANCES ?? '1,2,4')
  .split(',')
  .map((n) => Number(n.trim()))
  .filter((n) => Number.isInteger(n) && n > 0);
/** One login in EID_EVERY is an e-ID login. */
const EID_EVERY = 4;
/** The login history's chain lock (src/storage/audit/login-events.ts). */
const LOGIN_CHAIN_LOCK = 7_130_001;
/** A journey that has not ended this long after the last arrival counts as failed. */
const DRAIN_TIMEOUT_MS = 120_000;
const WARMUP_LOGINS = 40;
/** nginx's connections: every journey under way holds one to a client and one to an instance. */
const LB_CONNECTIONS = 8192;

const log = (line: string) => process.stderr.write(`${line}\n`);
const csrfIn = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

interface Person {
  kind: 'classic' | 'eid';
  username: string;
  document: string;
}

/** Why a journey failed ("POST /login 503"), or null when it reached the home page. */
type Failure = string | null;

/** The establishment step, if the login stopped there, until the home page is next. */
async function chooseEstablishment(
  base: string,
  cookie: string,
  answer: Response,
  establishmentId: number,
): Promise<Failure> {
  const location = answer.headers.get('location');
  if (location === '/') return null;
  if (location !== '/login/establishment') return `login ${answer.status} → ${location ?? '-'}`;
  const step = await fetch(`${base}/login/establishment`, { headers: { cookie } });
  const jar = sessionCookie(step.headers, cookie);
  const chosen = await postForm(base, '/login/establishment', jar, {
    establishmentId: String(establishmentId),
    _csrf: csrfIn(await step.text()),
  });
  return chosen.status === 303 && chosen.headers.get('location') === '/'
    ? null
    : `POST /login/establishment ${chosen.status}`;
}

/** One person's whole login through the load balancer at `base`. */
async function journey(base: string, person: Person, establishmentId: number): Promise<Failure> {
  if (person.kind === 'classic') {
    const form = await loginForm(base);
    if (!form.csrf) return 'GET /login: no form';
    const login = await postForm(base, '/login', form.cookie, {
      username: person.username,
      password: PASSWORD,
      _csrf: form.csrf,
    });
    if (login.status !== 303) return `POST /login ${login.status}`;
    const cookie = sessionCookie(login.headers, form.cookie);
    return chooseEstablishment(base, cookie, login, establishmentId);
  }
  const start = await fetch(`${base}/auth/eid`, { redirect: 'manual' });
  const authorizeUrl = start.headers.get('location');
  if (start.status !== 303 || !authorizeUrl) return `GET /auth/eid ${start.status}`;
  const callback = new URL(
    await loginAtProvider(authorizeUrl, { cedula: person.document, password: SANDBOX_PASSWORD }),
  );
  const back = await fetch(`${base}${callback.pathname}${callback.search}`, {
    headers: { cookie: sessionCookie(start.headers) },
    redirect: 'manual',
  });
  const cookie = sessionCookie(back.headers, sessionCookie(start.headers));
  return chooseEstablishment(base, cookie, back, establishmentId);
}

/** A journey that threw (a refused connection, the provider's page not as expected). */
const thrown = (err: unknown): Failure => {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause as { code?: string; message?: string } | undefined;
  return cause ? `${err.message} (${cause.code ?? cause.message})` : err.message;
};

/** Samples the backends waiting for the chain lock until `stop()`; the seconds they waited. */
function lockWaitSampler(databaseUrl: string) {
  const client = new Client({ connectionString: databaseUrl });
  let running = true;
  let waitedSeconds = 0;
  let samples = 0;
  const done = (async () => {
    await client.connect();
    let last = performance.now();
    while (running) {
      const { rows } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_locks
          WHERE locktype = 'advisory' AND NOT granted AND objid = $1
            AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        [LOGIN_CHAIN_LOCK],
      );
      const now = performance.now();
      waitedSeconds += (rows[0]!.n * (now - last)) / 1000;
      last = now;
      samples++;
      await sleep(10);
    }
    await client.end();
  })();
  return {
    async stop() {
      running = false;
      await done;
      return { waitedSeconds, samples };
    },
  };
}

const percentile = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

interface StepResult {
  instances: number;
  done: number;
  failed: number;
  /** The most frequent reasons of the failed journeys, with their counts. */
  failures: [string, number][];
  loginsPerSecond: number;
  classic: number[];
  eid: number[];
  lockShare: number;
  lockMsPerLogin: number;
  appCores: number;
  load: number;
}

/** The burst through nginx over the first `n` instances, on the world's own base URL. */
async function step(world: ClusterWorld, people: Person[], n: number, lbPort: number) {
  const lb = await startLoadBalancer(
    world.instances.slice(0, n).map((i) => i.port),
    lbPort,
    LB_CONNECTIONS,
  );
  try {
    const base = world.baseUrl;
    // Warm-up: an instance not used by the step before is cold (JIT, pools).
    await Promise.all(
      people
        .slice(0, WARMUP_LOGINS)
        .map((person) => journey(base, person, world.establishmentId).catch(thrown)),
    );
    log(`${n} instance(s): ${LOGINS} logins over ${SECONDS} s…`);
    const used = world.instances.slice(0, n);
    const cpuBefore = used.reduce((sum, i) => sum + i.cpuSeconds(), 0);
    const sampler = lockWaitSampler(world.env.DATABASE_URL!);
    const times: { kind: Person['kind']; ms: number; failure: Failure }[] = [];
    const gap = (SECONDS * 1000) / LOGINS;
    const started = performance.now();
    let lastAnswer = started;
    const journeys: Promise<void>[] = [];
    for (let i = 0; i < LOGINS; i++) {
      const due = started + i * gap;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      const person = people[i % people.length]!;
      const t0 = performance.now();
      journeys.push(
        journey(base, person, world.establishmentId)
          .catch(thrown)
          .then((failure) => {
            const now = performance.now();
            lastAnswer = Math.max(lastAnswer, now);
            times.push({ kind: person.kind, ms: now - t0, failure });
          }),
      );
    }
    await Promise.race([Promise.all(journeys), sleep(DRAIN_TIMEOUT_MS)]);
    const lock = await sampler.stop();
    const cpu = used.reduce((sum, i) => sum + i.cpuSeconds(), 0) - cpuBefore;
    const ok = times.filter((t) => t.failure === null);
    const failures = new Map<string, number>();
    for (const t of times)
      if (t.failure !== null) failures.set(t.failure, (failures.get(t.failure) ?? 0) + 1);
    if (times.length < LOGINS)
      failures.set(
        `unfinished ${DRAIN_TIMEOUT_MS / 1000} s after the last arrival`,
        LOGINS - times.length,
      );
    const wall = (lastAnswer - started) / 1000;
    const journeySeconds = times.reduce((sum, t) => sum + t.ms, 0) / 1000;
    return {
      instances: n,
      done: ok.length,
      failed: LOGINS - ok.length,
      failures: [...failures].sort((a, b) => b[1] - a[1]).slice(0, 3),
      loginsPerSecond: ok.length / wall,
      classic: ok.filter((t) => t.kind === 'classic').map((t) => t.ms),
      eid: ok.filter((t) => t.kind === 'eid').map((t) => t.ms),
      lockShare: journeySeconds > 0 ? lock.waitedSeconds / journeySeconds : 0,
      lockMsPerLogin: ok.length > 0 ? (lock.waitedSeconds * 1000) / ok.length : 0,
      appCores: cpu / wall,
      load: loadavg()[0]!,
    } satisfies StepResult;
  } finally {
    await lb.stop();
  }
}

/** The e-ID people: accounts without a password, and the same cédulas at the sandbox. */
async function addEidPeople(world: ClusterWorld, count: number): Promise<Person[]> {
  const sequelize = createSequelize({
    url: world.env.DATABASE_URL!,
    poolMax: 4,
    statementTimeoutInMs: 30_000,
  });
  try {
    const repos = createRepositories(sequelize);
    const people: Person[] = [];
    for (let i = 0; i < count; i++) {
      const document = String(9_500_000 + i);
      const username = `burst.eid${i}`;
      await createUser(repos, {
        username,
        document,
        name: `Persona Turno ${i}`,
        role: 'staff',
        establishmentCodes: ['CLUSTER-1'],
      });
      await world.sandbox.addCitizen({
        cedula: document,
        nombres: 'Persona',
        apellidos: `Turno ${i}`,
      });
      people.push({ kind: 'eid', username, document });
    }
    return people;
  } finally {
    await sequelize.close();
  }
}

function print(rows: StepResult[]) {
  const base = rows[0]!.loginsPerSecond;
  const ms = (x: number) => (Number.isNaN(x) ? '-' : x.toFixed(0));
  console.log(
    `\nshift-change burst: ${LOGINS} logins (1 in ${EID_EVERY} e-ID) over ${SECONDS} s, Node ${process.version}, ${availableParallelism()} cores`,
  );
  console.log(
    'instances  done  failed  logins/s  ratio  classic p50/p99 ms  e-ID p50/p99 ms  chain-lock wait  per login  app CPU  load',
  );
  for (const r of rows) {
    console.log(
      [
        String(r.instances).padStart(9),
        String(r.done).padStart(5),
        String(r.failed).padStart(7),
        r.loginsPerSecond.toFixed(1).padStart(9),
        `${(r.loginsPerSecond / base).toFixed(2)}x`.padStart(6),
        `${ms(percentile(r.classic, 50))} / ${ms(percentile(r.classic, 99))}`.padStart(19),
        `${ms(percentile(r.eid, 50))} / ${ms(percentile(r.eid, 99))}`.padStart(16),
        `${(r.lockShare * 100).toFixed(2)} %`.padStart(16),
        `${r.lockMsPerLogin.toFixed(2)} ms`.padStart(10),
        r.appCores.toFixed(2).padStart(8),
        r.load.toFixed(1).padStart(5),
      ].join(' '),
    );
  }
  for (const r of rows)
    if (r.failures.length > 0)
      console.log(
        `  ${r.instances} instance(s), failed: ${r.failures.map(([why, n]) => `${n} × ${why}`).join('; ')}`,
      );
}

async function main(): Promise<number> {
  if (STEPS.length === 0) throw new Error('BURST_INSTANCES names no instance count');
  const lbPort = await freePort();
  const eidCount = Math.ceil(LOGINS / EID_EVERY);
  const classicCount = LOGINS - eidCount;
  log(
    `seeding ${classicCount} classic and ${eidCount} e-ID people, starting ${Math.max(...STEPS)} instance(s)…`,
  );
  const world = await startClusterWorld({
    instances: Math.max(...STEPS),
    loadUsers: classicCount,
    baseUrl: `http://127.0.0.1:${lbPort}`,
    log,
  });
  let interrupted = false;
  process.on('SIGINT', () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log('interrupted: stopping after this step…');
  });
  try {
    const eidPeople = await addEidPeople(world, eidCount);
    const classic: Person[] = world.users.load.map((u) => ({ kind: 'classic', ...u }));
    // Interleaved: every EID_EVERY-th arrival is an e-ID login.
    const people: Person[] = [];
    for (let i = 0, c = 0, e = 0; i < LOGINS; i++)
      people.push(
        i % EID_EVERY === EID_EVERY - 1 && e < eidPeople.length ? eidPeople[e++]! : classic[c++]!,
      );
    // Each e-ID person's first login binds their identity (a longer path): done once before.
    log('first e-ID logins (binding), not measured…');
    const lb = await startLoadBalancer(
      world.instances.map((i) => i.port),
      lbPort,
    );
    try {
      for (let i = 0; i < eidPeople.length; i += 8)
        await Promise.all(
          eidPeople
            .slice(i, i + 8)
            .map((p) => journey(world.baseUrl, p, world.establishmentId).catch(thrown)),
        );
    } finally {
      await lb.stop();
    }
    const rows: StepResult[] = [];
    for (const n of STEPS) {
      if (interrupted) break;
      rows.push(await step(world, people, n, lbPort));
    }
    if (rows.length > 0) print(rows);
    return rows.every((r) => r.failed === 0) ? 0 : 1;
  } finally {
    log('cleaning up…');
    await world.stop();
  }
}

runChecks('npm run bench:burst', main);

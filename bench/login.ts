/**
 * `npm run bench`: latency and throughput of the login path against the real app, on 127.0.0.1
 * only. Two processes run this same file:
 * - the server (`--serve`) owns the scratch world: it creates the database `his_acceso_bench_<id>`
 *   and the Redis prefix `bench:<id>:`, seeds the users, serves the app, and removes everything
 *   when told to stop or when the load side disappears (Ctrl-C, a kill), so nothing is left over;
 * - the load side drives autocannon, so that it does not share the app's event loop.
 * It prints medians, p99 and requests/s, and each scenario relative to `GET /healthz` measured in
 * the same run. The refused logins (unknown user, wrong password, locked, disabled) are also
 * compared with the accepted one by their medians, since DESIGN wants them to cost the same; the
 * audit trail and the 401 pages confirm which path each of them took. No thresholds: machines are
 * noisy (bench/README.md).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { QueryTypes } from 'sequelize';
import { createClient } from 'redis';
import { createApp } from '../src/app';
import { hashPassword } from '../src/auth/classic/passwords';
import { GENERIC_FAILURE } from '../src/auth/classic/routes';
import { loadConfig } from '../src/config';
import { createMigrator } from '../src/db/migrator';
import { createSequelize } from '../src/db/sequelize';
import { addEstablishments } from '../src/establishments/add-establishment';
import { createRedisClient } from '../src/redis/client';
import { systemClock } from '../src/shared/clock';
import { createLogger } from '../src/shared/logger';
import { createUser } from '../src/users/create-user';

const PG_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = 'redis://127.0.0.1:6379';
const PASSWORD = 'bench-password-0123';
const WRONG_PASSWORD = 'wrong-password-0123';

/** Warm-up requests per connection before the timed run (a form fetch counts as one). */
const WARMUP = 20;
/** The refused logins come after the accepted one has warmed argon2 and the app up: less. */
const FAILURE_WARMUP = 8;
/**
 * Logins per second that argon2id at the production parameters does not reach on the default
 * libuv pool (4 threads, each verify ≥ 10 ms): it sizes the account pools so that no account of
 * the wrong-password and disabled scenarios reaches the lockout. The audit check would say so.
 */
const LOGIN_RATE_CEILING = 500;

/**
 * Accounts of the refused-login scenarios are `<prefix><n>`, and the prefix tells their audit rows
 * apart. `nobody…` never exists; the others are created with the seed, each pool its own.
 */
const PREFIX = { unknown: 'nobody', wrong: 'wrongpw', locked: 'locked', disabled: 'disabled' };

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name}=${raw}: use a whole number ≥ 1`);
  }
  return value;
}

// ---------------------------------------------------------------------------------- server side

/** What the server tells the load side once it listens. */
interface Ready {
  port: number;
  usernames: string[];
  establishmentId: number;
  /** The app's LOCKOUT_MAX_FAILURES. */
  maxFailures: number;
  /** Accounts in each pool of the refused-login scenarios. */
  pools: { wrong: number; locked: number; disabled: number };
}

/** Load side → server: the audit rows of one pool after `since`; the reply is {@link Audit}. */
interface AuditQuery {
  kind: 'audit';
  prefix: string;
  since: number;
}
interface Audit {
  kind: 'audit';
  /** The newest login_events id: the `since` of a later query. */
  lastId: number;
  /** login_events.reason → rows, for the pool's usernames after `since`. */
  reasons: Record<string, number>;
  error?: string;
}
const isAuditQuery = (msg: unknown): msg is AuditQuery =>
  typeof msg === 'object' && msg !== null && (msg as AuditQuery).kind === 'audit';

async function adminQuery(sql: string): Promise<void> {
  const pg = new Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  await pg.connect();
  try {
    await pg.query(sql);
  } finally {
    await pg.end();
  }
}

async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = createClient({ url: REDIS_URL });
  await redis.connect();
  for await (const keys of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
    if (keys.length) await redis.del(keys);
  }
  await redis.quit();
}

/**
 * `count` accounts `<prefix>0…` in one statement each for users, roles and establishments, all
 * sharing one argon2id hash (same parameters, so the same cost to verify): thousands in a second.
 */
async function addPool(
  sequelize: ReturnType<typeof createSequelize>,
  pool: { prefix: string; count: number; status: 'active' | 'disabled'; firstDocument: number },
  passwordHash: string,
  establishmentId: number,
): Promise<void> {
  const replacements = { ...pool, passwordHash, establishmentId, like: `${pool.prefix}%` };
  await sequelize.query(
    `INSERT INTO users (username, document_number, full_name, password_hash, status)
     SELECT :prefix || i, (:firstDocument + i)::text, 'Persona Bench ' || :prefix || ' ' || i,
       :passwordHash, :status
     FROM generate_series(0, :count - 1) AS i`,
    { replacements },
  );
  await sequelize.query(
    `INSERT INTO user_roles (user_id, role) SELECT id, 'staff' FROM users WHERE username LIKE :like`,
    { replacements },
  );
  await sequelize.query(
    `INSERT INTO user_establishments (user_id, establishment_id)
     SELECT id, :establishmentId FROM users WHERE username LIKE :like`,
    { replacements },
  );
}

/** The scratch database and Redis prefix, the seeded users, and the real app listening. */
async function serve(
  runId: string,
  userCount: number,
  seconds: number,
  connections: number,
): Promise<void> {
  // The id becomes part of SQL and key names: only what main() generates is accepted.
  if (!/^[0-9a-f]{8}$/.test(runId)) throw new Error(`BENCH_RUN_ID=${runId}: not a bench run id`);
  const dbName = `his_acceso_bench_${runId}`;
  const dbUrl = new URL(PG_ADMIN_URL);
  dbUrl.pathname = `/${dbName}`;
  const config = loadConfig({
    NODE_ENV: 'development',
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL,
    REDIS_KEY_PREFIX: `bench:${runId}:`,
    SESSION_SECRET: randomBytes(32).toString('hex'),
    COOKIE_SECURE: 'false',
    LOG_LEVEL: 'silent',
  });
  const logger = createLogger('silent');
  const sequelize = createSequelize(config.database);
  const redis = createRedisClient(config.redis.url, logger);
  let server: Server | undefined;

  let teardown: Promise<void> | undefined;
  const stop = (code: number) =>
    (teardown ??= (async () => {
      if (server) {
        server.close();
        server.closeAllConnections();
        await sleep(2000); // handlers of cut connections (an argon2 verify) finish first
      }
      await Promise.allSettled([sequelize.close(), redis.isOpen ? redis.quit() : undefined]);
      await adminQuery(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await deleteRedisKeys(config.redis.keyPrefix);
    })().finally(() => process.exit(code)));
  const audit = async ({ prefix, since }: AuditQuery): Promise<Audit> => {
    const rows = await sequelize.query<{ reason: string | null; n: number }>(
      `SELECT reason, count(*)::int AS n FROM login_events
       WHERE id > :since AND username LIKE :like GROUP BY reason`,
      { replacements: { since, like: `${prefix}%` }, type: QueryTypes.SELECT },
    );
    const [last] = await sequelize.query<{ id: number }>(
      'SELECT coalesce(max(id), 0)::int AS id FROM login_events',
      { type: QueryTypes.SELECT },
    );
    const reasons = Object.fromEntries(rows.map((r) => [r.reason ?? '(none)', r.n]));
    return { kind: 'audit', lastId: last?.id ?? 0, reasons };
  };
  process.on('message', (msg: unknown) => {
    if (msg === 'stop') void stop(0);
    else if (isAuditQuery(msg)) {
      const reply = (answer: Audit) => process.connected && process.send!(answer);
      audit(msg).then(reply, (err: unknown) =>
        reply({ kind: 'audit', lastId: 0, reasons: {}, error: String(err) }),
      );
    }
  });
  process.on('disconnect', () => void stop(0)); // the load side is gone: clean up and go
  // Ctrl-C reaches the whole process group; this side stops only through the two events above.
  process.on('SIGINT', () => undefined);

  try {
    await adminQuery(`CREATE DATABASE ${dbName}`);
    await createMigrator(sequelize).up();
    const [establishment] = await addEstablishments(sequelize, [
      { code: 'BENCH-1', name: 'Hospital de prueba (bench)', region: 'Central' },
    ]);
    const users = await Promise.all(
      Array.from({ length: userCount }, (_, i) =>
        createUser(sequelize, {
          username: `bench${i}`,
          document: String(1_000_000 + i),
          name: `Persona Bench ${i}`,
          role: 'staff',
          establishmentCodes: ['BENCH-1'],
          password: PASSWORD,
        }),
      ),
    );
    // Sized so that no account of the wrong-password and disabled scenarios gets to the lockout
    // (LOCKOUT_MAX_FAILURES failures) even at LOGIN_RATE_CEILING; the locked pool is locked on
    // purpose by the load side, one account per connection.
    const { maxFailures } = config.lockout;
    if (maxFailures < 2) throw new Error('the bench needs LOCKOUT_MAX_FAILURES ≥ 2');
    const attempts = connections * (FAILURE_WARMUP + 1) + seconds * LOGIN_RATE_CEILING;
    const poolSize = Math.ceil(attempts / (maxFailures - 1));
    const pools = { wrong: poolSize, locked: connections, disabled: poolSize };
    const sharedHash = await hashPassword(PASSWORD);
    await addPool(
      sequelize,
      { prefix: PREFIX.wrong, count: pools.wrong, status: 'active', firstDocument: 20_000_000 },
      sharedHash,
      establishment!.id,
    );
    await addPool(
      sequelize,
      { prefix: PREFIX.locked, count: pools.locked, status: 'active', firstDocument: 30_000_000 },
      sharedHash,
      establishment!.id,
    );
    await addPool(
      sequelize,
      {
        prefix: PREFIX.disabled,
        count: pools.disabled,
        status: 'disabled',
        firstDocument: 40_000_000,
      },
      sharedHash,
      establishment!.id,
    );
    await redis.connect();
    const { app } = createApp({ config, clock: systemClock, logger, sequelize, redis });
    // Express caches compiled views only when NODE_ENV=production; production does, so we do.
    app.enable('view cache');
    server = app.listen(0, '127.0.0.1', () => {
      const ready: Ready = {
        port: (server!.address() as AddressInfo).port,
        usernames: users.map((u) => u.username),
        establishmentId: establishment!.id,
        maxFailures,
        pools,
      };
      process.send!(ready);
    });
  } catch (err) {
    console.error(err);
    await stop(1);
  }
}

// ------------------------------------------------------------------------------------ load side

// autocannon ships no types (and @types/autocannon is not installed): the little used here.
type Context = Record<string, string>;
type RawHeaders = Record<string, string | string[] | undefined>;
interface BenchRequest {
  method?: 'GET' | 'POST';
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?(req: BenchRequest, context: Context): BenchRequest;
  onResponse?(status: number, body: string, context: Context, headers: RawHeaders): void;
}
type SetupClient = (client: { setHeaders(headers: Record<string, string>): void }) => void;
interface Instance extends EventEmitter {
  stop(): void;
}
interface Result {
  duration: number;
  errors: number;
  timeouts: number;
}
type Autocannon = (
  opts: {
    url: string;
    connections: number;
    duration?: number;
    amount?: number;
    requests: BenchRequest[];
    setupClient?: SetupClient;
  },
  done: (err: Error | null, result: Result) => void,
) => Instance;
const autocannon = createRequire(__filename)('autocannon') as Autocannon;

const sessionCookie = (headers: RawHeaders | Headers): string => {
  const raw =
    headers instanceof Headers
      ? headers.getSetCookie()
      : Object.entries(headers).flatMap(([k, v]) =>
          k.toLowerCase() === 'set-cookie' ? (v ?? []) : [],
        );
  const cookie = ([] as string[]).concat(raw).find((c) => c.startsWith('his.sid='));
  return cookie?.split(';')[0] ?? '';
};
const csrfIn = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
const formPost = (cookie: string, fields: Record<string, string>) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
  body: new URLSearchParams(fields).toString(),
});

/** A full classic login over HTTP (form, credentials, establishment); the open session's cookie. */
/** A fresh login form: its session cookie and CSRF token. */
async function loginForm(base: string) {
  const page = await fetch(`${base}/login`);
  return { cookie: sessionCookie(page.headers), csrf: csrfIn(await page.text()) };
}

const postForm = (base: string, path: string, cookie: string, fields: Record<string, string>) =>
  fetch(base + path, { method: 'POST', redirect: 'manual', ...formPost(cookie, fields) });

/** A full classic login over HTTP (form, credentials, establishment); the open session's cookie. */
async function openSession(base: string, username: string, establishmentId: number) {
  const form = await loginForm(base);
  const login = await postForm(base, '/login', form.cookie, {
    username,
    password: PASSWORD,
    _csrf: form.csrf,
  });
  let cookie = sessionCookie(login.headers);
  const choice = await fetch(`${base}/login/establishment`, { headers: { cookie } });
  const chosen = await postForm(base, '/login/establishment', cookie, {
    establishmentId: String(establishmentId),
    _csrf: csrfIn(await choice.text()),
  });
  cookie = sessionCookie(chosen.headers);
  const home = await fetch(`${base}/`, { headers: { cookie }, redirect: 'manual' });
  if (home.status !== 200) throw new Error(`setup: ${username} got HTTP ${home.status} on /`);
  return cookie;
}

/** Asks the server side for the audit rows of one pool (see {@link AuditQuery}). */
function askAudit(child: ChildProcess, prefix: string, since: number): Promise<Audit> {
  return new Promise((resolve, reject) => {
    const onMessage = (msg: unknown) => {
      if (!isAuditQuery(msg)) return;
      done();
      const reply = msg as unknown as Audit;
      if (reply.error) reject(new Error(`audit query: ${reply.error}`));
      else resolve(reply);
    };
    const onExit = () => {
      done();
      reject(run.failure ?? new Error('the bench server exited'));
    };
    const done = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send({ kind: 'audit', prefix, since } satisfies AuditQuery);
  });
}

interface Scenario {
  name: string;
  /** The status whose responses are timed and counted. */
  measured: number;
  /** Statuses of helper requests in the same sequence: expected, neither timed nor counted. */
  helpers?: number[];
  requests: BenchRequest[];
  setupClient?: SetupClient;
  /** Warm-up requests per connection; {@link WARMUP} when absent. */
  warmup?: number;
  /** The accepted login: the others' medians are shown relative to its median. */
  reference?: true;
  /** A refused login: the accounts' prefix and the reason each attempt must leave in the audit. */
  refusal?: { prefix: string; reason: string; bodies: Map<string, number> };
  /** Untimed work before the warm-up. */
  prepare?: () => Promise<void>;
}

/** The 401 page with what legitimately varies (CSRF token, the username typed) masked. */
const maskedPage = (html: string) =>
  html
    .replace(/(name="_csrf" value=")[^"]*/g, '$1…')
    .replace(/(id="username"[^>]*value=")[^"]*/, '$1…');

/** GET a fresh form (helper, untimed), then POST it (timed). */
function formThenPost(
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

interface Setup {
  url: string;
  ready: Ready;
  cookies: string[];
  child: ChildProcess;
}

function scenarios({ url, ready, cookies, child }: Setup): Scenario[] {
  const { usernames, pools, maxFailures } = ready;
  let nextUser = 0;
  let nextCookie = 0;
  const get = (path: string): BenchRequest[] => [{ method: 'GET', path }];

  /** A refused login: each connection fetches a form, then posts `username()` and `password`. */
  const refused = (
    name: string,
    prefix: string,
    reason: string,
    username: () => string,
    password: string,
    prepare?: () => Promise<void>,
  ): Scenario => {
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
  };
  const roundRobin = (prefix: string, size: number) => {
    let next = 0;
    return () => `${prefix}${next++ % size}`;
  };
  let nextUnknown = 0;

  /** Locks every account of the locked pool as an attacker would: maxFailures wrong passwords. */
  const lockAccounts = async () => {
    const { lastId } = await askAudit(child, PREFIX.locked, Number.MAX_SAFE_INTEGER);
    await Promise.all(
      Array.from({ length: pools.locked }, async (_, i) => {
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
    if (reasons.lockout_started !== pools.locked) {
      throw new Error(`setup: ${reasons.lockout_started ?? 0} of ${pools.locked} accounts locked`);
    }
  };

  return [
    { name: 'GET /healthz (baseline)', measured: 200, requests: get('/healthz') },
    { name: 'GET /login (page + new session)', measured: 200, requests: get('/login') },
    {
      // A login regenerates the session, so each one needs a fresh form: GET, then the timed POST.
      name: 'POST /login (argon2id verify)',
      measured: 303,
      helpers: [200],
      reference: true,
      requests: formThenPost(() => ({
        username: usernames[nextUser++ % usernames.length]!,
        password: PASSWORD,
      })),
    },
    // Each name is new: no name gets near the lockout. The dummy hash is verified.
    refused(
      'POST /login unknown user',
      PREFIX.unknown,
      'unknown_user',
      () => `${PREFIX.unknown}${nextUnknown++}`,
      PASSWORD,
    ),
    refused(
      'POST /login wrong password',
      PREFIX.wrong,
      'bad_password',
      roundRobin(PREFIX.wrong, pools.wrong),
      WRONG_PASSWORD,
    ),
    // The right password: a locked account refuses it too, after the same verify.
    refused(
      'POST /login locked account',
      PREFIX.locked,
      'account_locked',
      roundRobin(PREFIX.locked, pools.locked),
      PASSWORD,
      lockAccounts,
    ),
    // The right password, or the refusal would be bad_password: the status is checked after it.
    refused(
      'POST /login disabled account',
      PREFIX.disabled,
      'account_disabled',
      roundRobin(PREFIX.disabled, pools.disabled),
      PASSWORD,
    ),
    {
      name: 'GET / (authenticated)',
      measured: 200,
      requests: get('/'),
      setupClient: (client) =>
        client.setHeaders({ cookie: cookies[nextCookie++ % cookies.length]! }),
    },
  ];
}

interface Measurement {
  scenario: Scenario;
  p50: number;
  p99: number;
  perSecond: number;
  count: number;
  unexpected: Record<number, number>;
  errors: number;
  /** Refused logins: the audit reasons their accounts got during the scenario. */
  audit?: Record<string, number>;
}

/** The load in progress, so that Ctrl-C or a dead server can stop it early. */
const run: { current?: Instance; stopped: boolean; failure?: Error } = { stopped: false };

function load(
  url: string,
  scenario: Scenario,
  amount: { connections: number; duration?: number; amount?: number },
  onResponse: (status: number, ms: number) => void,
): Promise<Result> {
  if (run.stopped) return Promise.reject(run.failure ?? new Error('interrupted'));
  return new Promise((resolve, reject) => {
    const { requests, setupClient } = scenario;
    run.current = autocannon({ url, requests, setupClient, ...amount }, (err, result) =>
      err ? reject(err) : resolve(result),
    );
    run.current.on('response', (_client, status: number, _bytes, ms: number) =>
      onResponse(status, ms),
    );
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

/** A short warm-up (JIT, pools), then `seconds` of load, timing every response ourselves. */
async function measure(
  url: string,
  scenario: Scenario,
  seconds: number,
  connections: number,
): Promise<Measurement> {
  const warmup = connections * (scenario.warmup ?? WARMUP);
  await load(url, scenario, { connections, amount: warmup }, () => undefined);
  const times: number[] = [];
  const unexpected: Record<number, number> = {};
  const result = await load(url, scenario, { connections, duration: seconds }, (status, ms) => {
    if (status === scenario.measured) times.push(ms);
    else if (!scenario.helpers?.includes(status))
      unexpected[status] = (unexpected[status] ?? 0) + 1;
  });
  times.sort((a, b) => a - b);
  return {
    scenario,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    perSecond: times.length / result.duration,
    count: times.length,
    unexpected,
    errors: result.errors + result.timeouts,
  };
}

/** What went wrong with a refused-login scenario: wrong path in the audit, odd 401 pages. */
function refusalProblems(r: Measurement, commonPage: string | undefined): string[] {
  const refusal = r.scenario.refusal!;
  const problems = Object.entries(r.audit ?? {})
    .filter(([reason]) => reason !== refusal.reason)
    .map(([reason, n]) => `${n}× audit reason ${reason}`);
  const expected = r.audit?.[refusal.reason] ?? 0;
  if (expected < r.count) problems.push(`only ${expected} audit rows for ${r.count} responses`);
  for (const [page, n] of refusal.bodies) {
    if (!page.includes(GENERIC_FAILURE)) problems.push(`${n}× a 401 page without the message`);
    else if (page !== commonPage) problems.push(`${n}× a 401 page unlike the others`);
  }
  return problems;
}

function report(results: Measurement[], settings: string): void {
  const baseline = results[0]?.perSecond ?? NaN;
  const reference = results.find((r) => r.scenario.reference)?.p50 ?? NaN;
  const widths = [34, 11, 11, 11, 11, 13, 11];
  const row = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('');
  // The most frequent masked 401 page: every refused login should have answered exactly this.
  const pages = new Map<string, number>();
  for (const r of results) {
    for (const [page, n] of r.scenario.refusal?.bodies ?? []) {
      pages.set(page, (pages.get(page) ?? 0) + n);
    }
  }
  const commonPage = [...pages].sort((a, b) => b[1] - a[1])[0]?.[0];

  console.log(`\nHIS Acceso bench: ${settings}`);
  console.log(
    row(['scenario', 'p50 ms', 'p99 ms', 'req/s', '× healthz', '× login p50', 'responses']),
  );
  for (const r of results) {
    const ratio = (r.perSecond / baseline).toFixed(3);
    const vsLogin =
      r.scenario.reference || r.scenario.refusal ? (r.p50 / reference).toFixed(2) : '';
    const cells = [r.p50.toFixed(2), r.p99.toFixed(2), r.perSecond.toFixed(0), ratio, vsLogin];
    console.log(row([r.scenario.name, ...cells, String(r.count)]));
    const odd = Object.entries(r.unexpected).map(([status, n]) => `${n}× HTTP ${status}`);
    if (r.errors) odd.push(`${r.errors} connection errors or timeouts`);
    if (r.scenario.refusal) {
      const { reason } = r.scenario.refusal;
      console.log(`  audit: ${r.audit?.[reason] ?? 0}× ${reason}`);
      odd.push(...refusalProblems(r, commonPage));
    }
    if (odd.length) console.log(`  ! unexpected: ${odd.join(', ')}`);
  }
  const refused = results.filter((r) => r.scenario.refusal);
  if (refused.length && pages.size === 1 && commonPage?.includes(GENERIC_FAILURE)) {
    const n = refused.reduce((sum, r) => sum + r.count, 0);
    console.log(
      `401 pages: one and the same for all ${refused.length} refusals ` +
        `(${pages.get(commonPage)} pages incl. warm-up, ${n} timed; CSRF token and typed username masked)`,
    );
  }
}

/** Forks the server side and waits until it listens (or fails). */
function startServer(runId: string, userCount: number, seconds: number, connections: number) {
  const child = fork(__filename, ['--serve'], {
    env: {
      ...process.env,
      BENCH_RUN_ID: runId,
      BENCH_USERS: String(userCount),
      BENCH_SECONDS: String(seconds),
      BENCH_CONNECTIONS: String(connections),
    },
    execArgv: process.execArgv,
  });
  const ready = new Promise<Ready>((resolve, reject) => {
    child.once('message', (msg: Ready) => resolve(msg));
    child.once('exit', (code) => {
      run.failure = new Error(`the bench server exited early (code ${code})`);
      reject(run.failure);
      if (!run.stopped) run.current?.stop();
      run.stopped = true;
    });
  });
  return { child, ready };
}

/** Asks the server side to clean up and waits for it; it needs a few seconds. */
function stopServer(child: ChildProcess): Promise<void> {
  run.stopped = true;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.send('stop');
  });
}

async function main(): Promise<void> {
  const seconds = positiveInt('BENCH_SECONDS', 10);
  const connections = positiveInt('BENCH_CONNECTIONS', 10);
  const userCount = positiveInt('BENCH_USERS', 20);
  const runId = randomBytes(4).toString('hex');
  const loadAtStart = loadavg()[0]!.toFixed(1);
  process.on('SIGINT', () => {
    run.stopped = true;
    run.current?.stop();
  });

  process.stderr.write(`preparing his_acceso_bench_${runId} with ${userCount} users…\n`);
  const server = startServer(runId, userCount, seconds, connections);
  try {
    const ready = await server.ready;
    const url = `http://127.0.0.1:${ready.port}`;
    const cookies = await Promise.all(
      Array.from({ length: connections }, (_, i) =>
        openSession(url, ready.usernames[i % ready.usernames.length]!, ready.establishmentId),
      ),
    );
    const results: Measurement[] = [];
    for (const scenario of scenarios({ url, ready, cookies, child: server.child })) {
      if (scenario.prepare) {
        process.stderr.write(`preparing ${scenario.name}…\n`);
        await scenario.prepare();
      }
      // Refused logins: their accounts' audit rows from the warm-up on tell which path ran.
      const prefix = scenario.refusal?.prefix;
      const mark = prefix ? await askAudit(server.child, prefix, Number.MAX_SAFE_INTEGER) : null;
      process.stderr.write(`measuring ${scenario.name} for ${seconds} s…\n`);
      const measurement = await measure(url, scenario, seconds, connections);
      if (prefix && mark) {
        measurement.audit = (await askAudit(server.child, prefix, mark.lastId)).reasons;
      }
      results.push(measurement);
    }
    if (run.failure) throw run.failure;
    const cpus = availableParallelism();
    const { pools, maxFailures } = ready;
    report(
      results,
      `${seconds} s per scenario, ${connections} connections, ${userCount} users ` +
        `(+ ${pools.wrong} wrong-password, ${pools.locked} locked, ${pools.disabled} disabled; ` +
        `lockout after ${maxFailures}), Node ${process.version}, ${cpus} CPUs, ` +
        `load average ${loadAtStart} at start`,
    );
  } finally {
    process.stderr.write('cleaning up…\n');
    await stopServer(server.child);
  }
}

if (process.argv.includes('--serve')) {
  serve(
    process.env.BENCH_RUN_ID ?? '',
    positiveInt('BENCH_USERS', 20),
    positiveInt('BENCH_SECONDS', 10),
    positiveInt('BENCH_CONNECTIONS', 10),
  ).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}

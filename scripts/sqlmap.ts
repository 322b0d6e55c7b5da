/**
 * `npm run test:sqlmap`: sqlmap (Debian package) against the login form and, signed in as an
 * administrator and an auditor, every filter of the users list, the establishments list, both
 * audit histories (pages and CSV exports), the adoption dashboard and "Mis accesos".
 *
 * It owns a scratch world (database `his_acceso_sqlmap_<id>`, Redis prefix `sqlmap:<id>:`), seeds
 * a few users and login events, serves the real app on a free 127.0.0.1 port, runs sqlmap once
 * per target, and removes everything afterwards. Exits 1 on any finding, on a sqlmap blocker, or
 * when a target's requests did not reach the route (every answer a 403, a redirect to the login,
 * a 429 or a 5xx would mean sqlmap tested nothing).
 *
 * SQLMAP (default /usr/bin/sqlmap), SQLMAP_LEVEL (2), SQLMAP_RISK (1), SQLMAP_THREADS (4),
 * SQLMAP_ONLY (a target name).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { standaloneApp } from '../test/support/standalone-app';
import { loadConfig } from '../src/config';
import { createMigrator } from '../src/db/migrator';
import { createSequelize } from '../src/db/sequelize';
import { createRedisClient } from '../src/redis/client';
import { createRepositories } from '../src/storage/repositories';
import { createLogger } from '../src/shared/logger';
import {
  adminQuery,
  deleteRedisKeys,
  TEST_PG_ADMIN_URL as PG_ADMIN_URL,
  TEST_REDIS_URL as REDIS_URL,
} from '../test/support/services';
import { databaseUrl } from '../bench/settings';
import { parseSqlmapOutput, type SqlmapReport } from './sqlmap-output';
import { seedSqlmapWorld, signIn, type SqlmapWorld } from './sqlmap-world';

const SQLMAP = process.env.SQLMAP ?? '/usr/bin/sqlmap';
const LEVEL = process.env.SQLMAP_LEVEL ?? '2';
const RISK = process.env.SQLMAP_RISK ?? '1';
const THREADS = process.env.SQLMAP_THREADS ?? '4';
/** One sqlmap run may not take longer than this (it is killed, and the run fails). */
const TARGET_TIMEOUT_MS = 5 * 60_000;

interface Target {
  name: string;
  method: 'GET' | 'POST';
  /** Path and query string (GET) of the original request. */
  url: string;
  data?: string;
  params: string[];
  /** Whose cookie the requests carry; none: sqlmap keeps the cookies the server sets. */
  as: 'admin' | 'auditor' | null;
  /** The route whose answers are counted (`METHOD /path`). */
  route: string;
  /** Answers that mean the request reached the route's handler. */
  reached: (status: number) => boolean;
}

/**
 * The exports parse their filters as the pages do (tested on the pages): the ids arrive as
 * integers or not at all, so only the parameters that reach their own SQL as text are tested
 * again on the CSV routes, to keep the whole run near ten minutes.
 */
const csvParams = (query: string) =>
  [...new URLSearchParams(query).keys()].filter(
    (p) => !['userId', 'establishment', 'region'].includes(p),
  );

function targets(w: SqlmapWorld): Target[] {
  const page = (s: number) => s === 200 || s === 400;
  const history = `user=${w.staffUsername.slice(0, 6)}&userId=${w.staffId}&document=${w.staffDocument}&establishment=${w.establishmentId}&region=${w.regionId}&ip=127.0.0.1&from=2020-01-01&to=2030-12-31`;
  const loginFilters = `${history}&method=classic&outcome=failure&reason=bad_password`;
  const adminFilters = `${history}&action=audit.export&outcome=success`;
  return [
    {
      name: 'login',
      method: 'POST',
      url: '/login',
      data: `username=${w.staffUsername}&password=wrong-password&_csrf=x`,
      params: ['username', 'password'],
      as: null,
      route: 'POST /login',
      // 401 is the one answer to refused credentials; 400 an empty field.
      reached: (s) => s === 401 || s === 400,
    },
    {
      name: 'admin-users',
      method: 'GET',
      url: `/admin/users?q=${encodeURIComponent(w.staffName)}&establishment=${w.establishmentId}&region=${w.regionId}&role=staff&status=active&eid=never`,
      params: ['q', 'establishment', 'region', 'role', 'status', 'eid'],
      as: 'admin',
      route: 'GET /admin/users',
      reached: page,
    },
    {
      name: 'admin-users-locked',
      method: 'GET',
      url: '/admin/users?locked=si&after=abc',
      params: ['locked', 'after'],
      as: 'admin',
      route: 'GET /admin/users',
      reached: page,
    },
    {
      name: 'admin-establishments',
      method: 'GET',
      url: `/admin/establishments?q=Hospital&regionId=${w.regionId}&state=active&page=1`,
      params: ['q', 'regionId', 'state', 'page'],
      as: 'admin',
      route: 'GET /admin/establishments',
      reached: page,
    },
    {
      name: 'audit-logins',
      method: 'GET',
      url: `/audit/logins?${loginFilters}&after=abc`,
      params: [...new URLSearchParams(`${loginFilters}&after=abc`).keys()],
      as: 'auditor',
      route: 'GET /audit/logins',
      reached: page,
    },
    {
      name: 'audit-logins-csv',
      method: 'GET',
      url: `/audit/logins.csv?${loginFilters}`,
      params: csvParams(loginFilters),
      as: 'auditor',
      route: 'GET /audit/logins.csv',
      reached: page,
    },
    {
      name: 'audit-admin-events',
      method: 'GET',
      url: `/audit/admin-events?${adminFilters}&after=abc`,
      params: [...new URLSearchParams(`${adminFilters}&after=abc`).keys()],
      as: 'auditor',
      route: 'GET /audit/admin-events',
      reached: page,
    },
    {
      name: 'audit-admin-events-csv',
      method: 'GET',
      url: `/audit/admin-events.csv?${adminFilters}`,
      params: csvParams(adminFilters),
      as: 'auditor',
      route: 'GET /audit/admin-events.csv',
      reached: page,
    },
    {
      name: 'eid-adoption',
      method: 'GET',
      url: `/audit/eid-adoption?region=${w.regionId}&vista=tendencia`,
      params: ['region', 'vista'],
      as: 'auditor',
      route: 'GET /audit/eid-adoption',
      reached: page,
    },
    {
      name: 'me-access',
      method: 'GET',
      url: '/me/access?ver=fallidos&antes=abc',
      params: ['ver', 'antes'],
      as: 'auditor',
      route: 'GET /me/access',
      reached: page,
    },
    {
      name: 'step-up',
      method: 'GET',
      url: '/login/step-up?next=%2Fadmin%2Fusers',
      params: ['next'],
      as: 'admin',
      route: 'GET /login/step-up',
      reached: page,
    },
  ];
}

/** The sqlmap run in progress, and whether Ctrl-C or a SIGTERM asked the run to stop. */
let running: ReturnType<typeof spawn> | null = null;
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    // Stop sqlmap and fall through to the clean-up (scratch database, Redis keys, files).
    interrupted = true;
    running?.kill('SIGKILL');
  });

/** Answers of the app by path and status, counted outside the app (what sqlmap really reached). */
const answers = new Map<string, Map<number, number>>();

function runSqlmap(target: Target, base: string, cookie: string | null, outDir: string) {
  const args = [
    '-u',
    `${base}${target.url}`,
    '--batch',
    `--level=${LEVEL}`,
    `--risk=${RISK}`,
    '--dbms=PostgreSQL',
    `-p`,
    target.params.join(','),
    '--flush-session',
    '--disable-coloring',
    `--output-dir=${outDir}`,
    '--ignore-code=401',
    '--timeout=10',
    '--retries=1',
    '--keep-alive',
  ];
  if (target.data) args.push(`--data=${target.data}`);
  // sqlmap fetches the token page with the target's method and data unless told otherwise.
  if (target.method === 'POST')
    args.push('--csrf-token=_csrf', `--csrf-url=${base}/login?token`, '--csrf-method=GET');
  if (cookie) args.push(`--cookie=${cookie}`);
  // Four at a time where sqlmap allows it (it fetches CSRF tokens one request at a time).
  if (target.method === 'GET') args.push(`--threads=${THREADS}`);
  return new Promise<{ output: string; code: number | null; ms: number }>((resolve, reject) => {
    const started = Date.now();
    const child = spawn(SQLMAP, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    running = child;
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), TARGET_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      running = null;
      resolve({ output, code, ms: Date.now() - started });
    });
  });
}

interface Outcome {
  target: Target;
  report: SqlmapReport;
  requests: number;
  reached: number;
  ms: number;
  problems: string[];
}

async function check(target: Target, base: string, cookie: string | null, outDir: string) {
  const before = new Map(answers.get(target.route) ?? []);
  const { output, code, ms } = await runSqlmap(target, base, cookie, outDir);
  const after = answers.get(target.route) ?? new Map<number, number>();
  let requests = 0;
  let reached = 0;
  const statuses: Record<number, number> = {};
  for (const [status, n] of after) {
    const delta = n - (before.get(status) ?? 0);
    if (!delta) continue;
    statuses[status] = delta;
    requests += delta;
    if (target.reached(status)) reached += delta;
  }
  const report = parseSqlmapOutput(output);
  const problems: string[] = [];
  if (code !== 0) problems.push(`sqlmap exited with ${code}`);
  if (report.findings.length) problems.push(...report.findings.map((f) => `finding: ${f}`));
  if (report.blockers.length) problems.push(...report.blockers.map((b) => `blocker: ${b}`));
  const untested = target.params.filter((p) => !report.clean.some((c) => c.endsWith(` ${p}`)));
  if (untested.length) problems.push(`not reported clean: ${untested.join(', ')}`);
  // Most answers must come from the route itself, not from a refusal in front of it.
  if (requests < 20 * target.params.length || reached < 0.9 * requests)
    problems.push(`requests did not reach the route: ${JSON.stringify(statuses)}`);
  const errors = Object.entries(statuses).filter(([s]) => Number(s) >= 500);
  if (errors.length) problems.push(`server errors: ${JSON.stringify(Object.fromEntries(errors))}`);
  if (problems.length) console.log(output.split('\n').slice(-40).join('\n'));
  return { target, report, requests, reached, ms, problems } satisfies Outcome;
}

async function main(): Promise<number> {
  const runId = randomBytes(4).toString('hex');
  const dbName = `his_acceso_sqlmap_${runId}`;
  const dbUrl = databaseUrl(dbName, PG_ADMIN_URL);
  const config = loadConfig({
    NODE_ENV: 'development',
    DATABASE_URL: dbUrl,
    REDIS_URL,
    REDIS_KEY_PREFIX: `sqlmap:${runId}:`,
    COOKIE_SECURE: 'false',
    LOG_LEVEL: 'silent',
    // sqlmap sends thousands of wrong passwords from one address: the per-IP and per-account
    // limits would answer 429 and hide the login form from it (the pair lock stays as shipped).
    LOGIN_MAX_FAILURES_PER_IP: '1000000',
    LOGIN_MAX_FAILURES_PER_ACCOUNT: '100000',
  });
  const logger = createLogger('silent');
  const sequelize = createSequelize(config.database);
  const redis = createRedisClient(config.redis.url, logger);
  const outDir = mkdtempSync(path.join(tmpdir(), 'his-sqlmap-'));
  let server: Server | undefined;
  const started = Date.now();
  await adminQuery(`CREATE DATABASE ${dbName}`, PG_ADMIN_URL);
  try {
    await createMigrator(sequelize).up();
    await redis.connect();
    const repos = createRepositories(sequelize);
    const world = await seedSqlmapWorld(repos);
    const { app } = standaloneApp({ config, logger, sequelize, redis });
    server = createServer((req, res) => {
      const route = `${req.method} ${new URL(req.url ?? '/', 'http://127.0.0.1').pathname}`;
      res.on('finish', () => {
        const byStatus = answers.get(route) ?? new Map<number, number>();
        byStatus.set(res.statusCode, (byStatus.get(res.statusCode) ?? 0) + 1);
        answers.set(route, byStatus);
      });
      app(req, res);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await world.makeHistory(base);
    const cookies = {
      admin: await signIn(base, world.admin),
      auditor: await signIn(base, world.auditor),
    };

    const only = process.env.SQLMAP_ONLY;
    const outcomes: Outcome[] = [];
    for (const target of targets(world).filter((t) => !only || t.name === only)) {
      if (interrupted) break;
      const outcome = await check(target, base, target.as && cookies[target.as], outDir);
      outcomes.push(outcome);
      console.log(
        `${target.name}: ${outcome.report.clean.length}/${target.params.length} parameters clean, ` +
          `${outcome.requests} requests (${outcome.reached} reached the route), ` +
          `${(outcome.ms / 1000).toFixed(0)} s, ${outcome.report.findings.length} findings` +
          (outcome.problems.length ? `\n  ${outcome.problems.join('\n  ')}` : ''),
      );
    }
    const params = outcomes.reduce((n, o) => n + o.report.clean.length, 0);
    const requests = outcomes.reduce((n, o) => n + o.requests, 0);
    const failed = outcomes.filter((o) => o.problems.length);
    console.log(
      `sqlmap ${LEVEL}/${RISK}: ${outcomes.length} targets, ${params} parameters, ${requests} requests, ` +
        `${((Date.now() - started) / 1000).toFixed(0)} s in all; ` +
        (failed.length ? `FAILED: ${failed.map((o) => o.target.name).join(', ')}` : 'no finding'),
    );
    return failed.length || !outcomes.length || interrupted ? 1 : 0;
  } finally {
    server?.closeAllConnections();
    server?.close();
    await Promise.allSettled([sequelize.close(), redis.isOpen ? redis.quit() : undefined]);
    await adminQuery(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`, PG_ADMIN_URL);
    await deleteRedisKeys(config.redis.keyPrefix, REDIS_URL);
    rmSync(outDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);

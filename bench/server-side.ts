/**
 * The server side (`login.ts --serve`): it owns the scratch world, i.e. the database
 * `his_acceso_bench_<id>` and the Redis prefix `bench:<id>:`, serves the real app on 127.0.0.1,
 * answers audit queries, and removes everything when told to stop or when the load side
 * disappears (Ctrl-C, a kill), so nothing is left over.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { QueryTypes } from 'sequelize';
import { standaloneApp } from '../test/support/standalone-app';
import { loadConfig } from '../src/config';
import { createSequelize } from '../src/db/sequelize';
import { createRedisClient } from '../src/redis/client';
import { createLogger } from '../src/shared/logger';
import { isAuditQuery, type Audit, type AuditQuery, type Ready } from './protocol';
import { seed } from './seed';
import { adminQuery, deleteRedisKeys } from '../test/support/services';
import { installProbes } from './probes';
import { databaseUrl, PASSWORD, PG_ADMIN_URL, positiveInt, REDIS_URL } from './settings';

/** The audit rows of one pool after `since`, by reason (see {@link AuditQuery}). */
async function audit(
  sequelize: ReturnType<typeof createSequelize>,
  { prefix, since }: AuditQuery,
): Promise<Audit> {
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
}

/** The scratch database and Redis prefix, the seeded users, and the real app listening. */
export async function serve(
  runId: string,
  userCount: number,
  seconds: number,
  connections: number,
  /** More settings for the app (bench/ratios.ts points the e-ID at its sandbox). */
  appEnv: Record<string, string> = {},
): Promise<void> {
  // The id becomes part of SQL and key names: only what main() generates is accepted.
  if (!/^[0-9a-f]{8}$/.test(runId)) throw new Error(`BENCH_RUN_ID=${runId}: not a bench run id`);
  const dbName = `his_acceso_bench_${runId}`;
  const dbUrl = databaseUrl(dbName);
  const config = loadConfig({
    NODE_ENV: 'development',
    DATABASE_URL: dbUrl,
    REDIS_URL,
    REDIS_KEY_PREFIX: `bench:${runId}:`,
    SESSION_SECRET: randomBytes(32).toString('hex'),
    COOKIE_SECURE: 'false',
    LOG_LEVEL: 'silent',
    ...appEnv,
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
      await adminQuery(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`, PG_ADMIN_URL);
      await deleteRedisKeys(config.redis.keyPrefix, REDIS_URL);
    })().finally(() => process.exit(code)));
  process.on('message', (msg: unknown) => {
    if (msg === 'stop') void stop(0);
    else if (isAuditQuery(msg)) {
      const reply = (answer: Audit) => process.connected && process.send!(answer);
      audit(sequelize, msg).then(reply, (err: unknown) =>
        reply({ kind: 'audit', lastId: 0, reasons: {}, error: String(err) }),
      );
    }
  });
  process.on('disconnect', () => void stop(0)); // the load side is gone: clean up and go
  let queries = 0;
  // The SQL statements sent, for the probes; BENCH_LOG_SQL=1 prints them on stderr.
  sequelize.addHook('beforeQuery', () => void (queries += 1));
  if (process.env.BENCH_LOG_SQL)
    (sequelize as unknown as { options: { logging: unknown } }).options.logging = (sql: string) =>
      console.error(sql);
  // Event-loop delay, CPU time, SQL statements and the argon2id rate, when the load side asks.
  installProbes(PASSWORD, 'ours', () => queries);
  // Ctrl-C reaches the whole process group; this side stops only through the two events above.
  process.on('SIGINT', () => undefined);

  try {
    await adminQuery(`CREATE DATABASE ${dbName}`, PG_ADMIN_URL);
    const { maxFailures } = config.lockout;
    const seeded = await seed(sequelize, maxFailures, { userCount, seconds, connections });
    await redis.connect();
    const { app } = standaloneApp({ config, logger, sequelize, redis });
    // Express caches compiled views only when NODE_ENV=production; production does, so we do.
    app.enable('view cache');
    server = app.listen(0, '127.0.0.1', () => {
      const ready: Ready = {
        port: (server!.address() as AddressInfo).port,
        usernames: seeded.usernames,
        establishmentId: seeded.establishmentId,
        maxFailures,
        pools: seeded.pools,
      };
      process.send!(ready);
    });
  } catch (err) {
    console.error(err);
    await stop(1);
  }
}

/**
 * The end of a bench file that is both sides: with `--serve` (the forked child), `serve()` with
 * the run the load side put in the environment, `seconds` the fallback of BENCH_SECONDS and
 * `appEnv()` more app settings; otherwise the load side, `main`.
 */
export function benchEntry(
  main: () => Promise<void>,
  seconds: number,
  appEnv: () => Record<string, string>,
): void {
  if (process.argv.includes('--serve')) {
    serve(
      process.env.BENCH_RUN_ID ?? '',
      positiveInt('BENCH_USERS', 20),
      positiveInt('BENCH_SECONDS', seconds),
      positiveInt('BENCH_CONNECTIONS', 10),
      appEnv(),
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
}

import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RedisClientType } from 'redis';
import { createRedisClient } from '../../src/redis/client';
import type { Sequelize } from 'sequelize';
import { loadConfig, type Config } from '../../src/config';
import { createReadSequelize, createSequelize } from '../../src/db/sequelize';
import { createExportPool } from '../../src/db/export-pool';
import { createApp, type AppDeps } from '../../src/app';
import { createRepositories, type Repositories } from '../../src/storage/repositories';
import { createLogger, type Logger } from '../../src/shared/logger';
import { ManualClock } from '../../src/shared/clock';
import type { EidStatus } from '../../src/domain/authentication/eid-policy';
import { createEidProvider } from '../../src/eid';
import { createEidMonitor, type EidMonitor } from '../../src/eid/monitor';
import { auditEidStateChange } from '../../src/domain/authentication/eid-state-audit';

export interface TestApp {
  app: ReturnType<typeof createApp>['app'];
  /** What INTERNAL_PORT serves (src/main.ts listens on it): /metrics and /readyz details. */
  internalApp: ReturnType<typeof createApp>['internalApp'];
  sessionIndex: ReturnType<typeof createApp>['sessionIndex'];
  /** The app's durable audit spool (on its own temporary AUDIT_SPOOL_DIR unless `env` says). */
  auditSpool: ReturnType<typeof createApp>['auditSpool'];
  /** The modules' back-channel logouts: the queued ones sent, the retries under way awaited. */
  moduleLogouts: ReturnType<typeof createApp>['moduleLogouts'];
  config: Config;
  clock: ManualClock;
  sequelize: Sequelize;
  /** The audit reads' connection: DATABASE_READ_URL's pool when the test sets it, else `sequelize`. */
  readSequelize: Sequelize;
  repos: Repositories;
  identities: ReturnType<typeof createApp>['identities'];
  redis: RedisClientType;
  close(): Promise<void>;
}

/**
 * The real app on the run's own PostgreSQL database and Redis prefix, with a manual clock.
 * `env` overrides configuration variables for one test file.
 */
export async function buildTestApp(
  env: Record<string, string> = {},
  options: {
    eidStatus?: EidStatus;
    /** Builds the e-ID status from the app's own deps (the real monitor on this Redis prefix). */
    eidMonitor?: (deps: {
      config: Config;
      clock: ManualClock;
      redis: RedisClientType;
      repos: Repositories;
      logger: Logger;
    }) => AppDeps['eidStatus'];
    start?: string;
    logger?: Logger;
    /** Repositories to use instead of the real ones (fault injection: a failing audit write). */
    repos?: (sequelize: Sequelize) => Repositories;
    /** The login form's hash check (a spy that counts verifications). */
    verifyPassword?: AppDeps['verifyPassword'];
    /** How a back-channel logout waits before a retry (the test resolves it). */
    logoutRetryWait?: AppDeps['logoutRetryWait'];
  } = {},
): Promise<TestApp> {
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: process.env.TEST_DATABASE_URL,
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_KEY_PREFIX: `${process.env.TEST_REDIS_PREFIX ?? 'test:'}${Math.random().toString(36).slice(2, 8)}:`,
    LOG_LEVEL: 'silent',
    // Each app its own spool (created only if something is spooled): never another run's files.
    AUDIT_SPOOL_DIR: path.join(tmpdir(), 'his-audit-spool', randomUUID()),
    ...env,
  });
  const clock = new ManualClock(options.start ?? '2026-11-20T12:00:00Z');
  const sequelize = createSequelize(config.database);
  const replica = createReadSequelize(config.database, sequelize);
  const logger = options.logger ?? createLogger('silent');
  // The production client (fail-fast, reconnecting), so outages behave here as they do there.
  const redis = createRedisClient(config.redis.url, logger);
  await redis.connect();
  const repos = options.repos ? options.repos(sequelize) : createRepositories(sequelize);
  const exportPool = createExportPool(
    config.database.readUrl ?? config.database.url,
    () => undefined,
  );
  const readSequelize = replica;
  const { app, internalApp, sessionIndex, identities, auditSpool, moduleLogouts } = createApp({
    config,
    clock,
    logger,
    sequelize,
    readSequelize: replica,
    exportPool,
    repos,
    redis,
    eidStatus: options.eidMonitor?.({ config, clock, redis, repos, logger }) ?? options.eidStatus,
    verifyPassword: options.verifyPassword,
    logoutRetryWait: options.logoutRetryWait,
  });
  return {
    app,
    moduleLogouts,
    internalApp,
    sessionIndex,
    identities,
    repos,
    config,
    clock,
    sequelize,
    readSequelize,
    redis,
    auditSpool,
    async close() {
      await auditSpool.stop();
      if (redis.isReady) await redis.quit();
      else if (redis.isOpen) redis.destroy();
      await sequelize.close();
      if (readSequelize !== sequelize) await readSequelize.close();
      await exportPool.end();
    },
  };
}

/**
 * A {@link buildTestApp} `eidMonitor` option: the real e-ID monitor on the app's own deps (its
 * provider, Redis prefix, clock and audit), handed to `use` so the test can drive it.
 */
export function realEidMonitor(
  use: (monitor: EidMonitor) => void,
): NonNullable<Parameters<typeof buildTestApp>[1]>['eidMonitor'] {
  return ({ config, clock, redis, repos, logger }) => {
    const monitor = createEidMonitor({
      provider: createEidProvider(config),
      redis,
      keyPrefix: config.redis.keyPrefix,
      clock,
      logger,
      eid: config.eid,
      audit: auditEidStateChange(repos),
    });
    use(monitor);
    return monitor;
  };
}

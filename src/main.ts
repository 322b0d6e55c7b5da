import { setTimeout as sleep } from 'node:timers/promises';
import type { Sequelize } from 'sequelize';
import type { RedisClientType } from 'redis';
import { loadConfig, ConfigError, type Config } from './config';
import { createCheckpointWriter } from './domain/audit/checkpoint-writer';
import { recordExpiries } from './domain/users/expiry';
import { disableInactiveAccounts } from './domain/users/inactivity';
import { closeDueReview } from './domain/reviews/due';
import { isoDateInZone } from './shared/time';
import { createAuditTrailStore } from './storage/audit/trail-store';
import { createLogger } from './shared/logger';
import { systemClock } from './shared/clock';
import { createReadSequelize, createSequelize } from './db/sequelize';
import { createExportPool } from './db/export-pool';
import { createRedisClient } from './redis/client';
import { createApp } from './app';
import { createRepositories } from './storage/repositories';
import { createEidProvider } from './eid';
import { createEidMonitor } from './eid/monitor';
import { auditEidStateChange } from './domain/authentication/eid-state-audit';
import { createAuditSpool } from './domain/audit/spool';

/** The internal listener's address: never reachable from the network. */
const INTERNAL_HOST = '127.0.0.1';

/** How often events waiting in the audit spool are offered to PostgreSQL again. */
const AUDIT_SPOOL_DRAIN_INTERVAL_MS = 5000;

/** How often back-channel logouts queued where no provider ran (the CLI) are sent to the modules. */
const MODULE_LOGOUT_QUEUE_INTERVAL_MS = 5000;

/** How long a stopping instance waits for back-channel logouts still being retried. */
const SHUTDOWN_LOGOUT_WAIT_MS = 5000;

/** How often the expiries of sessions nobody came back to are audited (src/web/session/timeouts.ts). */
const SESSION_SWEEP_INTERVAL_MS = 60_000;

/** Composition root: configuration → PostgreSQL → Redis → app → listen, and graceful shutdown. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const sequelize = createSequelize(config.database);
  await sequelize.authenticate();
  // Not authenticated at boot: a replica that is down breaks the audit screens, not logins.
  const readSequelize = createReadSequelize(config.database, sequelize);
  // The exports' own small pool, on the replica when there is one; it connects at the first export.
  const exportPool = createExportPool(config.database.readUrl ?? config.database.url, (err) =>
    logger.warn({ err }, 'idle export connection lost'),
  );
  const redis = createRedisClient(config.redis.url, logger, config.redis.sentinel);
  await redis.connect();

  const repos = createRepositories(sequelize);
  const eidProvider = createEidProvider(config);
  // Created here, not by createApp, so the e-ID monitor's audit can use it from its first change.
  const auditSpool = createAuditSpool({ dir: config.audit.spoolDir, sequelize, logger });
  const eidStatus = createEidMonitor({
    provider: eidProvider,
    redis,
    keyPrefix: config.redis.keyPrefix,
    clock: systemClock,
    logger,
    eid: config.eid,
    audit: auditEidStateChange(repos, auditSpool),
  });
  eidStatus.start();
  const { app, internalApp, sessionTimeouts, platform, moduleLogouts } = createApp({
    config,
    clock: systemClock,
    logger,
    sequelize,
    readSequelize,
    exportPool,
    repos,
    redis,
    eidProvider,
    eidStatus,
    auditSpool,
  });
  // The agreement version in force, from PostgreSQL: a Redis restored from an older copy, or a
  // publish whose Redis write was lost, cannot let anyone skip the version in force.
  await platform.agreementVersion.sync();
  const server = app.listen(config.port, () => {
    logger.info({ port: config.port, baseUrl: config.baseUrl }, 'HIS Acceso listening');
  });
  server.headersTimeout = 15_000;
  server.requestTimeout = 30_000;
  // Audit events spooled while PostgreSQL was unavailable (by this or an earlier process).
  auditSpool.start(AUDIT_SPOOL_DRAIN_INTERVAL_MS);
  const checkpoints = startCheckpoints(config, sequelize, redis, logger);
  const sessionSweep = setInterval(() => {
    sessionTimeouts.sweep().catch((err: unknown) => {
      logger.warn({ err }, 'session expiry sweep failed');
    });
  }, SESSION_SWEEP_INTERVAL_MS).unref();
  // Accounts without a login for months, once a day across all instances (a Redis lock per day).
  const inactivity = setInterval(() => {
    disableInactiveOnceToday(platform, redis, config).catch((err: unknown) => {
      logger.warn({ err }, 'inactive accounts not disabled');
    });
    closeDueReviewOnceToday(platform, redis, config).catch((err: unknown) => {
      logger.warn({ err }, 'access review past its last day not closed');
    });
  }, INACTIVITY_CHECK_INTERVAL_MS).unref();
  // Sessions the CLI ended (or an instance without its provider built yet): their modules told.
  const queuedLogouts = setInterval(() => {
    moduleLogouts.deliver().catch((err: unknown) => {
      logger.warn({ err }, 'queued back-channel logouts not sent');
    });
  }, MODULE_LOGOUT_QUEUE_INTERVAL_MS).unref();
  // Temporary accounts and assignments whose last day has passed: audited once, sessions ended.
  const expiries = setInterval(() => {
    recordExpiries(platform).catch((err: unknown) => {
      logger.warn({ err }, 'expiry of temporary accounts not recorded');
    });
  }, SESSION_SWEEP_INTERVAL_MS).unref();
  // /metrics and /readyz details without a token, on loopback only: for a Prometheus or agent on
  // the same host. A remote Prometheus scrapes the app port with METRICS_TOKEN instead.
  const internalPort = config.observability.internalPort;
  const internal = internalPort
    ? internalApp.listen(internalPort, INTERNAL_HOST, () => {
        logger.info(
          { port: internalPort, host: INTERNAL_HOST },
          'internal observability listening',
        );
      })
    : null;

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000).unref();
    eidStatus.stop();
    clearInterval(sessionSweep);
    clearInterval(expiries);
    clearInterval(inactivity);
    clearInterval(queuedLogouts);
    if (checkpoints) clearInterval(checkpoints);
    internal?.close();
    server.close(async () => {
      // Back-channel logouts being retried get a few more seconds (their schedule runs 36 s).
      await Promise.race([
        moduleLogouts.settled(),
        sleep(SHUTDOWN_LOGOUT_WAIT_MS, undefined, { ref: false }),
      ]);
      await auditSpool.stop();
      const pools = readSequelize === sequelize ? [sequelize] : [sequelize, readSequelize];
      await Promise.allSettled([
        ...pools.map((pool) => pool.close()),
        exportPool.end(),
        redis.quit(),
      ]);
      clearTimeout(force);
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

/** How often each instance asks whether today's inactivity run is still to be done. */
const INACTIVITY_CHECK_INTERVAL_MS = 60 * 60_000;

/**
 * Today's run of the inactivity rule (ACCOUNT_INACTIVE_DISABLE_AFTER_DAYS), by whichever
 * instance takes today's lock first; nothing when the rule is off.
 */
async function disableInactiveOnceToday(
  platform: ReturnType<typeof createApp>['platform'],
  redis: RedisClientType,
  config: Config,
): Promise<void> {
  const days = config.inactivity.accountDisableAfterDays;
  if (days <= 0) return;
  const today = isoDateInZone(platform.clock.now());
  const key = `${config.redis.keyPrefix}job:disable-inactive:${today}`;
  if ((await redis.set(key, '1', { NX: true, EX: 2 * 86_400 })) !== 'OK') return;
  await disableInactiveAccounts({ ...platform, days });
}

/**
 * Closes the access review whose last day has passed (the unreviewed listed and, if the review
 * says so, suspended), by whichever instance takes today's lock first.
 */
async function closeDueReviewOnceToday(
  platform: ReturnType<typeof createApp>['platform'],
  redis: RedisClientType,
  config: Config,
): Promise<void> {
  const today = isoDateInZone(platform.clock.now());
  const key = `${config.redis.keyPrefix}job:close-review:${today}`;
  if ((await redis.set(key, '1', { NX: true, EX: 2 * 86_400 })) !== 'OK') return;
  await closeDueReview(platform);
}

/**
 * Signed checkpoints of the audit chains every AUDIT_CHECKPOINT_INTERVAL_IN_MINUTES, one instance
 * writing per interval; without a key, a warning (production should have one).
 */
function startCheckpoints(
  config: Config,
  sequelize: Sequelize,
  redis: RedisClientType,
  logger: ReturnType<typeof createLogger>,
): NodeJS.Timeout | null {
  const { key, dir, intervalInMinutes } = config.audit.checkpoints;
  if (!key) {
    if (config.env === 'production')
      logger.warn('AUDIT_CHECKPOINT_KEY unset: the audit chains have no signed checkpoints');
    return null;
  }
  const writer = createCheckpointWriter({
    store: createAuditTrailStore(sequelize),
    dir,
    key,
    redis,
    keyPrefix: config.redis.keyPrefix,
    clock: systemClock,
    logger,
    intervalInMinutes,
  });
  const tick = () =>
    writer.tick().catch((err: unknown) => logger.warn({ err }, 'audit checkpoint not written'));
  return setInterval(tick, intervalInMinutes * 60_000).unref();
}

main().catch((err: unknown) => {
  console.error(`HIS Acceso could not start: ${(err as Error).message}`);
  process.exit(1);
});

import { loadConfig, ConfigError } from './config';
import { createLogger } from './shared/logger';
import { systemClock } from './shared/clock';
import { createReadSequelize, createSequelize } from './db/sequelize';
import { createRedisClient } from './redis/client';
import { createApp } from './app';
import { createRepositories } from './repositories';
import { createEidProvider } from './auth/eid';
import { createEidMonitor } from './auth/eid/monitor';

/** How often the expiries of sessions nobody came back to are audited (src/sessions/timeouts.ts). */
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
  const redis = createRedisClient(config.redis.url, logger, config.redis.sentinel);
  await redis.connect();

  const eidProvider = createEidProvider(config);
  const eidStatus = createEidMonitor(eidProvider, logger);
  eidStatus.start();
  const { app, sessionTimeouts } = createApp({
    config,
    clock: systemClock,
    logger,
    sequelize,
    readSequelize,
    repos: createRepositories(sequelize),
    redis,
    eidProvider,
    eidStatus,
  });
  const server = app.listen(config.port, () => {
    logger.info({ port: config.port, baseUrl: config.baseUrl }, 'HIS Acceso listening');
  });
  server.headersTimeout = 15_000;
  server.requestTimeout = 30_000;
  const sessionSweep = setInterval(() => {
    sessionTimeouts.sweep().catch((err: unknown) => {
      logger.warn({ err }, 'session expiry sweep failed');
    });
  }, SESSION_SWEEP_INTERVAL_MS).unref();

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000).unref();
    eidStatus.stop();
    clearInterval(sessionSweep);
    server.close(async () => {
      const pools = readSequelize === sequelize ? [sequelize] : [sequelize, readSequelize];
      await Promise.allSettled([...pools.map((pool) => pool.close()), redis.quit()]);
      clearTimeout(force);
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(`HIS Acceso could not start: ${(err as Error).message}`);
  process.exit(1);
});

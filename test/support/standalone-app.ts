import type { Sequelize } from 'sequelize';
import type { RedisClientType } from 'redis';
import { createApp } from '../../src/app';
import type { Config } from '../../src/config';
import { createExportPool } from '../../src/db/export-pool';
import { systemClock } from '../../src/shared/clock';
import type { Logger } from '../../src/shared/logger';
import { createRepositories } from '../../src/storage/repositories';

/**
 * The real app on connections a tool opened itself (the benchmark's server side, the sqlmap
 * target), with the system clock: what main.ts builds, without listening.
 */
export function standaloneApp(c: {
  config: Config;
  logger: Logger;
  sequelize: Sequelize;
  redis: RedisClientType;
}) {
  return createApp({
    ...c,
    clock: systemClock,
    exportPool: createExportPool(c.config.database.url, () => undefined),
    repos: createRepositories(c.sequelize),
  });
}

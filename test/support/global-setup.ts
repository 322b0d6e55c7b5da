import { randomBytes } from 'node:crypto';
import { assertServicesReachable, adminQuery, TEST_PG_ADMIN_URL } from './services';
import { createSequelize } from '../../src/db/sequelize';
import { createMigrator } from '../../src/db/migrator';

/**
 * Once per test run: checks the services, creates a fresh database and migrates it, and picks a
 * Redis key prefix of its own. Workers inherit the names through the environment.
 */
export default async function globalSetup(): Promise<void> {
  await assertServicesReachable();
  const runId = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const dbName = `his_acceso_test_${runId}`;
  await adminQuery(`CREATE DATABASE ${dbName}`);
  const url = new URL(TEST_PG_ADMIN_URL);
  url.pathname = `/${dbName}`;
  process.env.TEST_DATABASE_URL = url.toString();
  process.env.TEST_DATABASE_NAME = dbName;
  process.env.TEST_REDIS_PREFIX = `test:${runId}:`;
  const sequelize = createSequelize({
    url: url.toString(),
    poolMax: 2,
    statementTimeoutInMs: 30000,
  });
  try {
    await createMigrator(sequelize).up();
  } finally {
    await sequelize.close();
  }
}

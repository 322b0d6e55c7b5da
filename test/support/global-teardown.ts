import { adminQuery, deleteRedisKeys } from './services';

/** Drops the run's database and deletes its Redis keys. */
export default async function globalTeardown(): Promise<void> {
  const dbName = process.env.TEST_DATABASE_NAME;
  if (dbName && /^his_acceso_test_\w+$/.test(dbName) && !process.env.KEEP_TEST_DATABASE) {
    await adminQuery(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  }
  const prefix = process.env.TEST_REDIS_PREFIX;
  if (prefix) await deleteRedisKeys(prefix);
}

import { Client } from 'pg';
import { createClient } from 'redis';
import { checkRedis, connectPostgresAdmin } from '../../scripts/local-services';

/** Where the test run finds PostgreSQL (an admin connection) and Redis. */
export const TEST_PG_ADMIN_URL =
  process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Fails with the exact thing to install or start when a service does not answer. */
export async function assertServicesReachable(): Promise<void> {
  await (await connectPostgresAdmin(TEST_PG_ADMIN_URL, 'TEST_PG_ADMIN_URL')).end();
  await checkRedis(TEST_REDIS_URL, 'TEST_REDIS_URL');
}

/** Runs one statement (CREATE/DROP DATABASE) on an admin connection. */
export async function adminQuery(sql: string, adminUrl = TEST_PG_ADMIN_URL): Promise<void> {
  const pg = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  await pg.connect();
  try {
    await pg.query(sql);
  } finally {
    await pg.end();
  }
}

/** Deletes every Redis key under `prefix` (a test run's or a benchmark's own). */
export async function deleteRedisKeys(prefix: string, url = TEST_REDIS_URL): Promise<void> {
  const redis = createClient({ url });
  await redis.connect();
  for await (const keys of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
    if (keys.length) await redis.del(keys);
  }
  await redis.quit();
}

import { Client } from 'pg';
import { createClient } from 'redis';

/** Where the test run finds PostgreSQL (an admin connection) and Redis. */
export const TEST_PG_ADMIN_URL =
  process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Fails with the exact thing to install or start when a service does not answer. */
export async function assertServicesReachable(): Promise<void> {
  const pg = new Client({ connectionString: TEST_PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await pg.connect();
  } catch (err) {
    throw new Error(
      `PostgreSQL does not answer at ${TEST_PG_ADMIN_URL} (${(err as Error).message}). ` +
        'Install and start it: apt-get install -y postgresql && pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start ' +
        '(or run bash .ci/run, which does both).',
    );
  } finally {
    await pg.end().catch(() => undefined);
  }
  const redis = createClient({
    url: TEST_REDIS_URL,
    socket: { connectTimeout: 3000, reconnectStrategy: false },
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new Error(
      `Redis does not answer at ${TEST_REDIS_URL} (${(err as Error).message}). ` +
        'Install and start it: apt-get install -y redis-server && redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" ' +
        '(or run bash .ci/run, which does both).',
    );
  } finally {
    await redis.quit().catch(() => undefined);
  }
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

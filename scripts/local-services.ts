/**
 * Whether the local PostgreSQL and Redis answer, for `npm run dev` and the test run. A missing
 * service is a {@link ServiceMissing} whose lines say exactly what to install and start.
 */
import { Client } from 'pg';
import { createClient } from 'redis';

export class ServiceMissing extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
  }
}

/**
 * Connects to PostgreSQL through the `postgres` database of `databaseUrl`'s server and returns
 * the open admin connection (the caller ends it).
 */
export async function connectPostgresAdmin(
  databaseUrl: string,
  variable = 'DATABASE_URL',
): Promise<Client> {
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return client;
  } catch (err) {
    await client.end().catch(() => undefined);
    throw new ServiceMissing([
      `PostgreSQL does not answer at ${admin.host} (${(err as Error).message}).`,
      'Install and start it (Debian):',
      '  sudo apt-get install -y postgresql',
      '  sudo pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
      `Or point ${variable} at a server you have; bash .ci/run installs and starts everything.`,
    ]);
  }
}

/** Pings Redis at `url` (read from the environment variable `variable`). */
export async function checkRedis(url: string, variable = 'REDIS_URL'): Promise<void> {
  const client = createClient({ url, socket: { connectTimeout: 3000, reconnectStrategy: false } });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    throw new ServiceMissing([
      `Redis does not answer at ${url} (${(err as Error).message}).`,
      'Install and start it (Debian):',
      '  sudo apt-get install -y redis-server',
      '  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save ""',
      `Or point ${variable} at a server you have; bash .ci/run installs and starts everything.`,
    ]);
  } finally {
    if (client.isOpen) await client.quit().catch(() => undefined);
  }
}

/**
 * `npm run dev`: checks PostgreSQL and Redis (saying exactly what to install or start when they
 * are missing), creates and migrates the development database, loads the demo data, starts the
 * e-ID sandbox and the app (reloading on change), and prints the demo accounts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Client } from 'pg';
import { createClient } from 'redis';
import { loadConfig } from '../src/config';
import { createSequelize } from '../src/db/sequelize';
import { createMigrator } from '../src/db/migrator';
import { seedDemo } from '../src/cli/seed-demo';
import { DEMO_PASSWORD, DEMO_USERS } from '../src/cli/demo-data';
import { SANDBOX_PASSWORD } from '../src/sandbox/citizens';
import { systemClock } from '../src/shared/clock';

const SANDBOX_PORT = Number(process.env.SANDBOX_PORT ?? 3100);
const env: Record<string, string | undefined> = {
  ...process.env,
  NODE_ENV: process.env.NODE_ENV ?? 'development',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
};

function fail(lines: string[]): never {
  console.error(['', ...lines, ''].join('\n'));
  process.exit(1);
}

async function ensurePostgres(databaseUrl: string): Promise<void> {
  const target = new URL(databaseUrl);
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
  } catch (err) {
    fail([
      `PostgreSQL does not answer at ${target.host} (${(err as Error).message}).`,
      'Install and start it (Debian), then run npm run dev again:',
      '  sudo apt-get install -y postgresql',
      '  sudo pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
      `Or point DATABASE_URL at a server you have (now: ${databaseUrl}).`,
    ]);
  }
  const name = target.pathname.slice(1);
  const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (exists.rowCount === 0) {
    await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
    console.log(`Created database ${name}.`);
  }
  await client.end();
}

async function ensureRedis(url: string): Promise<void> {
  const client = createClient({ url, socket: { connectTimeout: 3000, reconnectStrategy: false } });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    await client.quit();
  } catch (err) {
    fail([
      `Redis does not answer at ${url} (${(err as Error).message}).`,
      'Install and start it (Debian), then run npm run dev again:',
      '  sudo apt-get install -y redis-server',
      '  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save ""',
      'Or point REDIS_URL at a server you have.',
    ]);
  }
}

const tsx = require.resolve('tsx/cli');
const children: ChildProcess[] = [];

function start(name: string, args: string[], extraEnv: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [tsx, ...args], {
    env: { ...env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  child.on('exit', (code, signal) => {
    if (!stopping) fail([`${name} stopped (${signal ?? `exit code ${code}`}).`]);
  });
  return child;
}

let stopping = false;
function stopAll(): void {
  stopping = true;
  for (const child of children) if (child.pid && child.exitCode === null) child.kill('SIGTERM');
  setTimeout(() => process.exit(0), 3000).unref();
}
process.on('SIGINT', stopAll);
process.on('SIGTERM', stopAll);

async function main(): Promise<void> {
  const config = loadConfig(env);
  await ensurePostgres(config.database.url);
  await ensureRedis(config.redis.url);

  const sequelize = createSequelize(config.database);
  const applied = await createMigrator(sequelize).up();
  if (applied.length) console.log(`Applied migrations: ${applied.map((m) => m.name).join(', ')}`);
  await seedDemo(sequelize, systemClock);
  await sequelize.close();

  const sandbox = start('The e-ID sandbox', ['src/sandbox/main.ts'], {
    SANDBOX_PORT: String(SANDBOX_PORT),
    EID_CLIENT_ID: config.eid.clientId,
    EID_CLIENT_SECRET: config.eid.clientSecret,
    EID_REDIRECT_URI: config.eid.redirectUri,
    EID_POST_LOGOUT_REDIRECT_URI: `${config.baseUrl}/login`,
    ...(config.eid.protocol === 'mitic' ? { EID_ISSUER: config.eid.issuer } : {}),
  });
  await new Promise<void>((resolve) => {
    createInterface({ input: sandbox.stdout! }).on('line', (line) => {
      if (line.includes('"sandbox.listening"')) resolve();
      else console.log(`[sandbox] ${line}`);
    });
  });

  const app = start('HIS Acceso', ['watch', '--clear-screen=false', 'src/main.ts'], {});
  createInterface({ input: app.stdout! }).on('line', (line) => console.log(line));

  const rows = DEMO_USERS.map(
    (u) => `  ${u.username.padEnd(10)} ${u.document.padEnd(8)} ${u.role.padEnd(8)} ${u.shows}`,
  );
  console.log(
    [
      '',
      `HIS Acceso: ${config.baseUrl}   (e-ID protocol: ${config.eid.protocol}; EID_PROTOCOL=oidc npm run dev for OpenID Connect)`,
      `e-ID sandbox: http://localhost:${SANDBOX_PORT}`,
      '',
      `Demo accounts (HIS password: ${DEMO_PASSWORD}; e-ID sandbox password: ${SANDBOX_PASSWORD})`,
      '  usuario    cédula   rol      muestra',
      ...rows,
      '  (e-ID only, cédula 7890123: a citizen with no HIS account)',
      '',
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  fail([`npm run dev failed: ${(err as Error).message}`]);
});

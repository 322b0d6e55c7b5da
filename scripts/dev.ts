import { userInfo } from 'node:os';
/**
 * `npm run dev`: checks PostgreSQL and Redis (saying exactly what to install or start when they
 * are missing), creates and migrates the development database, loads the demo data, starts the
 * e-ID sandbox, the app (reloading on change) and the demo "Agenda" module (an OpenID Connect
 * client of the app's provider), and prints the demo accounts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { checkRedis, connectPostgresAdmin, ServiceMissing } from './local-services';
import { loadConfig } from '../src/config';
import { createSequelize } from '../src/db/sequelize';
import { createMigrator } from '../src/db/migrator';
import { seedDemo } from '../src/cli/seed-demo';
import { seedNational } from '../src/cli/seed-national';
import { cliActor } from '../src/cli/actor';
import { createRepositories } from '../src/storage/repositories';
import { DEMO_PASSWORD, DEMO_USERS } from '../src/cli/demo-data';
import { SANDBOX_PASSWORD } from '../src/sandbox/citizens';
import { systemClock } from '../src/shared/clock';
import { registerModule } from '../src/domain/modules/commands/register';
import { CLI_META } from '../src/cli/actor';
import { newSigningKey } from '../src/areas/oidc/provider';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const SANDBOX_PORT = Number(process.env.SANDBOX_PORT ?? 3100);
const AGENDA_PORT = Number(process.env.AGENDA_PORT ?? 3200);
const AGENDA_NAME = 'Agenda (demostración)';
/** The OpenID Provider's development key, kept across restarts (tokens survive a reload). */
const DEV_JWKS_FILE = path.join('var', 'dev-oidc-jwks.json');
const national = process.argv.includes('--national') || process.env.DEMO === 'national';
const env: Record<string, string | undefined> = {
  ...process.env,
  NODE_ENV: process.env.NODE_ENV ?? 'development',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
};

function fail(lines: string[]): never {
  console.error(['', ...lines, ''].join('\n'));
  process.exit(1);
}

/** Creates the development database when it is not there yet. */
async function ensureDatabase(databaseUrl: string): Promise<void> {
  const client = await connectPostgresAdmin(databaseUrl);
  const name = new URL(databaseUrl).pathname.slice(1);
  const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (exists.rowCount === 0) {
    await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
    console.log(`Created database ${name}.`);
  }
  await client.end();
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
  try {
    await ensureDatabase(config.database.url);
    await checkRedis(config.redis.url);
  } catch (err) {
    if (err instanceof ServiceMissing) fail([...err.lines, 'Then run npm run dev again.']);
    throw err;
  }

  const sequelize = createSequelize(config.database);
  const applied = await createMigrator(sequelize).up();
  if (applied.length) console.log(`Applied migrations: ${applied.map((m) => m.name).join(', ')}`);
  const repos = createRepositories(sequelize);
  const actor = cliActor(userInfo().username);
  await seedDemo({ repos, clock: systemClock }, actor);
  // `npm run dev -- --national`: the network at its real size, to judge the screens at scale.
  if (national) {
    console.log(
      'Loading the national demo network (18 regiones, 934 establishments, 8,000 people, a year of history)…',
    );
    const done = await seedNational({ repos, clock: systemClock, sequelize }, actor);
    console.log(
      done
        ? `National demo loaded in ${done.seconds} s: ${done.loginEvents} login events, ${done.adminEvents} administrative actions.`
        : 'National demo already loaded.',
    );
  }
  // The demo "Agenda" module, registered once with the OpenID Provider.
  const agendaUrl = `http://localhost:${AGENDA_PORT}`;
  const agenda: { clientId: string; clientSecret: string } =
    (await repos.oidcClients.list()).find((c) => c.name === AGENDA_NAME) ??
    (await registerModule({ repos, clock: systemClock })(
      actor,
      {
        name: AGENDA_NAME,
        redirectUris: [`${agendaUrl}/callback`],
        postLogoutRedirectUris: [`${agendaUrl}/salio`],
        backchannelLogoutUri: `${agendaUrl}/backchannel`,
      },
      CLI_META,
    ));
  await sequelize.close();
  if (!env.OIDC_PROVIDER_JWKS && !env.OIDC_PROVIDER_JWKS_FILE && !existsSync(DEV_JWKS_FILE)) {
    mkdirSync(path.dirname(DEV_JWKS_FILE), { recursive: true });
    writeFileSync(DEV_JWKS_FILE, JSON.stringify({ keys: [await newSigningKey()] }), {
      mode: 0o600,
    });
  }

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

  const app = start('HIS Acceso', ['watch', '--clear-screen=false', 'src/main.ts'], {
    AGENDA_URL: agendaUrl,
    ...(env.OIDC_PROVIDER_JWKS || env.OIDC_PROVIDER_JWKS_FILE
      ? {}
      : { OIDC_PROVIDER_JWKS_FILE: DEV_JWKS_FILE }),
  });
  createInterface({ input: app.stdout! }).on('line', (line) => console.log(line));
  const agendaProcess = start('The demo Agenda module', ['src/sandbox/agenda-main.ts'], {
    AGENDA_PORT: String(AGENDA_PORT),
    AGENDA_ISSUER: `${config.baseUrl}/oidc`,
    AGENDA_CLIENT_ID: agenda.clientId,
    AGENDA_CLIENT_SECRET: agenda.clientSecret,
  });
  createInterface({ input: agendaProcess.stdout! }).on('line', (line) => {
    if (!line.includes('"agenda.listening"')) console.log(`[agenda] ${line}`);
  });

  const rows = DEMO_USERS.map(
    (u) => `  ${u.username.padEnd(10)} ${u.document.padEnd(8)} ${u.role.padEnd(8)} ${u.shows}`,
  );
  console.log(
    [
      '',
      `HIS Acceso: ${config.baseUrl}   (e-ID protocol: ${config.eid.protocol}; EID_PROTOCOL=oidc npm run dev for OpenID Connect)`,
      `e-ID sandbox: http://localhost:${SANDBOX_PORT}`,
      `Demo module "Agenda" (OpenID Connect, signs in with the HIS session): ${agendaUrl}`,
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

/**
 * The scratch world of the scale-out checks: a database `his_acceso_cluster_<id>` (migrated,
 * one establishment, a few accounts), a Redis key prefix `cluster:<id>:`, the e-ID sandbox, and
 * N real app instances sharing them. `stop()` stops every process by its PID, drops the database
 * and deletes the prefix's keys (on the Redis the instances used, which may be a Sentinel's).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config';
import { createSequelize } from '../src/db/sequelize';
import { createMigrator } from '../src/db/migrator';
import { createRepositories } from '../src/storage/repositories';
import { addEstablishments, createUser } from '../test/support/builders';
import { adminQuery, deleteRedisKeys } from '../test/support/services';
import { startSandboxProcess, type SandboxProcess } from '../test/support/sandbox-process';
import { startAppInstance, type AppInstance } from './cluster-instances';
import { databaseUrl, PASSWORD, PG_ADMIN_URL, REDIS_URL } from './settings';

const CLIENT_ID = 'his-acceso-cluster';
const CLIENT_SECRET = 'cluster-secret-0123456789-abcdefghijkl';
const MITIC_ISSUER = 'sandbox-mitic-cluster';
/** Where the e-ID check's person is found at the sandbox and in the HIS. */
export const EID_PERSON = {
  cedula: '9100001',
  nombres: 'Rosa Elena',
  apellidos: 'Cluster Benítez',
};

export interface ClusterUser {
  username: string;
  document: string;
}

export interface ClusterWorld {
  runId: string;
  keyPrefix: string;
  /** The environment every instance gets (PORT aside). */
  env: Record<string, string>;
  establishmentId: number;
  /** Accounts for sessions under load (`load`), the lockout check (`lock`, `control`), e-ID. */
  users: { load: ClusterUser[]; lock: ClusterUser; control: ClusterUser; eid: ClusterUser };
  /** Failures per account and IP before the lock (the instances' configuration). */
  maxFailures: number;
  /** The base URL the instances believe they are served at (the main load balancer's). */
  baseUrl: string;
  sandbox: SandboxProcess;
  instances: AppInstance[];
  /** One more instance of the same app and configuration. */
  addInstance(): Promise<AppInstance>;
  stop(): Promise<void>;
}

async function seedWorld(url: string, loadUsers: number) {
  const sequelize = createSequelize({ url, poolMax: 4, statementTimeoutInMs: 30_000 });
  try {
    await createMigrator(sequelize).up();
    const repos = createRepositories(sequelize);
    const [establishment] = await addEstablishments(repos, [
      { code: 'CLUSTER-1', name: 'Hospital de prueba (cluster)', region: 'Central' },
    ]);
    const account = (username: string, document: string, name: string) =>
      createUser(repos, {
        username,
        document,
        name,
        role: 'staff',
        establishmentCodes: ['CLUSTER-1'],
        password: PASSWORD,
      }).then(() => ({ username, document }));
    const load = await Promise.all(
      Array.from({ length: loadUsers }, (_, i) =>
        account(`cluster${i}`, String(9_200_000 + i), `Persona Cluster ${i}`),
      ),
    );
    const lock = await account('clusterlock', '9300001', 'Persona Bloqueo');
    const control = await account('clustercontrol', '9300002', 'Persona Control');
    const eid = await account(
      'clustereid',
      EID_PERSON.cedula,
      `${EID_PERSON.nombres} ${EID_PERSON.apellidos}`,
    );
    return { establishmentId: establishment!.id, users: { load, lock, control, eid } };
  } finally {
    await sequelize.close();
  }
}

/**
 * Builds the world and starts `instances` app instances. `redisEnv` replaces REDIS_URL (e.g.
 * REDIS_SENTINELS); `cleanRedis` deletes the prefix's keys at the end (default: the shared Redis).
 */
export async function startClusterWorld(opts: {
  instances: number;
  loadUsers: number;
  baseUrl: string;
  redisEnv?: Record<string, string>;
  cleanRedis?: (prefix: string) => Promise<void>;
  log?: (line: string) => void;
}): Promise<ClusterWorld> {
  const log = opts.log ?? (() => undefined);
  const runId = randomBytes(4).toString('hex');
  const dbName = `his_acceso_cluster_${runId}`;
  const dbUrl = databaseUrl(dbName);
  const keyPrefix = `cluster:${runId}:`;
  const spoolDir = mkdtempSync(path.join(tmpdir(), 'his-cluster-spool-'));
  const instances: AppInstance[] = [];
  let sandbox: SandboxProcess | undefined;
  let created = false;

  const stop = async () => {
    await Promise.allSettled(instances.map((i) => i.stop()));
    await sandbox?.stop();
    if (created) await adminQuery(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`, PG_ADMIN_URL);
    await (opts.cleanRedis ?? ((p) => deleteRedisKeys(p, REDIS_URL)))(keyPrefix);
    rmSync(spoolDir, { recursive: true, force: true });
  };

  try {
    log(`creating ${dbName}…`);
    await adminQuery(`CREATE DATABASE ${dbName}`, PG_ADMIN_URL);
    created = true;
    const seeded = await seedWorld(dbUrl, opts.loadUsers);
    const redirectUri = `${opts.baseUrl}/auth/eid/callback`;
    sandbox = await startSandboxProcess({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUri,
      miticIssuer: MITIC_ISSUER,
      postLogoutRedirectUri: `${opts.baseUrl}/login`,
    });
    await sandbox.addCitizen(EID_PERSON);
    const env: Record<string, string> = {
      // Not production (it requires https addresses); not development either, whose views are
      // compiled at every page: test compiles them once, as production does.
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      BASE_URL: opts.baseUrl,
      DATABASE_URL: dbUrl,
      REDIS_KEY_PREFIX: keyPrefix,
      ...(opts.redisEnv ?? { REDIS_URL }),
      // One secret for all: a cookie signed by one instance is read by the others.
      SESSION_SECRET: randomBytes(32).toString('hex'),
      COOKIE_SECURE: 'false',
      AUDIT_SPOOL_DIR: spoolDir,
      EID_PROTOCOL: 'mitic',
      EID_AUTHORIZE_URL: `${sandbox.url}/login`,
      EID_TOKEN_URL: `${sandbox.url}/rest/authentication`,
      EID_ISSUER: MITIC_ISSUER,
      EID_CLIENT_ID: CLIENT_ID,
      EID_CLIENT_SECRET: CLIENT_SECRET,
      EID_REDIRECT_URI: redirectUri,
    };
    const { maxFailures } = loadConfig(env).lockout;
    const addInstance = async () => {
      const instance = await startAppInstance(`app${instances.length + 1}`, env);
      instances.push(instance);
      return instance;
    };
    log(`starting ${opts.instances} app instance(s)…`);
    // One at a time: tsx's first compile of the whole app is CPU-bound on a small machine.
    for (let i = 0; i < opts.instances; i++) await addInstance();
    return {
      runId,
      keyPrefix,
      env,
      establishmentId: seeded.establishmentId,
      users: seeded.users,
      maxFailures,
      baseUrl: opts.baseUrl,
      sandbox,
      instances,
      addInstance,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

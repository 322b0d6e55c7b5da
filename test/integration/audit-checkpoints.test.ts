import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import { createSequelize } from '../../src/db/sequelize';
import { createMigrator } from '../../src/db/migrator';
import {
  appendLoginEvent,
  loginEventFields,
  type LoginEvent,
} from '../../src/storage/audit/login-events';
import { chainHash, GENESIS_HASH } from '../../src/storage/audit/chain';
import { runCli } from '../support/cli-process';
import { createRedisClient } from '../../src/redis/client';
import { createLogger } from '../../src/shared/logger';
import { ManualClock } from '../../src/shared/clock';
import { createCheckpointWriter } from '../../src/domain/audit/checkpoint-writer';
import { createAuditTrailStore } from '../../src/storage/audit/trail-store';
import { adminQuery, TEST_PG_ADMIN_URL, TEST_REDIS_URL } from '../support/services';

/**
 * Signed checkpoints against a database superuser: the chain alone is rewritten undetected when
 * every later hash is recomputed; the checkpoints, signed with a key the database never sees and
 * kept outside it, are not. On a scratch database of this file (the superuser edits need the
 * triggers off), through the real CLI.
 */
jest.setTimeout(90_000);

const key = generateKeyPairSync('ed25519');
const KEY = key.privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
const scratchName = `his_acceso_checkpoints_${randomBytes(4).toString('hex')}`;
let scratchUrl: string;
let scratch: Sequelize;
let dir: string;

const cli = (args: string[], env: Record<string, string> = {}) =>
  runCli(args, {
    databaseUrl: scratchUrl,
    env: { AUDIT_CHECKPOINT_KEY: KEY, AUDIT_CHECKPOINT_DIR: dir, ...env },
    timeoutMs: 30_000,
  });

const event = (i: number): LoginEvent => ({
  occurredAt: new Date(Date.UTC(2026, 10, 20, 10, i)),
  userId: null,
  username: `persona${i}`,
  method: 'classic',
  outcome: 'failure',
  reason: 'bad_password',
  establishmentId: null,
  ip: '10.0.0.1',
  userAgent: 'jest',
});

type Row = { id: string; occurred_at: Date; username: string };

/**
 * What a superuser who knows the chain does: edits with the append-only trigger off, then
 * recomputes every row's prev_hash and hash so that the chain verifies again.
 */
async function rechain(edit: string, replacements: Record<string, unknown>) {
  await scratch.transaction(async (transaction) => {
    const q = (sql: string, r: Record<string, unknown> = {}) =>
      scratch.query(sql, { replacements: r, transaction });
    await q('ALTER TABLE login_events DISABLE TRIGGER login_events_append_only');
    await q(edit, replacements);
    const rows = await scratch.query<Row & Record<string, unknown>>(
      'SELECT * FROM login_events ORDER BY id',
      { type: QueryTypes.SELECT, transaction },
    );
    let prev = GENESIS_HASH;
    for (const r of rows) {
      const hash = chainHash(
        prev,
        loginEventFields({
          occurredAt: new Date(r.occurred_at),
          userId: r.user_id as number | null,
          username: r.username,
          method: r.method as LoginEvent['method'],
          outcome: r.outcome as LoginEvent['outcome'],
          reason: r.reason as string | null,
          establishmentId: r.establishment_id as number | null,
          ip: r.ip as string | null,
          userAgent: r.user_agent as string | null,
          degraded: r.degraded as boolean,
        }),
      );
      await q('UPDATE login_events SET prev_hash = :prev, hash = :hash WHERE id = :id', {
        prev,
        hash,
        id: r.id,
      });
      prev = hash;
    }
    await q('ALTER TABLE login_events ENABLE TRIGGER login_events_append_only');
  });
}

beforeAll(async () => {
  await adminQuery(`CREATE DATABASE ${scratchName}`);
  const url = new URL(TEST_PG_ADMIN_URL);
  url.pathname = `/${scratchName}`;
  scratchUrl = url.toString();
  scratch = createSequelize({ url: scratchUrl, poolMax: 2, statementTimeoutInMs: 30000 });
  await createMigrator(scratch).up();
});
beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'his-checkpoints-'));
  await scratch.transaction(async (transaction) => {
    await scratch.query('ALTER TABLE login_events DISABLE TRIGGER login_events_append_only', {
      transaction,
    });
    await scratch.query('DELETE FROM login_events', { transaction });
    await scratch.query('ALTER TABLE login_events ENABLE TRIGGER login_events_append_only', {
      transaction,
    });
  });
  for (let i = 1; i <= 6; i++) await appendLoginEvent(scratch, event(i));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));
afterAll(async () => {
  await scratch?.close();
  await adminQuery(`DROP DATABASE IF EXISTS ${scratchName} WITH (FORCE)`);
});

const ids = async () =>
  (
    await scratch.query<{ id: string }>('SELECT id FROM login_events ORDER BY id', {
      type: QueryTypes.SELECT,
    })
  ).map((r) => String(r.id));

it('when nothing was touched then audit:verify holds the chains against the signed checkpoint and exits 0', () => {
  const written = cli(['audit:checkpoint']);
  expect(written.stderr).toBe('');
  expect(written.stdout).toContain('Punto de control 1 escrito');
  const res = cli(['audit:verify']);
  expect(res.stderr).toBe('');
  expect(res.status).toBe(0);
  expect(res.stdout).toContain('Puntos de control firmados: 1 verificados');
});

it('when a superuser rewrites a row and recomputes every hash then the chain passes but the checkpoint names a rewrite', async () => {
  expect(cli(['audit:checkpoint']).status).toBe(0);
  const [, second] = await ids();
  await rechain("UPDATE login_events SET username = 'otra-persona' WHERE id = :id", {
    id: second,
  });
  const res = cli(['audit:verify']);
  expect(res.status).toBe(2);
  // The chain itself verifies: that is what the checkpoint is for.
  expect(res.stderr).not.toContain('La cadena de login_events está alterada');
  expect(res.stderr).toContain('El punto de control 1');
  expect(res.stderr).toContain('login_events: reescritura');
  expect(res.stderr).not.toContain('eliminación');
});

it('when a superuser deletes a row and recomputes every hash then the checkpoint names a deletion', async () => {
  expect(cli(['audit:checkpoint']).status).toBe(0);
  const [, , third] = await ids();
  await rechain('DELETE FROM login_events WHERE id = :id', { id: third });
  const res = cli(['audit:verify']);
  expect(res.status).toBe(2);
  expect(res.stderr).toContain('login_events: eliminación');
  expect(res.stderr).not.toContain('reescritura');
});

it('when rows come after the last checkpoint then it still verifies; the next one covers them', async () => {
  expect(cli(['audit:checkpoint']).status).toBe(0);
  await appendLoginEvent(scratch, event(7));
  expect(cli(['audit:checkpoint']).stdout).toContain('Punto de control 2 escrito');
  const res = cli(['audit:verify']);
  expect(res.status).toBe(0);
  expect(res.stdout).toContain('Puntos de control firmados: 2 verificados');
});

it('when a checkpoint file is edited then its signature fails; when one is removed then the next breaks the chain', async () => {
  expect(cli(['audit:checkpoint']).status).toBe(0);
  expect(cli(['audit:checkpoint']).status).toBe(0);
  expect(cli(['audit:checkpoint']).status).toBe(0);
  const file = path.join(dir, readdirOne(dir));
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const edited = JSON.parse(lines[0]!) as { chains: { login_events: { rows: number } } };
  edited.chains.login_events.rows = 5;
  writeFileSync(file, [JSON.stringify(edited), lines[2]].join('\n') + '\n');
  const res = cli(['audit:verify']);
  expect(res.status).toBe(2);
  expect(res.stderr).toContain('El punto de control 1');
  expect(res.stderr).toContain('firma');
  expect(res.stderr).toContain('El punto de control 3');
  expect(res.stderr).toContain('cadena');
});

it('when the key is rotated then old checkpoints verify with the old public key listed, and not without it', () => {
  expect(cli(['audit:checkpoint']).status).toBe(0);
  const next = generateKeyPairSync('ed25519');
  const env = {
    AUDIT_CHECKPOINT_KEY: next.privateKey
      .export({ type: 'pkcs8', format: 'der' })
      .toString('base64'),
  };
  expect(cli(['audit:checkpoint'], env).status).toBe(0);
  const oldPublic = key.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  expect(cli(['audit:verify'], { ...env, AUDIT_CHECKPOINT_PUBLIC_KEYS: oldPublic }).status).toBe(0);
  const without = cli(['audit:verify'], env);
  expect(without.status).toBe(2);
  expect(without.stderr).toContain('clave desconocida');
});

function readdirOne(d: string): string {
  const [only] = readdirSync(d);
  return only!;
}

it('when a purge removes rows after a checkpoint then both checkpoints still verify (the removed rows are on record)', async () => {
  await rechain('DELETE FROM login_events', {});
  for (let i = 1; i <= 4; i++)
    await appendLoginEvent(scratch, { ...event(i), occurredAt: new Date(Date.UTC(2025, 0, i)) });
  for (let i = 5; i <= 6; i++) await appendLoginEvent(scratch, event(i));
  expect(cli(['audit:checkpoint']).status).toBe(0);
  const purge = cli(['audit:purge', '--before', '2025-06-01'], { AUDIT_RETENTION_MIN_MONTHS: '1' });
  expect(purge.stderr).toBe('');
  expect(purge.stdout).toContain('login_events: 4 registros eliminados');
  expect(purge.stdout).toContain('Punto de control 2 escrito');
  const res = cli(['audit:verify']);
  expect(res.stderr).toBe('');
  expect(res.status).toBe(0);
  expect(res.stdout).toContain('Puntos de control firmados: 2 verificados');
});

it('when every instance ticks then one writes a checkpoint per interval (the Redis lock)', async () => {
  const redis = createRedisClient(TEST_REDIS_URL, createLogger('silent'));
  await redis.connect();
  try {
    const keyPrefix = `${process.env.TEST_REDIS_PREFIX ?? 'test:'}ckpt-${randomBytes(3).toString('hex')}:`;
    const writer = () =>
      createCheckpointWriter({
        store: createAuditTrailStore(scratch),
        dir,
        key: key.privateKey,
        redis,
        keyPrefix,
        clock: new ManualClock('2026-12-01T12:00:00Z'),
        logger: createLogger('silent'),
        intervalInMinutes: 15,
      });
    const [a, b, c] = [writer(), writer(), writer()];
    const written = await Promise.all([a.tick(), b.tick(), c.tick()]);
    expect(written.filter(Boolean)).toHaveLength(1);
    expect(
      readFileSync(path.join(dir, readdirOne(dir)), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(1);
  } finally {
    await redis.quit();
  }
});

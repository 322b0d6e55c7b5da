import { randomBytes } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import { createSequelize } from '../../src/db/sequelize';
import { createMigrator } from '../../src/db/migrator';
import { appendLoginEvent, type LoginEvent } from '../../src/storage/audit/login-events';
import { appendAdminEvent } from '../../src/storage/audit/admin-events';
import { adminQuery, TEST_PG_ADMIN_URL } from '../support/services';
import { runCli } from '../support/cli-process';

/**
 * `npm run cli -- audit:purge --before YYYY-MM-DD` on a database of this file only (a purge and
 * the tampering below would disturb every other test file's audit rows). The CLI runs with the
 * real clock, so the history is dated years back: 2020 is old enough whatever today is.
 */
// Each spawn starts tsx and the CLI (a second or more when the run is busy).
jest.setTimeout(180_000);

const scratchName = `his_acceso_purge_${randomBytes(4).toString('hex')}`;
let scratchUrl: string;
let db: Sequelize;

const cli = (args: string[], env: Record<string, string> = {}) =>
  runCli(args, { databaseUrl: scratchUrl, env });
const rows = <T extends object>(sql: string, replacements: Record<string, unknown> = {}) =>
  db.query<T>(sql, { replacements, type: QueryTypes.SELECT });
const ids = async (table: string) =>
  (await rows<{ id: string }>(`SELECT id FROM ${table} ORDER BY id`)).map((r) => String(r.id));
/** Every row of the three tables, to show that a refused command wrote nothing. */
const snapshot = async () => ({
  login: await ids('login_events'),
  admin: await ids('admin_events'),
  anchors: await ids('audit_anchors'),
});

const login = (at: string, username: string): LoginEvent => ({
  occurredAt: new Date(at),
  userId: null,
  username,
  method: 'classic',
  outcome: 'failure',
  reason: 'bad_password',
  establishmentId: null,
  ip: '10.0.0.1',
  userAgent: 'jest',
});

const adminAt = (at: string, n: number) =>
  db.transaction((tx) =>
    appendAdminEvent(
      db,
      {
        occurredAt: new Date(at),
        actorUserId: null,
        actorUsername: 'adminhis',
        action: 'users.disable',
        outcome: 'success',
        targetType: 'user',
        targetId: String(n),
        targetUserId: null,
        details: { before: { status: 'active' }, after: { status: 'disabled' } },
        establishmentId: null,
        regionIds: [1],
        ip: '10.0.0.2',
        userAgent: 'jest',
      },
      tx,
    ),
  );

/** As a superuser with the table's append-only trigger off: what the chain must reveal. */
const tamper = (table: string, sql: string, replacements: Record<string, unknown>) =>
  db.transaction(async (transaction) => {
    await db.query(`ALTER TABLE ${table} DISABLE TRIGGER ${table}_append_only`, { transaction });
    await db.query(sql, { replacements, transaction });
    await db.query(`ALTER TABLE ${table} ENABLE TRIGGER ${table}_append_only`, { transaction });
  });

let loginIds: string[] = [];

beforeAll(async () => {
  await adminQuery(`CREATE DATABASE ${scratchName}`);
  const url = new URL(TEST_PG_ADMIN_URL);
  url.pathname = `/${scratchName}`;
  scratchUrl = url.toString();
  db = createSequelize({ url: scratchUrl, poolMax: 2, statementTimeoutInMs: 30000 });
  await createMigrator(db).up();
  // Five rows of 2020, two of 2026, then a 2020 straggler appended after them (a late write).
  for (let i = 1; i <= 5; i++)
    await appendLoginEvent(db, login(`2020-0${i}-15T12:00:00Z`, `antigua${i}`));
  await appendLoginEvent(db, login('2026-11-01T12:00:00Z', 'reciente1'));
  await appendLoginEvent(db, login('2026-11-02T12:00:00Z', 'reciente2'));
  await appendLoginEvent(db, login('2020-12-31T12:00:00Z', 'rezagada'));
  // Every admin_events row is old: the purge empties that table before recording itself.
  for (let i = 1; i <= 3; i++) await adminAt(`2020-0${i}-10T12:00:00Z`, i);
  loginIds = await ids('login_events');
});

afterAll(async () => {
  await db?.close();
  await adminQuery(`DROP DATABASE IF EXISTS ${scratchName} WITH (FORCE)`);
});

describe('audit:purge refusals (nothing written)', () => {
  it.each([
    [['--before', '2021-02-30'], {}, /Fecha inválida "2021-02-30": use una fecha real/],
    [['--before', '01/01/2021'], {}, /Fecha inválida "01\/01\/2021"/],
    [['--before', '2099-01-01'], {}, /La fecha 01\/01\/2099 está en el futuro/],
    [
      ['--before', new Date(Date.now() - 40 * 86_400_000).toISOString().slice(0, 10)],
      {},
      /la retención mínima es de 12 meses \(AUDIT_RETENTION_MIN_MONTHS\)/,
    ],
    [
      ['--before', '2021-01-01'],
      { AUDIT_RETENTION_MIN_MONTHS: '1200' },
      /la retención mínima es de 1200 meses/,
    ],
    [[], {}, /Falta --before\./],
    [['--antes', '2021-01-01'], {}, /Opción desconocida o sin valor: --antes\./],
  ] as [string[], Record<string, string>, RegExp][])(
    'when audit:purge %j (env %j) then a non-zero exit, a Spanish message and nothing written',
    async (args, env, message) => {
      const before = await snapshot();
      const res = cli(['audit:purge', ...args], env);
      expect(res.status).not.toBe(0);
      expect(res.stdout).toBe('');
      expect(res.stderr).toMatch(message);
      expect(await snapshot()).toEqual(before);
    },
  );

  it('when AUDIT_RETENTION_MIN_MONTHS is not a whole number then the CLI stops naming it', async () => {
    const before = await snapshot();
    const res = cli(['audit:purge', '--before', '2021-01-01'], {
      AUDIT_RETENTION_MIN_MONTHS: 'doce',
    });
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain('AUDIT_RETENTION_MIN_MONTHS');
    expect(await snapshot()).toEqual(before);
  });
});

describe('the append-only tables outside a purge', () => {
  const refused = (sql: string, setting = false) =>
    db.transaction(async (transaction) => {
      if (setting) await db.query("SET LOCAL his.audit_purge = 'on'", { transaction });
      await db.query(sql, { transaction });
    });

  it('when a plain DELETE, UPDATE or TRUNCATE is run then the database refuses', async () => {
    await expect(refused(`DELETE FROM login_events WHERE id = ${loginIds[0]}`)).rejects.toThrow(
      /append-only/,
    );
    await expect(refused('DELETE FROM admin_events')).rejects.toThrow(/append-only/);
    await expect(refused("UPDATE login_events SET reason = 'x'")).rejects.toThrow(/append-only/);
    await expect(refused('TRUNCATE login_events')).rejects.toThrow(/append-only/);
    expect(await ids('login_events')).toEqual(loginIds);
  });

  it('when the purge setting is on but the transaction wrote no anchor then DELETE is still refused', async () => {
    await expect(
      refused(`DELETE FROM login_events WHERE id = ${loginIds[0]}`, true),
    ).rejects.toThrow(/append-only/);
    await expect(refused("UPDATE login_events SET reason = 'x'", true)).rejects.toThrow(
      /append-only/,
    );
    expect(await ids('login_events')).toEqual(loginIds);
  });

  it('when a DELETE reaches beyond the anchor written in its transaction then it is refused', async () => {
    const attempt = db.transaction(async (transaction) => {
      await db.query("SET LOCAL his.audit_purge = 'on'", { transaction });
      await db.query(
        `INSERT INTO audit_anchors (table_name, first_id, prev_hash, purged_before, purged_at,
           rows_removed) VALUES ('login_events', :firstId, 'x', '2021-01-01', now(), 1)`,
        { replacements: { firstId: loginIds[1] }, transaction },
      );
      // The anchor covers the first row only; the second is below no anchor.
      await db.query(`DELETE FROM login_events WHERE id <= ${loginIds[1]}`, { transaction });
    });
    await expect(attempt).rejects.toThrow(/append-only/);
    expect(await ids('login_events')).toEqual(loginIds);
    expect(await ids('audit_anchors')).toEqual([]);
  });
});

// The tests below run in order on one history: purge, verify, purge again, then tampering.
describe('audit:purge --before 2021-01-01, then audit:verify', () => {
  it('when the cutoff is old enough then both chains lose their old prefix and exit 0', async () => {
    const res = cli(['audit:purge', '--before', '2021-01-01']);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toContain(
      'Depuración de la auditoría anterior al 01/01/2021 00:00 (hora de Asunción):',
    );
    expect(res.stdout).toContain(
      `login_events: 5 registros eliminados; la cadena continúa en el registro ${loginIds[5]}.`,
    );
    expect(res.stdout).toContain('admin_events: 3 registros eliminados;');
    // The 2020 straggler came after a 2026 row: removing it would cut the chain in two.
    expect(await ids('login_events')).toEqual(loginIds.slice(5));
    const usernames = await rows<{ username: string }>(
      'SELECT username FROM login_events ORDER BY id',
    );
    expect(usernames.map((r) => r.username)).toEqual(['reciente1', 'reciente2', 'rezagada']);
  });

  it('then audit:verify exits 0 and says where each chain now starts', () => {
    const res = cli(['audit:verify']);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toContain(
      `login_events: 3 registros, cadena íntegra desde el registro ${loginIds[5]} (depurada hasta el 01/01/2021 00:00).`,
    );
    expect(res.stdout).toMatch(/admin_events: 1 registros, cadena íntegra desde el registro \d+/);
  });

  it('then the purge is recorded: anchors for both chains and an admin_events row after the deletion', async () => {
    const anchors = await rows<{
      table_name: string;
      first_id: string;
      rows_removed: string;
      purged_before: Date;
    }>('SELECT table_name, first_id, rows_removed, purged_before FROM audit_anchors ORDER BY id');
    expect(anchors.map((a) => [a.table_name, String(a.first_id), Number(a.rows_removed)])).toEqual([
      ['login_events', loginIds[5], 5],
      ['admin_events', expect.any(String), 3],
    ]);
    // Midnight in Asunción, on summer time (UTC-3) in January 2021.
    expect(new Date(anchors[0]!.purged_before).toISOString()).toBe('2021-01-01T03:00:00.000Z');
    const events = await rows<{
      actor_user_id: number | null;
      actor_username: string;
      action: string;
      outcome: string;
      target_type: string;
      details: {
        cutoffDate: string;
        cutoff: string;
        chains: Record<string, { rowsRemoved: number; firstId: string }>;
      };
    }>('SELECT * FROM admin_events ORDER BY id');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actor_user_id: null,
      actor_username: 'cli',
      action: 'audit.purge',
      outcome: 'success',
      target_type: 'network',
      details: {
        cutoffDate: '2021-01-01',
        cutoff: '2021-01-01T03:00:00.000Z',
        chains: {
          login_events: { rowsRemoved: 5, firstId: loginIds[5] },
          admin_events: { rowsRemoved: 3 },
        },
      },
    });
  });

  it('when new rows are appended after the purge then the chains stay verifiable', async () => {
    await appendLoginEvent(db, login('2026-11-03T12:00:00Z', 'posterior'));
    await adminAt('2026-11-03T12:00:00Z', 9);
    const res = cli(['audit:verify']);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/login_events: 4 registros, cadena íntegra/);
    expect(res.stdout).toMatch(/admin_events: 2 registros, cadena íntegra/);
  });

  it('when nothing is older than the cutoff then the purge removes nothing and is still recorded', async () => {
    const res = cli(['audit:purge', '--before', '2020-01-01']);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('login_events: ningún registro anterior a esa fecha.');
    expect(res.stdout).toContain('admin_events: ningún registro anterior a esa fecha.');
    const purges = await rows<{ cutoff: string }>(
      "SELECT details->>'cutoffDate' AS cutoff FROM admin_events WHERE action = 'audit.purge' ORDER BY id",
    );
    expect(purges.map((p) => p.cutoff)).toEqual(['2021-01-01', '2020-01-01']);
    expect(await ids('audit_anchors')).toHaveLength(2);
    expect(cli(['audit:verify']).status).toBe(0);
  });
});

describe('tampering after a purge (superuser, triggers off)', () => {
  it('when the first remaining login row is altered then audit:verify exits 2 naming it', async () => {
    await tamper('login_events', "UPDATE login_events SET username = 'otra' WHERE id = :id", {
      id: loginIds[5],
    });
    const res = cli(['audit:verify']);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain(
      `La cadena de login_events está alterada a partir del registro ${loginIds[5]}.`,
    );
  });

  it('when the first remaining admin row is deleted then audit:verify exits 2 naming the next one', async () => {
    const [first, second] = await ids('admin_events');
    await tamper('admin_events', 'DELETE FROM admin_events WHERE id = :id', { id: first });
    const res = cli(['audit:verify']);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain(
      `La cadena de admin_events está alterada a partir del registro ${second}.`,
    );
  });

  it('when a row is slipped in below the anchor then audit:verify exits 2 naming it', async () => {
    await db.query(
      `INSERT INTO login_events (id, occurred_at, username, method, outcome, prev_hash, hash)
       VALUES (:id, '2020-01-01', 'intrusa', 'classic', 'success', 'x', 'y')`,
      { replacements: { id: loginIds[0] } },
    );
    const res = cli(['audit:verify']);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain(
      `La cadena de login_events está alterada a partir del registro ${loginIds[0]}.`,
    );
  });
});

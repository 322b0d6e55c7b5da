import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { verify } from '@node-rs/argon2';
import { QueryTypes, type Sequelize } from 'sequelize';
import { createSequelize } from '../../src/db/sequelize';
import { createMigrator } from '../../src/db/migrator';
import { appendLoginEvent, type LoginEvent } from '../../src/storage/audit/login-events';
import { appendAdminEvent } from '../../src/storage/audit/admin-events';
import { runCli } from '../support/cli-process';
import { adminQuery, TEST_PG_ADMIN_URL } from '../support/services';

/**
 * `npm run cli -- <command>` as operators run it: the real process through tsx, on the run's
 * database (or a scratch one for tampering), checked by exit code, output and the rows left behind.
 */
// Each spawn starts tsx and the CLI (about a second, more when the run is busy).
jest.setTimeout(60_000);

/** Each spawn is killed after 30 s, well inside a test's 60 s. */
const cli = (args: string[], opts: { input?: string; databaseUrl?: string } = {}) =>
  runCli(args, { ...opts, timeoutMs: 30_000 });

const hex = () => randomBytes(4).toString('hex');
/** A 7-digit cédula no other test of this run uses (7 digits; the factories use 9). */
const randomCedula = () => String(2_000_000 + Math.floor(Math.random() * 7_000_000));
const withDots = (digits: string) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, '.');

// Raw SQL only: models are module-global and rebind to the scratch database opened below.
let db: Sequelize;
const rows = <T extends object>(sql: string, replacements: Record<string, unknown> = {}) =>
  db.query<T>(sql, { replacements, type: QueryTypes.SELECT });
const count = async (sql: string, replacements: Record<string, unknown> = {}) =>
  Number((await rows<{ n: string }>(sql, replacements))[0]!.n);

let tmpDir: string;
beforeAll(() => {
  db = createSequelize({
    url: process.env.TEST_DATABASE_URL!,
    poolMax: 2,
    statementTimeoutInMs: 30000,
  });
  tmpDir = mkdtempSync(path.join(os.tmpdir(), 'his-acceso-cli-'));
});
afterAll(async () => {
  await db.close();
  rmSync(tmpDir, { recursive: true, force: true });
});

const establishmentAdd = (code: string, name: string, region: string) =>
  cli(['establishment:add', '--code', code, '--name', name, '--region', region]);

const writeCsv = (content: string) => {
  const file = path.join(tmpDir, `establecimientos-${hex()}.csv`);
  writeFileSync(file, content, 'utf8');
  return file;
};

describe('migrate and usage', () => {
  it('when the database is already migrated then migrate says it is up to date and exits 0', () => {
    const res = cli(['migrate']);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('La base de datos ya está al día.');
  });

  it('when the command is unknown then a non-zero exit and the usage on stderr', () => {
    const res = cli(['user:remove-everything']);
    expect(res.status).not.toBe(0);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain('Uso: npm run cli -- <comando>');
    expect(res.stderr).toContain('establishment:import');
    expect(res.stderr).toContain('audit:verify');
  });

  it('when no command is given then a non-zero exit and the usage', () => {
    const res = cli([]);
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain('Uso:');
  });
});

describe('establishment:add', () => {
  it('when the code is new then the establishment and its new region are created', async () => {
    const code = `CLI-${hex()}`.toUpperCase();
    const region = `Región CLI ${hex()}`;
    expect(await count('SELECT count(*) AS n FROM regions WHERE name = :region', { region })).toBe(
      0,
    );
    const res = establishmentAdd(code, `Hospital ${code}`, region);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toContain(`Establecimiento ${code} creado.`);
    const created = await rows<{ name: string; region_name: string }>(
      `SELECT e.name, r.name AS region_name FROM establishments e
         JOIN regions r ON r.id = e.region_id WHERE e.code = :code`,
      { code },
    );
    expect(created).toEqual([{ name: `Hospital ${code}`, region_name: region }]);
  });

  it('when the region already exists then the establishment joins it and no region is added', async () => {
    const region = `Región Compartida ${hex()}`;
    const first = `CLI-${hex()}`.toUpperCase();
    const second = `CLI-${hex()}`.toUpperCase();
    expect(establishmentAdd(first, 'Hospital Uno', region).status).toBe(0);
    expect(establishmentAdd(second, 'Hospital Dos', region).status).toBe(0);
    expect(await count('SELECT count(*) AS n FROM regions WHERE name = :region', { region })).toBe(
      1,
    );
    expect(
      await count(
        'SELECT count(DISTINCT region_id) AS n FROM establishments WHERE code IN (:first, :second)',
        { first, second },
      ),
    ).toBe(1);
  });

  it('when the code already exists then a non-zero exit, a Spanish message and nothing written', async () => {
    const code = `CLI-${hex()}`.toUpperCase();
    const newRegion = `Región Nueva ${hex()}`;
    expect(establishmentAdd(code, 'Hospital Original', 'Central').status).toBe(0);
    const res = establishmentAdd(code.toLowerCase(), 'Otro', newRegion);
    expect(res.status).not.toBe(0);
    // The screen's message, named by the option.
    expect(res.stderr).toContain(`--code: Ya existe un establecimiento con el código ${code}.`);
    expect(res.stdout).toBe('');
    expect(await rows('SELECT name FROM establishments WHERE code = :code', { code })).toEqual([
      { name: 'Hospital Original' },
    ]);
    expect(
      await count('SELECT count(*) AS n FROM regions WHERE name = :newRegion', { newRegion }),
    ).toBe(0);
  });

  it('when an option is missing then a non-zero exit naming it and nothing written', async () => {
    const code = `CLI-${hex()}`.toUpperCase();
    const res = cli(['establishment:add', '--code', code, '--name', 'Hospital Sin Región']);
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain('Falta --region.');
    expect(
      await count('SELECT count(*) AS n FROM establishments WHERE code = :code', { code }),
    ).toBe(0);
  });
  it('when an option is mistyped then a non-zero exit with a Spanish message naming it', async () => {
    const code = `CLI-${hex()}`.toUpperCase();
    const res = cli([
      'establishment:add',
      '--code',
      code,
      '--nombre',
      'Hospital',
      '--region',
      'Central',
    ]);
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain('Opción desconocida o sin valor: --nombre.');
    expect(res.stderr).toContain('--code, --name, --region');
    expect(
      await count('SELECT count(*) AS n FROM establishments WHERE code = :code', { code }),
    ).toBe(0);
  });
});

describe('establishment:import', () => {
  it('when every row is valid then all are imported, with their regions', async () => {
    const codes = [1, 2, 3].map(() => `IMP-${hex()}`.toUpperCase());
    const region = `Región Importada ${hex()}`;
    const file = writeCsv(
      [
        'code,name,region',
        `${codes[0]},Hospital Regional Uno,${region}`,
        `${codes[1]},"Unidad de Salud Familiar, Dos",${region}`,
        `${codes[2]},Centro de Salud Tres,Central`,
      ].join('\n') + '\n',
    );
    const res = cli([
      'establishment:import',
      file,
      '--create-region',
      region,
      '--create-region',
      'Central',
    ]);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('3 establecimientos importados.');
    const imported = await rows<{ code: string; name: string; region_name: string }>(
      `SELECT e.code, e.name, r.name AS region_name FROM establishments e
         JOIN regions r ON r.id = e.region_id WHERE e.code IN (:codes)`,
      { codes },
    );
    const byCode = (a: { code: string }, b: { code: string }) => (a.code < b.code ? -1 : 1);
    expect(imported.sort(byCode)).toEqual(
      [
        { code: codes[0]!, name: 'Hospital Regional Uno', region_name: region },
        { code: codes[1]!, name: 'Unidad de Salud Familiar, Dos', region_name: region },
        { code: codes[2]!, name: 'Centro de Salud Tres', region_name: 'Central' },
      ].sort(byCode),
    );
  });

  it('when one row is bad then nothing at all is imported and the exit is non-zero', async () => {
    const good = [1, 2].map(() => `IMP-${hex()}`.toUpperCase());
    const region = `Región Fallida ${hex()}`;
    const file = writeCsv(
      [
        'code,name,region',
        `${good[0]},Hospital Bueno Uno,${region}`,
        `${good[1]},Hospital Bueno Dos,${region}`,
        'CÓDIGO MALO!,Hospital Malo,Central',
      ].join('\n'),
    );
    const res = cli(['establishment:import', file]);
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain('Código de establecimiento inválido "CÓDIGO MALO!"');
    expect(res.stdout).toBe('');
    expect(
      await count('SELECT count(*) AS n FROM establishments WHERE code IN (:good)', { good }),
    ).toBe(0);
    expect(await count('SELECT count(*) AS n FROM regions WHERE name = :region', { region })).toBe(
      0,
    );
  });

  it('when a row lacks a column then nothing is imported and the message names the row', async () => {
    const code = `IMP-${hex()}`.toUpperCase();
    const file = writeCsv(`code,name,region\n${code},Hospital Bueno,Central\nX-1,,Central\n`);
    const res = cli(['establishment:import', file]);
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain('Fila 3');
    expect(
      await count('SELECT count(*) AS n FROM establishments WHERE code = :code', { code }),
    ).toBe(0);
  });

  it('when the file does not exist then a non-zero exit with a clear message', () => {
    const res = cli(['establishment:import', path.join(tmpDir, 'no-existe.csv')]);
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain('No se pudo leer');
  });
});

describe('user:add', () => {
  const establishmentCodes = [`USR-${hex()}`.toUpperCase(), `USR-${hex()}`.toUpperCase()];
  // A user created once; the bad-input cases collide with it.
  const existing = { username: `cli.${hex()}`, document: randomCedula() };

  beforeAll(() => {
    for (const code of establishmentCodes) {
      const res = establishmentAdd(code, `Hospital ${code}`, 'Central');
      if (res.status !== 0) throw new Error(`fixture establishment failed: ${res.stderr}`);
    }
  });

  const userAdd = (
    o: {
      username?: string;
      document?: string;
      name?: string;
      role?: string;
      scope?: string;
      establishments?: string[];
    },
    stdin?: string,
  ) =>
    cli(
      [
        'user:add',
        ...(o.username === undefined ? [] : ['--username', o.username]),
        '--document',
        o.document ?? randomCedula(),
        '--name',
        o.name ?? 'María Auxiliadora Benítez',
        '--role',
        o.role ?? 'staff',
        ...(o.scope === undefined ? [] : ['--scope', o.scope]),
        ...(o.establishments ?? [establishmentCodes[0]!]).flatMap((c) => ['--establishment', c]),
        ...(stdin === undefined ? [] : ['--password-stdin']),
      ],
      { input: stdin },
    );

  const userRow = (username: string) =>
    rows<{ id: number; document_number: string; full_name: string; password_hash: string | null }>(
      'SELECT id, document_number, full_name, password_hash FROM users WHERE username = :username',
      { username },
    );

  it('when the password comes on stdin then the user has an argon2id hash, the role and the establishments', async () => {
    const password = 'una-clave-segura-2026';
    const res = userAdd(
      {
        username: existing.username,
        document: withDots(existing.document),
        role: 'admin',
        establishments: establishmentCodes,
      },
      `${password}\n`,
    );
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toContain(`Usuario ${existing.username} creado.`);

    const [user] = await userRow(existing.username);
    expect(user).toMatchObject({
      document_number: existing.document,
      full_name: 'María Auxiliadora Benítez',
    });
    expect(user!.password_hash!.startsWith('$argon2id$v=19$m=19456,t=2,p=1$')).toBe(true);
    expect(await verify(user!.password_hash!, password)).toBe(true);
    expect(
      await rows('SELECT role, region_id, establishment_id FROM user_roles WHERE user_id = :id', {
        id: user!.id,
      }),
    ).toEqual([{ role: 'admin', region_id: null, establishment_id: null }]);
    const assigned = await rows<{ code: string }>(
      `SELECT e.code FROM user_establishments ue JOIN establishments e ON e.id = ue.establishment_id
         WHERE ue.user_id = :id ORDER BY e.code`,
      { id: user!.id },
    );
    expect(assigned.map((a) => a.code)).toEqual([...establishmentCodes].sort());
  });

  it.each([
    [
      'region:Central',
      'región',
      (ids: { regionId: number; establishmentId: number }) => [ids.regionId, null],
    ],
    [
      `establishment:${establishmentCodes[1]!.toLowerCase()}`,
      'establishment',
      (ids: { regionId: number; establishmentId: number }) => [null, ids.establishmentId],
    ],
  ] as const)(
    'when --scope %s is given then the role is limited to that %s',
    async (scope, _kind, expected) => {
      const username = `cli.${hex()}`;
      const res = userAdd({ username, role: 'admin', scope });
      expect(res.stderr).toBe('');
      expect(res.status).toBe(0);
      const [ids] = await rows<{ regionId: number; establishmentId: number }>(
        `SELECT e.region_id AS "regionId", e.id AS "establishmentId" FROM establishments e
          WHERE e.code = :code`,
        { code: establishmentCodes[1] },
      );
      const [grant] = await rows<{ region_id: number | null; establishment_id: number | null }>(
        `SELECT r.region_id, r.establishment_id FROM user_roles r JOIN users u ON u.id = r.user_id
          WHERE u.username = :username AND r.role = 'admin'`,
        { username },
      );
      expect([grant!.region_id, grant!.establishment_id]).toEqual(expected(ids!));
    },
  );

  it('when --password-stdin is absent then the account has no password (e-ID only)', async () => {
    const username = `cli.${hex()}`;
    const res = userAdd({ username });
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('solo Identidad Electrónica');
    const [user] = await userRow(username);
    expect(user).toBeDefined();
    expect(user!.password_hash).toBeNull();
  });

  it('when an option is mistyped then a non-zero exit with a Spanish message and no user written', async () => {
    const document = randomCedula();
    const res = cli([
      'user:add',
      '--usuario',
      `cli.${hex()}`,
      '--document',
      document,
      '--name',
      'Persona Tipeo',
      '--role',
      'staff',
    ]);
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain('Opción desconocida o sin valor: --usuario.');
    expect(
      await count('SELECT count(*) AS n FROM users WHERE document_number = :document', {
        document,
      }),
    ).toBe(0);
  });

  const badInputs: [string, () => Parameters<typeof userAdd>, RegExp][] = [
    [
      'the username already exists',
      () => [{ username: existing.username.toUpperCase() }, 'otra-clave-segura'],
      /--username: Ese nombre de usuario ya está en uso\./,
    ],
    [
      'the cédula already exists (typed with dots)',
      () => [
        { username: `cli.${hex()}`, document: withDots(existing.document) },
        'otra-clave-segura',
      ],
      /--document: Ya existe un usuario con esa cédula\./,
    ],
    [
      'the cédula already exists (typed as digits)',
      () => [{ username: `cli.${hex()}`, document: existing.document }],
      /--document: Ya existe un usuario con esa cédula\./,
    ],
    [
      'the cédula is malformed',
      () => [{ username: `cli.${hex()}`, document: '12AB' }, 'otra-clave-segura'],
      /--document: Cédula inválida: escriba solo los números/,
    ],
    [
      'the establishment is unknown',
      () => [
        { username: `cli.${hex()}`, establishments: [establishmentCodes[0]!, 'NO-EXISTE-9'] },
        'otra-clave-segura',
      ],
      /Establecimiento desconocido: NO-EXISTE-9\./,
    ],
    [
      'the password on stdin is empty',
      () => [{ username: `cli.${hex()}` }, '\n'],
      /La contraseña está vacía/,
    ],
    [
      'the role is unknown',
      () => [{ username: `cli.${hex()}`, role: 'superusuario' }, 'otra-clave-segura'],
      /Rol inválido "superusuario"/,
    ],
    [
      'the scope names an unknown región',
      () => [{ username: `cli.${hex()}`, role: 'admin', scope: 'region:Atlántida' }],
      /Región desconocida: Atlántida\./,
    ],
    [
      'the scope has no kind',
      () => [{ username: `cli.${hex()}`, role: 'admin', scope: 'Central' }],
      /Alcance inválido "Central"/,
    ],
    [
      '--username is missing',
      () => [{ username: undefined }, 'otra-clave-segura'],
      /Falta --username\./,
    ],
  ];

  it.each(badInputs)(
    'when %s then a non-zero exit with a clear message and no user written',
    async (_case, build, message) => {
      const [input, stdin] = build();
      const document = input.document ?? randomCedula();
      const { username } = input;
      const matching = () =>
        count(
          `SELECT count(*) AS n FROM users
             WHERE username = lower(:username) OR document_number = :digits`,
          { username: username ?? '', digits: document.replace(/\D/g, '') || '-' },
        );
      const before = await matching();
      const res = userAdd({ ...input, document }, stdin);
      expect(res.status).not.toBe(0);
      expect(res.stdout).toBe('');
      expect(res.stderr).toMatch(message);
      expect(await matching()).toBe(before);
    },
  );
});

describe('audit:verify and the append-only login history (scratch database)', () => {
  // Tampering needs a superuser disabling the trigger: done on a database of this file only, so
  // the chain of the run's shared database stays intact for every other test file.
  const scratchName = `his_acceso_tamper_${hex()}`;
  let scratchUrl: string;
  let scratch: Sequelize;
  let recordedHead = '';
  const ids: string[] = [];

  const event = (i: number): LoginEvent => ({
    occurredAt: new Date(Date.UTC(2026, 10, 20, 10, i)),
    userId: null,
    username: `persona${i}`,
    method: 'classic',
    outcome: i % 2 ? 'failure' : 'success',
    reason: i % 2 ? 'bad_password' : 'login',
    establishmentId: null,
    ip: '10.0.0.1',
    userAgent: 'jest',
  });

  const asSuperuser = (sql: string, replacements: Record<string, unknown>) =>
    scratch.transaction(async (transaction) => {
      await scratch.query('ALTER TABLE login_events DISABLE TRIGGER login_events_append_only', {
        transaction,
      });
      await scratch.query(sql, { replacements, transaction });
      await scratch.query('ALTER TABLE login_events ENABLE TRIGGER login_events_append_only', {
        transaction,
      });
    });

  beforeAll(async () => {
    await adminQuery(`CREATE DATABASE ${scratchName}`);
    const url = new URL(TEST_PG_ADMIN_URL);
    url.pathname = `/${scratchName}`;
    scratchUrl = url.toString();
    scratch = createSequelize({ url: scratchUrl, poolMax: 2, statementTimeoutInMs: 30000 });
    await createMigrator(scratch).up();
    for (let i = 1; i <= 4; i++) await appendLoginEvent(scratch, event(i));
    for (let i = 1; i <= 3; i++)
      await scratch.transaction((tx) =>
        appendAdminEvent(
          scratch,
          {
            occurredAt: new Date(Date.UTC(2026, 10, 21, 9, i)),
            actorUserId: null,
            actorUsername: 'adminhis',
            action: 'users.disable',
            outcome: i === 2 ? 'denied' : 'success',
            targetType: 'user',
            targetId: String(i),
            targetUserId: null,
            details: { before: { status: 'active' }, after: { status: 'disabled' }, n: i },
            establishmentId: null,
            regionIds: [3, 1],
            ip: '10.0.0.2',
            userAgent: 'jest',
          },
          tx,
        ),
      );
    const stored = await scratch.query<{ id: string }>('SELECT id FROM login_events ORDER BY id', {
      type: QueryTypes.SELECT,
    });
    ids.push(...stored.map((r) => String(r.id)));
  });
  afterAll(async () => {
    await scratch?.close();
    await adminQuery(`DROP DATABASE IF EXISTS ${scratchName} WITH (FORCE)`);
  });

  // The tests below run in order on one chain: intact, refused edits, deletion, alteration.
  it('when the chain is intact then audit:verify exits 0 and says it is íntegra', () => {
    expect(ids).toHaveLength(4);
    const res = cli(['audit:verify'], { databaseUrl: scratchUrl });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('login_events: 4 registros, cadena íntegra.');
    expect(res.stdout).toContain('admin_events: 3 registros, cadena íntegra.');
    recordedHead = /Último hash: ([0-9a-f]{64})/.exec(res.stdout)?.[1] ?? '';
    expect(recordedHead).toHaveLength(64);
    expect(cli(['audit:verify', '--since', recordedHead], { databaseUrl: scratchUrl }).status).toBe(
      0,
    );
  });

  it('when a row is updated or deleted directly then the database refuses (append-only)', async () => {
    await expect(
      scratch.query("UPDATE login_events SET reason = 'nada' WHERE id = :id", {
        replacements: { id: ids[0] },
      }),
    ).rejects.toThrow(/append-only/);
    await expect(
      scratch.query('DELETE FROM login_events WHERE id = :id', { replacements: { id: ids[0] } }),
    ).rejects.toThrow(/append-only/);
    const left = await scratch.query<{ reason: string }>(
      'SELECT reason FROM login_events ORDER BY id',
      { type: QueryTypes.SELECT },
    );
    expect(left.map((r) => r.reason)).toEqual(['bad_password', 'login', 'bad_password', 'login']);
    expect(cli(['audit:verify'], { databaseUrl: scratchUrl }).status).toBe(0);
  });

  it('when a superuser deletes a row then audit:verify exits 2 naming the row after the gap', async () => {
    await asSuperuser('DELETE FROM login_events WHERE id = :id', { id: ids[2] });
    const res = cli(['audit:verify'], { databaseUrl: scratchUrl });
    expect(res.status).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain(
      `La cadena de login_events está alterada a partir del registro ${ids[3]}.`,
    );
  });

  it('when a superuser alters an earlier row then audit:verify exits 2 naming that row', async () => {
    await asSuperuser("UPDATE login_events SET username = 'otra-persona' WHERE id = :id", {
      id: ids[1],
    });
    const res = cli(['audit:verify'], { databaseUrl: scratchUrl });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain(
      `La cadena de login_events está alterada a partir del registro ${ids[1]}.`,
    );
  });

  it('when a superuser removes the newest rows then --since with a recorded head exits 2', async () => {
    await asSuperuser('DELETE FROM login_events WHERE id = :id', { id: ids[3] });
    const res = cli(['audit:verify', '--since', recordedHead], { databaseUrl: scratchUrl });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain(
      `El registro de control ${recordedHead} ya no está en login_events`,
    );
  });

  it('when a superuser alters an admin_events row then audit:verify exits 2 naming that table and row', async () => {
    const [second] = await scratch.query<{ id: string }>(
      'SELECT id FROM admin_events ORDER BY id OFFSET 1 LIMIT 1',
      { type: QueryTypes.SELECT },
    );
    await scratch.transaction(async (transaction) => {
      await scratch.query('ALTER TABLE admin_events DISABLE TRIGGER admin_events_append_only', {
        transaction,
      });
      await scratch.query("UPDATE admin_events SET outcome = 'success' WHERE id = :id", {
        replacements: { id: second!.id },
        transaction,
      });
      await scratch.query('ALTER TABLE admin_events ENABLE TRIGGER admin_events_append_only', {
        transaction,
      });
    });
    const res = cli(['audit:verify'], { databaseUrl: scratchUrl });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain(
      `La cadena de admin_events está alterada a partir del registro ${second!.id}.`,
    );
  });
});

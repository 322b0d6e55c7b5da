import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QueryTypes, type Sequelize } from 'sequelize';
import { createSequelize } from '../../src/db/sequelize';
import { runCli } from '../support/cli-process';
import { makeEstablishment, uniqueDocument } from '../support/factories';

/**
 * `establishment:import` runs the browser import's plan: rows matched by code, so the same file
 * twice changes nothing and an updated file updates; every bad row named, nothing written.
 * (The basic cases are in cli.test.ts.)
 */
jest.setTimeout(90_000);

const importFile = (file: string, ...options: string[]) =>
  runCli(['establishment:import', file, ...options]);

const hex = () => randomBytes(4).toString('hex');
let db: Sequelize;
let dir: string;
beforeAll(() => {
  db = createSequelize({
    url: process.env.TEST_DATABASE_URL!,
    poolMax: 1,
    statementTimeoutInMs: 30000,
  });
  dir = mkdtempSync(path.join(os.tmpdir(), 'his-acceso-import-'));
});
afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

const csvFile = (lines: string[]) => {
  const file = path.join(dir, `lista-${hex()}.csv`);
  writeFileSync(file, lines.join('\n') + '\n', 'utf8');
  return file;
};
const stored = (codes: string[]) =>
  db.query<{ code: string; name: string; region: string; active: boolean; updated_at: Date }>(
    `SELECT e.code, e.name, r.name AS region, e.active, e.updated_at FROM establishments e
       JOIN regions r ON r.id = e.region_id WHERE e.code IN (:codes) ORDER BY e.code`,
    { replacements: { codes }, type: QueryTypes.SELECT },
  );

it('when the same file is imported twice then the second run changes nothing; an updated file updates by code', async () => {
  const region = `Región CLI ${hex()}`;
  const moved = `Región CLI ${hex()}`;
  const [a, b] = [`CI-${hex()}`, `CI-${hex()}`].map((c) => c.toUpperCase()) as [string, string];
  const first = csvFile([
    'código;nombre;región',
    `${a};Hospital Uno;${region}`,
    `${b};Hospital Dos;${region}`,
  ]);

  // A región that does not exist is created only when named: a typo must not become one.
  const refused = importFile(first);
  expect(refused.status).not.toBe(0);
  expect(refused.stderr).toContain(
    `El archivo nombra una región que no existe: «${region}» (líneas 2, 3).`,
  );
  expect(refused.stderr).toContain(`Para crearla: --create-region "${region}"`);
  expect(await stored([a, b])).toEqual([]);

  const created = importFile(first, '--create-region', region);
  expect(created.stderr).toBe('');
  expect(created.stdout).toContain(
    '2 establecimientos importados. Nuevos: 2, actualizados: 0, sin cambios: 0.',
  );
  const before = await stored([a, b]);

  const again = importFile(first);
  expect(again.status).toBe(0);
  expect(again.stdout).toContain(
    'Sin cambios: los 2 establecimientos del archivo ya estaban al día.',
  );
  expect(await stored([a, b])).toEqual(before);

  const updated = importFile(
    csvFile([
      'code,name,region',
      `${a.toLowerCase()},Hospital Uno Renombrado,${moved}`,
      `${b},Hospital Dos,${region}`,
    ]),
    '--create-region',
    moved,
  );
  expect(updated.stdout).toContain(
    '1 establecimiento importado. Nuevos: 0, actualizados: 1, sin cambios: 1.',
  );
  expect(
    (await stored([a, b])).map(({ code, name, region: r }) => ({ code, name, region: r })),
  ).toEqual(
    [
      { code: a, name: 'Hospital Uno Renombrado', region: moved },
      { code: b, name: 'Hospital Dos', region },
    ].sort((x, y) => (x.code < y.code ? -1 : 1)),
  );
});

it('when a región is a typo of an existing one then the CLI suggests it and writes nothing', async () => {
  const region = `Región Typo ${hex()}`;
  const seed = `CI-${hex()}`.toUpperCase();
  expect(
    importFile(
      csvFile(['code,name,region', `${seed},Hospital Semilla,${region}`]),
      '--create-region',
      region,
    ).status,
  ).toBe(0);
  const code = `CI-${hex()}`.toUpperCase();
  const res = importFile(csvFile(['code,name,region', `${code},Hospital Nuevo,${region}x`]));
  expect(res.status).not.toBe(0);
  expect(res.stderr).toContain(`¿«${region}x» es «${region}»? Corrija el archivo.`);
  expect(await stored([code])).toEqual([]);
});

it('when several rows are bad then each is named by its line and nothing is written', async () => {
  const good = `CI-${hex()}`.toUpperCase();
  const res = importFile(
    csvFile([
      'code,name,region',
      `${good},Hospital Bueno,Central`,
      'MAL O,X,Central',
      `${good},Repetido,Central`,
    ]),
  );
  expect(res.status).not.toBe(0);
  expect(res.stderr).toContain('Fila 3: Código de establecimiento inválido "MAL O"');
  expect(res.stderr).toContain('Fila 3: El nombre del establecimiento MAL O es obligatorio');
  expect(res.stderr).toContain(
    `Fila 4: El código ${good} está repetido: ya aparece en la línea 2.`,
  );
  expect(res.stderr).toContain('No se importó nada.');
  expect(await stored([good])).toEqual([]);
});

describe('user:import', () => {
  const HEADER = 'cedula;nombre;usuario;email;establecimientos;rol;valida_hasta';
  const people = (cedulas: string[]) =>
    db.query<{ username: string; full_name: string; password_hash: string | null }>(
      `SELECT username, full_name, password_hash FROM users
        WHERE document_number IN (:cedulas) ORDER BY document_number`,
      { replacements: { cedulas }, type: QueryTypes.SELECT },
    );

  it('when run with --dry-run then the plan is printed by line and nothing is written; then applied once, and a second run changes nothing', async () => {
    const place = await makeEstablishment(db, `Región CLI ${hex()}`);
    const [a, b] = [uniqueDocument(), uniqueDocument()];
    const user = `u${hex()}`;
    const file = csvFile([
      HEADER,
      `${a};Residente Primera;${user};;${place.code};;`,
      `${b};Residente Segunda;;;${place.code};;31/12/2027`,
    ]);

    const dry = runCli(['user:import', file, '--dry-run']);
    expect(dry.stderr).toBe('');
    expect(dry.stdout).toContain(`Línea 2: nueva · `);
    expect(dry.stdout).toContain(`Residente Primera (${user}) · staff · ${place.code}`);
    expect(dry.stdout).toContain('válida hasta 2027-12-31');
    expect(dry.stdout).toContain(
      'Cuentas nuevas: 2, actualizadas: 0, sin cambios: 0. Prueba (--dry-run): no se guardó nada.',
    );
    expect(await people([a, b])).toEqual([]);

    const applied = runCli(['user:import', file, '--one-time-passwords']);
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toContain(
      'Importación aplicada. Cuentas nuevas: 2, actualizadas: 0, sin cambios: 0.',
    );
    const printed = [...applied.stdout.matchAll(/\t([a-z2-9]{4}(?:-[a-z2-9]{4}){3})$/gm)];
    expect(printed).toHaveLength(2);
    const stored = await people([a, b]);
    expect(stored.map((p) => p.full_name).sort()).toEqual([
      'Residente Primera',
      'Residente Segunda',
    ]);
    expect(stored.every((p) => p.password_hash?.startsWith('$argon2id$'))).toBe(true);
    const audit = await db.query<{ action: string; actor_username: string }>(
      `SELECT action, actor_username FROM admin_events WHERE details->>'fileName' = :name ORDER BY id`,
      { replacements: { name: path.basename(file) }, type: QueryTypes.SELECT },
    );
    expect(audit.map((e) => e.action)).toEqual(['users.create', 'users.create', 'users.import']);
    expect(audit.every((e) => e.actor_username.startsWith('cli:'))).toBe(true);

    const again = runCli(['user:import', file]);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('Cuentas nuevas: 0, actualizadas: 0, sin cambios: 2.');
  });

  it('when a line is wrong then every refused line is printed and nothing is written', async () => {
    const c = uniqueDocument();
    const file = csvFile([HEADER, `${c};Persona Buena;;;NO-EXISTE;;`, `x;Otra;;;NO-EXISTE;;`]);
    const res = runCli(['user:import', file]);
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain('Línea 2: Establecimiento desconocido: NO-EXISTE.');
    expect(res.stderr).toContain('Línea 3:');
    expect(res.stderr).toContain('No se importó nada.');
    expect(await people([c])).toEqual([]);
  });
});

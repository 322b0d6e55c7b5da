import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QueryTypes, type Sequelize } from 'sequelize';
import { createSequelize } from '../../src/db/sequelize';
import { runCli } from '../support/cli-process';

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

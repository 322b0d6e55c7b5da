import {
  unconfirmedRegions,
  isApplicable,
  MAX_IMPORT_ROWS,
  planEstablishmentImport,
  type ExistingEstablishment,
} from '../../src/domain/establishments/import-plan';

const csv = (...lines: string[]) => lines.join('\n') + '\n';
const existing: ExistingEstablishment[] = [
  {
    code: 'HR-CDE',
    name: 'Hospital Regional de Ciudad del Este',
    regionName: 'Alto Paraná',
    active: true,
  },
  { code: 'USF-ITA', name: 'USF Itá Centro', regionName: 'Central', active: true },
  { code: 'HD-LUQ', name: 'Hospital Distrital de Luque', regionName: 'Central', active: false },
];
const sameAsExisting = csv(
  'código,nombre,región',
  'HR-CDE,Hospital Regional de Ciudad del Este,ALTO PARANA',
  'usf-ita,  USF  Itá Centro ,Central',
);

describe('planEstablishmentImport: reading the file', () => {
  it.each([
    [
      'BOM + CRLF + ;',
      '\uFEFFcode;name;region\r\nA1;Hospital Uno;Central\r\nA2;Hospital Dos;Central\r\n',
    ],
    [
      'Spanish headers with accents',
      'Código,Nombre,Región Sanitaria\nA1,Hospital Uno,Central\nA2,Hospital Dos,Central',
    ],
    [
      'upper-case headers, extra columns, other order',
      'NOMBRE;Teléfono;REGION;CODIGO\nHospital Uno;021;Central;A1\nHospital Dos;;Central;a2\n',
    ],
    [
      'quoted fields with the delimiter inside',
      'code;name;region\nA1;"Hospital; Uno";Central\nA2;"Hospital ""Dos""";Central\n',
    ],
  ])('when the file has %s then every row is planned', (_, text) => {
    const plan = planEstablishmentImport(text, []);
    expect(plan.errors).toEqual([]);
    expect(plan.rows.map((r) => [r.line, r.code, r.action])).toEqual([
      [2, 'A1', 'create'],
      [3, 'A2', 'create'],
    ]);
    expect(plan.counts).toEqual({ create: 2, update: 0, unchanged: 0 });
    expect(isApplicable(plan)).toBe(true);
  });

  it.each([
    ['a code is missing', 'nombre,región\nX,Y', 1, 'Falta la columna "código" en el encabezado.'],
    [
      'two columns are missing',
      'codigo;telefono\nA1;021',
      1,
      'Faltan las columnas "nombre", "región" en el encabezado.',
    ],
    ['the file is empty', '\uFEFF\r\n', 1, 'El archivo está vacío.'],
    [
      'a quote is never closed',
      csv('code,name,region', 'A1,Uno Uno,Central', 'A2,"Dos,Central', 'A3,Tres,Central'),
      4,
      'El archivo CSV está mal formado: hay comillas sin cerrar después de la línea 2.',
    ],
    [
      'it was saved as Windows-1252',
      csv('code,name,region', 'A1,Hospital \uFFFDanduti,Central'),
      2,
      'El archivo no está en UTF-8: guárdelo desde Excel como «CSV UTF-8».',
    ],
  ])('when %s then one error at its line and no rows', (_, text, line, message) => {
    const plan = planEstablishmentImport(text, []);
    expect(plan.errors).toEqual([{ line, message }]);
    expect(plan.rows).toEqual([]);
    expect(isApplicable(plan)).toBe(false);
  });

  it('when there are more rows than the cap then one error and no rows', () => {
    const rows = Array.from(
      { length: MAX_IMPORT_ROWS + 1 },
      (_, i) => `C${i},Hospital ${i},Central`,
    );
    const plan = planEstablishmentImport(csv('code,name,region', ...rows), []);
    expect(plan.errors).toEqual([
      { line: MAX_IMPORT_ROWS + 2, message: expect.stringContaining('el máximo es 5000') },
    ]);
    expect(plan.rows).toEqual([]);
  });

  it('when the file is larger than 2 MB then one error and no rows', () => {
    const plan = planEstablishmentImport(
      csv('code,name,region', `A1,${'x'.repeat(2_100_000)},C`),
      [],
    );
    expect(plan.errors).toEqual([{ line: 1, message: 'El archivo supera el máximo de 2 MB.' }]);
    expect(plan.rows).toEqual([]);
  });
});

describe('planEstablishmentImport: row errors by physical line', () => {
  const text = [
    'code;name;region',
    'A1;"Hospital',
    'Uno";Central', // a quoted name over lines 2–3
    '',
    'A 2;Hospital Dos;Central', // line 5, after a blank line
    'A3;  ;Central', // line 6
    ';;', // line 7: Excel's empty row, skipped
    'a1;Otro Hospital;Central', // line 8: duplicate of line 2
    'A4;Hospital Cuatro;X', // line 9
    'A5;Hospital Cinco;Central', // line 10, fine
  ].join('\r\n');
  const plan = planEstablishmentImport(text, []);

  it.each([
    [5, 'Código de establecimiento inválido "A 2": use letras, números, punto o guion (hasta 32).'],
    [6, 'El nombre del establecimiento A3 es obligatorio (al menos 3 caracteres).'],
    [8, 'El código A1 está repetido: ya aparece en la línea 2.'],
    [9, 'La región del establecimiento A4 es obligatoria.'],
  ])('when line %i is wrong then its error names that line', (line, message) => {
    expect(plan.errors).toContainEqual({ line, message });
  });

  it('when rows have errors then only the valid rows are planned and nothing applies', () => {
    expect(plan.errors).toHaveLength(4);
    expect(plan.rows.map((r) => [r.line, r.code, r.name])).toEqual([
      [2, 'A1', 'Hospital Uno'],
      [10, 'A5', 'Hospital Cinco'],
    ]);
    expect(isApplicable(plan)).toBe(false);
  });
});

describe('planEstablishmentImport: matching by code', () => {
  it('when the same content is imported again then every row is unchanged', () => {
    const plan = planEstablishmentImport(sameAsExisting, existing);
    expect(plan.rows.map((r) => [r.code, r.action, r.changes])).toEqual([
      ['HR-CDE', 'unchanged', []],
      ['USF-ITA', 'unchanged', []],
    ]);
    expect(plan.counts).toEqual({ create: 0, update: 0, unchanged: 2 });
  });

  it.each([
    [
      'the name changed',
      'USF-ITA,USF Itá Centro Nuevo,Central',
      ['nombre: "USF Itá Centro" → "USF Itá Centro Nuevo"'],
    ],
    [
      'the región changed',
      'HR-CDE,Hospital Regional de Ciudad del Este,Canindeyú',
      ['región: "Alto Paraná" → "Canindeyú"'],
    ],
    ['an inactive one is listed', 'HD-LUQ,Hospital Distrital de Luque,Central', ['reactivado']],
    [
      'all three changed',
      'HD-LUQ,Hospital de Luque,Cordillera',
      [
        'nombre: "Hospital Distrital de Luque" → "Hospital de Luque"',
        'región: "Central" → "Cordillera"',
        'reactivado',
      ],
    ],
  ])('when %s then an update lists the changes', (_, row, changes) => {
    const plan = planEstablishmentImport(csv('code,name,region', row), existing);
    expect(plan.rows).toEqual([expect.objectContaining({ line: 2, action: 'update', changes })]);
    expect(plan.counts).toEqual({ create: 0, update: 1, unchanged: 0 });
    expect(isApplicable(plan)).toBe(true);
  });

  it('when a code is new then it is created and nothing is planned for the ones missing from the file', () => {
    const plan = planEstablishmentImport(
      csv('code,name,region', 'NEW-1,Puesto de Salud Nuevo,Guairá'),
      existing,
    );
    expect(plan.rows).toEqual([
      {
        line: 2,
        code: 'NEW-1',
        name: 'Puesto de Salud Nuevo',
        region: 'Guairá',
        action: 'create',
        changes: [],
        newRegion: true,
      },
    ]);
    expect(plan.counts).toEqual({ create: 1, update: 0, unchanged: 0 });
  });
});

describe('planEstablishmentImport: regiones that do not exist yet', () => {
  it('when a row names an unknown región then it is listed once with its lines, and a close existing name is suggested', () => {
    const plan = planEstablishmentImport(
      csv(
        'code,name,region',
        'N-1,Puesto Uno,Centrall',
        'N-2,Puesto Dos,Guairá',
        'N-3,Puesto Tres,CENTRALL',
        'N-4,Puesto Cuatro,Central',
      ),
      existing,
      ['Central', 'Alto Paraná', 'Itapúa'],
    );
    expect(plan.newRegions).toEqual([
      { name: 'Centrall', lines: [2, 4], suggestion: 'Central' },
      { name: 'Guairá', lines: [3], suggestion: null },
    ]);
    expect(plan.rows.map((r) => r.newRegion)).toEqual([true, true, true, false]);
    expect(unconfirmedRegions(plan, ['guaira']).map((r) => r.name)).toEqual(['Centrall']);
    expect(unconfirmedRegions(plan, ['Guairá', 'Centrall'])).toEqual([]);
  });

  it('when a región exists without establishments then it is not new', () => {
    const plan = planEstablishmentImport(
      csv('code,name,region', 'N-1,Puesto Uno,Itapúa'),
      [],
      ['Itapúa'],
    );
    expect(plan.newRegions).toEqual([]);
  });
});

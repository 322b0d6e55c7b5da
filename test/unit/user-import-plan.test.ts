import { planUserImport, proposeUsername, cedulasOf } from '../../src/domain/users/import-plan';
import type { ExistingAccount, ImportPlace } from '../../src/domain/users/import-plan';

const place = (code: string, over: Partial<ImportPlace> = {}): ImportPlace => ({
  id: code.length,
  code,
  name: `Hospital ${code}`,
  regionId: 1,
  active: true,
  inScope: true,
  ...over,
});
const places = new Map([
  ['HA-1', place('HA-1')],
  ['HB-22', place('HB-22')],
  ['OFF-333', place('OFF-333', { active: false })],
]);
const plan = (
  csv: string,
  over: { byCedula?: Map<string, ExistingAccount>; usernames?: string[]; regional?: boolean } = {},
) =>
  planUserImport(csv, {
    byCedula: over.byCedula ?? new Map(),
    usernamesInUse: new Set(over.usernames ?? []),
    places,
    today: '2026-11-20',
    latestDay: '2029-11-20',
    canGrant: (role) => role === 'staff' || !over.regional,
  });

describe('proposeUsername', () => {
  it.each([
    ['María José González Benítez', 'mgonzalez'],
    ['Juan Pérez', 'jperez'],
    ['Ña Ñandutí Ávalos', 'nnanduti'],
    ['Lu', 'llu'],
    ['A B', 'abusr'],
    ['  ', 'usuario'],
  ])('when the name is %s then %s is proposed', (name, expected) => {
    expect(proposeUsername(name)).toBe(expected);
  });
});

describe('planUserImport', () => {
  it('when two people would get the same username then the second gets the next free number', () => {
    const result = plan(
      'cédula;Nombre;Establecimientos\n1234567;Juan Pérez;HA-1\n2345678;Julia Pérez;HA-1\n',
      { usernames: ['jperez'] },
    );
    expect(result.errors).toEqual([]);
    expect(result.rows.map((r) => r.username)).toEqual(['jperez2', 'jperez3']);
  });

  it('when the columns come in another order with accents and capitals then they are read', () => {
    const result = plan(
      'Valida_Hasta;ROL;Establecimientos;Nombre;Cédula\n31/12/2027;Auditora;HA-1, HB-22;Ana Ruiz;1.234.567\n',
    );
    expect(result.errors).toEqual([]);
    expect(result.rows[0]).toMatchObject({
      documentNumber: '1234567',
      role: 'auditor',
      validUntil: '2027-12-31',
      establishments: [
        expect.objectContaining({ code: 'HA-1' }),
        expect.objectContaining({ code: 'HB-22' }),
      ],
    });
  });

  it('when a date is beyond the longest validity or a place is inactive then the line says why', () => {
    const result = plan(
      'cedula;nombre;establecimientos;valida_hasta\n1234567;Ana Ruiz;HA-1;01/01/2030\n2345678;Eva Ruiz;OFF-333;\n',
    );
    expect(result.errors).toEqual([
      {
        line: 2,
        message:
          'La fecha 01/01/2030 está demasiado lejos: una cuenta temporal vale como máximo 36 meses.',
      },
      { line: 3, message: 'El establecimiento OFF-333 está inactivo.' },
    ]);
  });

  it('when a regional admin names a role they cannot grant then the line is refused', () => {
    const result = plan(
      'cedula;nombre;establecimientos;rol\n1234567;Ana Ruiz;HA-1;administrador\n',
      {
        regional: true,
      },
    );
    expect(result.errors).toEqual([
      { line: 2, message: 'No puede otorgar el rol administrador en la región de HA-1.' },
    ]);
  });

  it('when an existing account already has everything then it is unchanged; a new place is an update', () => {
    const existing: ExistingAccount = {
      id: 9,
      username: 'aruiz',
      documentNumber: '1234567',
      fullName: 'Ana Ruiz',
      email: null,
      validUntil: null,
      establishmentIds: [places.get('HA-1')!.id],
      roles: ['staff'],
      manageable: true,
    };
    const byCedula = new Map([['1234567', existing]]);
    expect(
      plan('cedula;nombre;establecimientos\n1234567;Ana Ruiz;HA-1\n', { byCedula }).counts,
    ).toEqual({
      create: 0,
      update: 0,
      unchanged: 1,
    });
    const moved = plan('cedula;nombre;establecimientos\n1234567;Ana Ruiz;HB-22\n', { byCedula });
    expect(moved.rows[0]).toMatchObject({ action: 'update', changes: ['se asigna HB-22'] });
  });

  it('when the file is read for cédulas then they come normalised and once each', () => {
    expect(cedulasOf('cedula;nombre\n1.234.567;A\n1234567;B\nxx;C\n')).toEqual(['1234567']);
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { parse } from 'csv-parse/sync';
import type { Actor } from '../../src/access/actor';
import { RULES } from '../../src/access/policies';
import type { Grant, Place } from '../../src/access/scope';
import { auditScopeOf } from '../../src/domain/audit/audit-scope';
import { storable } from '../../src/storage/audit/chain';
import { CSV_OPTIONS, csvDateTime } from '../../src/web/csv-export';
import {
  describeDetails,
  unlabeledKeys,
  type DetailNames,
} from '../../src/areas/audit/details-view';
import { decodeCursor, encodeCursor } from '../../src/storage/queries/history-cursor';
import { parseAdminFilters, parseLoginFilters } from '../../src/areas/audit/history-filters';
import { containsPattern } from '../../src/storage/sql';
import {
  ACTION_LABELS,
  labelOf,
  REASON_FILTERS,
  REASON_LABELS,
} from '../../src/domain/audit/labels';
import type { SelfAction } from '../../src/domain/audit/self-event';

const E11: Place = { id: 11, regionId: 1 };
const E12: Place = { id: 12, regionId: 1 };
const E21: Place = { id: 21, regionId: 2 };
const ALL = [E11, E12, E21];
const actor = (...grants: Grant[]): Actor => ({
  userId: 7,
  username: 'auditora',
  grants,
  establishmentId: 11,
  establishments: [E11],
});

describe('auditScopeOf: what an auditor may read', () => {
  it.each([
    [
      'a network-wide auditor',
      [{ role: 'auditor', scope: { kind: 'global' } }],
      { kind: 'global' },
    ],
    [
      'a regional auditor',
      [{ role: 'auditor', scope: { kind: 'region', regionId: 1 } }],
      { kind: 'limited', establishmentIds: [11, 12], regionIds: [1] },
    ],
    [
      'an establishment auditor (admin actions: the whole región)',
      [{ role: 'auditor', scope: { kind: 'establishment', establishmentId: 21, regionId: 2 } }],
      { kind: 'limited', establishmentIds: [21], regionIds: [2] },
    ],
    [
      'an auditor of a región and an establishment elsewhere',
      [
        { role: 'auditor', scope: { kind: 'region', regionId: 1 } },
        { role: 'auditor', scope: { kind: 'establishment', establishmentId: 21, regionId: 2 } },
      ],
      { kind: 'limited', establishmentIds: [11, 12, 21], regionIds: [1, 2] },
    ],
    [
      'a global admin who audits one región (admin grants do not widen it)',
      [
        { role: 'admin', scope: { kind: 'global' } },
        { role: 'auditor', scope: { kind: 'region', regionId: 2 } },
      ],
      { kind: 'limited', establishmentIds: [21], regionIds: [2] },
    ],
  ] as [string, Grant[], unknown][])(
    'when %s then the scope is as expected',
    (_who, grants, expected) => {
      expect(auditScopeOf(actor(...grants), ALL)).toEqual(expected);
    },
  );
});

describe('CSV options: spreadsheet-safe cells', () => {
  const csv = (cells: string[]) => stringify([cells], CSV_OPTIONS);

  it.each(['=1+1', '+1', '-1', '@SUM(A1)', '\t=1', '\r=1'])(
    'when a cell starts with %j then a quote mark makes it text',
    (cell) => {
      const rows = parse(csv([cell]).replace(/^\uFEFF/, ''), { delimiter: ';' }) as string[][];
      expect(rows).toEqual([[`'${cell}`]]);
    },
  );

  it('when cells hold a separator, quotes and a newline then they are quoted and read back whole', () => {
    const cells = ['a;b', 'dijo "hola"', 'línea 1\nlínea 2', 'ñandú'];
    const text = csv(cells);
    expect(text.startsWith('\uFEFF')).toBe(true);
    expect(text).toBe('\uFEFF"a;b";"dijo ""hola""";"línea 1\nlínea 2";ñandú\r\n');
    expect(parse(text.slice(1), { delimiter: ';' })).toEqual([cells]);
  });

  it('when a date is written then it is Asunción time, sortable', () => {
    expect(csvDateTime(new Date('2026-11-20T12:12:00Z'))).toBe('2026-11-20 09:12:00');
  });
});

describe('keyset cursor', () => {
  it('when a cursor is issued then it reads back to the same microsecond key', () => {
    const key = { occurredAt: '2026-11-20T12:00:00.123456Z', id: '9007199254740993' };
    expect(decodeCursor(encodeCursor(key))).toEqual(key);
  });

  it.each([
    ['not base64url', 'a b'],
    ['not JSON', Buffer.from('{').toString('base64url')],
    ['no microseconds', Buffer.from('["2026-11-20T12:00:00Z","1"]').toString('base64url')],
    [
      'an id that is not a positive integer',
      Buffer.from('["2026-11-20T12:00:00.000000Z","0"]').toString('base64url'),
    ],
    [
      'SQL in the id',
      Buffer.from('["2026-11-20T12:00:00.000000Z","1 OR 1=1"]').toString('base64url'),
    ],
  ])('when the cursor is %s then it is refused as invalid_cursor', (_what, cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(expect.objectContaining({ code: 'invalid_cursor' }));
  });
});

describe('filters', () => {
  it('when a cédula has dots and dates are given then they become digits and Asunción day bounds', () => {
    const parsed = parseLoginFilters({
      document: '1.234.567',
      from: '2026-11-20',
      to: '2026-11-20',
      user: ' JPerez ',
    });
    expect(parsed).toMatchObject({
      ok: true,
      filters: {
        document: '1234567',
        user: 'jperez',
        from: new Date('2026-11-20T03:00:00Z'),
        to: new Date('2026-11-21T03:00:00Z'),
      },
    });
  });

  it.each([
    [{ ip: '300.1.1.1' }, 'ip'],
    [{ ip: '10.0.0' }, 'ip'],
    [{ document: 'abc' }, 'document'],
    [{ establishment: '-1' }, 'establishment'],
    [{ reason: 'made_up' }, 'reason'],
    [{ method: 'carrier-pigeon' }, 'method'],
    [{ from: '2026-02-30' }, 'from'],
    [{ from: '2026-11-20', to: '2026-11-19' }, 'to'],
  ])('when the query is %j then the field %s carries a Spanish message', (query, field) => {
    const parsed = parseLoginFilters(query);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors[field]).toMatch(/^[A-ZÁÉÍÓÚ]/);
  });

  it('when an IPv6 address is given then it is accepted', () => {
    expect(parseLoginFilters({ ip: '2001:db8::1' })).toMatchObject({
      ok: true,
      filters: { ip: '2001:db8::1' },
    });
  });

  it('when an admin action is not a known code then it is refused', () => {
    expect(parseAdminFilters({ action: 'users.disable' }).ok).toBe(true);
    expect(parseAdminFilters({ action: 'users.fly' }).ok).toBe(false);
  });

  it('when the username holds LIKE wildcards then they are matched literally', () => {
    expect(containsPattern('a_b%c\\')).toBe('%a\\_b\\%c\\\\%');
  });
});

describe('labels of the stored codes', () => {
  it('when docs/audit-codes.md lists a reason code then it has a Spanish label', () => {
    const doc = readFileSync(path.join(__dirname, '..', '..', 'docs', 'audit-codes.md'), 'utf8');
    const section = doc.slice(
      doc.indexOf('## Login history'),
      doc.indexOf('## Administrative actions'),
    );
    const codes = [...section.matchAll(/`([a-z_]+)`/g)]
      .map((m) => m[1]!)
      .filter((c) => c !== 'last_eid_login_at');
    expect(codes.length).toBeGreaterThan(30);
    expect(codes.filter((c) => !(c in REASON_LABELS))).toEqual([]);
  });

  it('when an action exists (policy or self-service) then it has a Spanish label', () => {
    const self: SelfAction[] = [
      'me.changePassword',
      'me.resetPasswordWithEid',
      'me.closeOtherSessions',
    ];
    const actions = [...Object.keys(RULES), ...self, 'audit.export'];
    expect(actions.filter((a) => !(a in ACTION_LABELS))).toEqual([]);
  });

  it('when docs/audit-codes.md lists an action code then it has a Spanish label, and every label is listed', () => {
    const doc = readFileSync(path.join(__dirname, '..', '..', 'docs', 'audit-codes.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## Administrative actions'));
    const codes = new Set([...section.matchAll(/`([a-z]+(?:\.[a-zA-Z]+)?)`/g)].map((m) => m[1]!));
    expect([...codes].filter((c) => c.includes('.') && !(c in ACTION_LABELS))).toEqual([]);
    expect(Object.keys(ACTION_LABELS).filter((c) => !codes.has(c))).toEqual([]);
  });

  it('when the "Motivo" filter groups reasons then every stored reason is in exactly one choice', () => {
    const grouped = REASON_FILTERS.flatMap((g) => g.choices.flatMap((c) => c.codes));
    expect([...grouped].sort()).toEqual(Object.keys(REASON_LABELS).sort());
    expect(new Set(grouped).size).toBe(grouped.length);
  });

  it('when a code has no label (a newer one) then the code itself is shown', () => {
    expect(labelOf(REASON_LABELS, 'bad_password')).toBe('Contraseña incorrecta');
    expect(labelOf(REASON_LABELS, 'future_code')).toBe('future_code');
  });
});

describe('what changed, in words', () => {
  it('when before and after are objects then one line per changed field, in Spanish', () => {
    expect(
      describeDetails({
        code: 'H-1',
        before: { name: 'Hospital A', active: true, region: 'Central' },
        after: { name: 'Hospital B', active: false, region: 'Central' },
      }),
    ).toEqual(['Nombre: Hospital A → Hospital B', 'Activo: Sí → No', 'Código: H-1']);
  });

  it('when a status changes then its values are named', () => {
    expect(
      describeDetails({ before: { status: 'active' }, after: { status: 'disabled' } }),
    ).toEqual(['Estado: Activo → Deshabilitado']);
  });

  it('when something is created then the before side is empty', () => {
    expect(describeDetails({ before: null, after: { code: 'R1', name: 'Central' } })).toEqual([
      'Código: — → R1',
      'Nombre: — → Central',
    ]);
  });

  it('when before and after are plain values then one line says so, dates dd/mm/aaaa', () => {
    expect(describeDetails({ before: { Central: null }, after: '2027-03-01' })).toEqual([
      'Central: — → 01/03/2027',
    ]);
  });

  it('when an exemption ends then its last day is said, inclusive, never the next midnight', () => {
    // Stored as the first instant of the next day in Asunción (01/04/2027 00:00, UTC−3).
    expect(
      describeDetails({
        before: { until: null, reason: null },
        after: { until: '2027-04-01T03:00:00.000Z', reason: 'Sin celular' },
      }),
    ).toEqual(['Exención: — → hasta el 31/03/2027 inclusive', 'Motivo: — → Sin celular']);
  });

  it('when an instant is recorded then it is shown in Asunción time', () => {
    expect(describeDetails({ firstFailureAt: '2026-12-01T03:00:00.000Z' })).toEqual([
      'Primer sondeo fallido: 01/12/2026 00:00',
    ]);
  });

  const names: DetailNames = {
    establishment: (id) => (id === 7 ? 'Hospital Regional de Luque' : undefined),
    region: (id) => (id === 2 ? 'Central' : undefined),
  };

  it('when a role is granted then the role and its scope are named, not numbered', () => {
    expect(describeDetails({ grant: { id: 41, role: 'admin', scope: 'region:2' } }, names)).toEqual(
      ['Rol: Administrador · Región Central'],
    );
    expect(
      describeDetails(
        { scope: { kind: 'establishment', establishmentId: 7, regionId: 2 }, role: 'auditor' },
        names,
      ),
    ).toEqual(['Alcance: Hospital Regional de Luque', 'Rol: Auditor']);
    expect(describeDetails({ scope: { kind: 'global' } }, names)).toEqual(['Alcance: Toda la red']);
  });

  it('when a session is ended then it reads when and where it started, without its handle', () => {
    const lines = describeDetails(
      {
        session: {
          handle: 'abcdefghijklmnopqrstuv',
          establishmentId: 7,
          ip: '10.0.0.5',
          startedAt: '2026-11-20T12:00:00.000Z',
        },
      },
      names,
    );
    expect(lines).toEqual([
      'Sesión: iniciada el 20/11/2026 09:00, en Hospital Regional de Luque, IP 10.0.0.5',
    ]);
    expect(lines.join()).not.toContain('abcdefghij');
  });

  it('when internal flags are recorded then they read in Spanish', () => {
    expect(
      describeDetails(
        { wasLocked: false, accountKind: 'eid', establishments: [{ id: 7, code: 'H-7' }] },
        names,
      ),
    ).toEqual([
      'Estaba bloqueada: No',
      'Tipo de cuenta: Solo Identidad Electrónica',
      'Establecimientos: Hospital Regional de Luque',
    ]);
  });

  it('when a key has no Spanish label then unlabeledKeys names it (and only it)', () => {
    expect(
      unlabeledKeys({ before: { name: 'a' }, after: { name: 'b', shinyNewFlag: true }, id: 3 }),
    ).toEqual(['shinyNewFlag']);
  });
});

describe('storable: audit fields as PostgreSQL stores them', () => {
  it('when a string holds NUL or an unpaired surrogate then each becomes U+FFFD, pairs and other values unchanged', () => {
    const when = new Date('2026-11-29T12:00:00Z');
    expect(storable('a\u0000b')).toBe('a\uFFFDb');
    expect(storable('\uD800x\uDC00')).toBe('\uFFFDx\uFFFD');
    expect(storable('ok \uD83D\uDE00')).toBe('ok \uD83D\uDE00');
    expect(storable({ when, n: 1, list: ['\u0000'], nested: { '\u0000': null } })).toEqual({
      when,
      n: 1,
      list: ['\uFFFD'],
      nested: { '\uFFFD': null },
    });
    expect(storable({ when }).when).toBe(when);
  });
});

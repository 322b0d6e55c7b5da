import { headerKey, readCsvTable } from '../establishments/csv-table';
import { normalizeCedula, CEDULA_MESSAGE } from '../../shared/cedula';
import { isoDateInZone, startOfDayInZone } from '../../shared/time';
import type { Role } from '../../shared/roles';
import { USERNAME_PATTERN } from './create-user-schema';

/**
 * The list Human Resources sends (residents, interns, contract workers), planned before anything
 * is written: one line per person, matched by cédula (the same file twice changes nothing), each
 * new, updated, unchanged or refused with its reason in Spanish. Pure: the caller gives what is
 * stored and what the importer may reach.
 */

/** The limits that keep a wrong file from tying up a server (a year's intake is hundreds). */
export const MAX_USER_IMPORT_ROWS = 5000;
export const MAX_USER_IMPORT_BYTES = 2 * 1024 * 1024;

type Column = 'cedula' | 'name' | 'username' | 'email' | 'establishments' | 'role' | 'validUntil';

/** Accepted header names, compared after `headerKey` (no case, no accents). */
const COLUMNS: Record<Column, { label: string; names: string[]; required: boolean }> = {
  cedula: { label: 'cedula', names: ['cedula', 'documento', 'ci'], required: true },
  name: { label: 'nombre', names: ['nombre', 'nombre completo'], required: true },
  username: { label: 'usuario', names: ['usuario'], required: false },
  email: { label: 'email', names: ['email', 'correo'], required: false },
  establishments: {
    label: 'establecimientos',
    names: ['establecimientos', 'establecimiento'],
    required: true,
  },
  role: { label: 'rol', names: ['rol'], required: false },
  validUntil: { label: 'valida_hasta', names: ['valida hasta', 'vence'], required: false },
};

/** The file's role words; staff when empty. */
const ROLE_WORDS: Record<string, Role> = {
  '': 'staff',
  staff: 'staff',
  personal: 'staff',
  'personal de salud': 'staff',
  admin: 'admin',
  administrador: 'admin',
  administradora: 'admin',
  auditor: 'auditor',
  auditora: 'auditor',
};

/** A stored account as the plan compares it. */
export interface ExistingAccount {
  id: number;
  username: string;
  documentNumber: string;
  fullName: string;
  email: string | null;
  validUntil: Date | null;
  establishmentIds: number[];
  roles: Role[];
  /** The importer manages this person (every place in their scope, no higher power). */
  manageable: boolean;
}

/** A place the file may name, by code. */
export interface ImportPlace {
  id: number;
  code: string;
  name: string;
  regionId: number;
  active: boolean;
  /** Inside the importer's admin scope. */
  inScope: boolean;
}

export interface PlannedPerson {
  line: number;
  action: 'create' | 'update' | 'unchanged';
  documentNumber: string;
  fullName: string;
  username: string;
  /** The username was proposed from the name (the file left it empty). */
  proposed: boolean;
  email: string | null;
  role: Role;
  /** Establishments to have: for an update, the ones to add to those the person has. */
  establishments: ImportPlace[];
  /** aaaa-mm-dd, or null: no end. */
  validUntil: string | null;
  /** For an update: the existing account and what changes, in Spanish. */
  existingId: number | null;
  changes: string[];
}

export interface UserImportPlan {
  rows: PlannedPerson[];
  errors: { line: number; message: string }[];
  counts: { create: number; update: number; unchanged: number };
}

const clean = (value: string | undefined) => (value ?? '').trim().replace(/\s+/g, ' ');

/** "María José González Benítez" → "mgonzalez": ASCII, lower case, as the screens require. */
export function proposeUsername(fullName: string): string {
  const words = fullName
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z ]/g, '')
    .split(' ')
    .filter(Boolean);
  if (words.length === 0) return 'usuario';
  // First name's initial and the first surname: the second word when there are two or three,
  // the third when there are four (two given names, two surnames).
  const surname = words.length >= 4 ? words[2]! : (words[1] ?? words[0]!);
  const base = `${words[0]![0]}${surname}`;
  return base.length >= 3 ? base.slice(0, 40) : `${base}usr`;
}

/** The cédulas the file names (normalised), to look their accounts up before planning. */
export function cedulasOf(csvText: string): string[] {
  const table = readCsvTable(csvText);
  if (!table.ok) return [];
  const column = table.header.cells
    .map(headerKey)
    .findIndex((key) => COLUMNS.cedula.names.includes(key));
  if (column < 0) return [];
  return [
    ...new Set(
      table.rows.flatMap(({ cells }) => {
        const cedula = normalizeCedula(clean(cells[column]));
        return cedula ? [cedula] : [];
      }),
    ),
  ];
}

/** dd/mm/aaaa → aaaa-mm-dd, or null when it is not a calendar day. */
function parseDay(text: string): string | null {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text);
  if (!m) return null;
  const iso = `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}`;
  return isoDateInZone(startOfDayInZone(iso)) === iso ? iso : null;
}

/**
 * Plans the file against the stored accounts (`byCedula`), the usernames in use and the places
 * the file may name. `today` (aaaa-mm-dd in Asunción) bounds the "válida hasta" dates.
 */
export function planUserImport(
  csvText: string,
  stored: {
    byCedula: Map<string, ExistingAccount>;
    usernamesInUse: Set<string>;
    places: Map<string, ImportPlace>;
    today: string;
    /** The last day a "válida hasta" may name (aaaa-mm-dd): temporary accounts are renewed. */
    latestDay: string;
    /** Whether the importer may grant `role` in the región (staff: always). */
    canGrant: (role: Role, regionId: number) => boolean;
  },
): UserImportPlan {
  const empty = (line: number, message: string): UserImportPlan => ({
    rows: [],
    errors: [{ line, message }],
    counts: { create: 0, update: 0, unchanged: 0 },
  });
  if (Buffer.byteLength(csvText, 'utf8') > MAX_USER_IMPORT_BYTES)
    return empty(1, 'El archivo supera el máximo de 2 MB.');
  const table = readCsvTable(csvText);
  if (!table.ok) return empty(table.line, table.message);
  if (table.rows.length > MAX_USER_IMPORT_ROWS)
    return empty(
      table.rows[MAX_USER_IMPORT_ROWS]?.line ?? 1,
      `El archivo tiene ${table.rows.length} filas; el máximo es ${MAX_USER_IMPORT_ROWS}. Divídalo en varios archivos.`,
    );
  const keys = table.header.cells.map(headerKey);
  const index = {} as Record<Column, number>;
  const missing: string[] = [];
  for (const column of Object.keys(COLUMNS) as Column[]) {
    const { label, names, required } = COLUMNS[column];
    index[column] = keys.findIndex((key) => names.includes(key.replace(/_/g, ' ')));
    if (index[column] < 0 && required) missing.push(`"${label}"`);
  }
  if (missing.length)
    return empty(
      table.header.line,
      `${missing.length === 1 ? 'Falta la columna' : 'Faltan las columnas'} ${missing.join(', ')} en el encabezado.`,
    );

  const plan: UserImportPlan = {
    rows: [],
    errors: [],
    counts: { create: 0, update: 0, unchanged: 0 },
  };
  const seenCedula = new Map<string, number>();
  const taken = new Set(stored.usernamesInUse);
  for (const { line, cells } of table.rows) {
    const cell = (c: Column) => (index[c] >= 0 ? clean(cells[index[c]]) : '');
    const fail = (message: string) => plan.errors.push({ line, message });
    const before = plan.errors.length;

    const cedula = normalizeCedula(cell('cedula'));
    if (!cell('cedula')) fail('Falta la cédula.');
    else if (!cedula) fail(CEDULA_MESSAGE);
    else if (seenCedula.has(cedula))
      fail(`La cédula ${cedula} está repetida: ya aparece en la línea ${seenCedula.get(cedula)}.`);
    else seenCedula.set(cedula, line);

    const fullName = cell('name');
    if (fullName.length < 3) fail('Falta el nombre completo (al menos 3 letras).');
    else if (fullName.length > 200) fail('El nombre admite hasta 200 caracteres.');

    const email = cell('email') || null;
    if (email && (email.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)))
      fail(`Correo inválido "${email}".`);

    const role = ROLE_WORDS[headerKey(cell('role'))];
    if (!role) fail(`Rol desconocido "${cell('role')}": use personal, administrador o auditor.`);

    const codes = [
      ...new Set(
        cell('establishments')
          .split(/[,|]/)
          .map((c) => c.trim().toUpperCase())
          .filter(Boolean),
      ),
    ];
    const places: ImportPlace[] = [];
    if (codes.length === 0) fail('Falta al menos un código de establecimiento.');
    for (const code of codes) {
      const place = stored.places.get(code);
      if (!place) fail(`Establecimiento desconocido: ${code}.`);
      else if (!place.active) fail(`El establecimiento ${code} está inactivo.`);
      else if (!place.inScope) fail(`El establecimiento ${code} está fuera de su alcance.`);
      else places.push(place);
    }

    if (role && role !== 'staff' && places[0] && !stored.canGrant(role, places[0].regionId))
      fail(`No puede otorgar el rol ${cell('role')} en la región de ${places[0].code}.`);

    let validUntil: string | null = null;
    if (cell('validUntil')) {
      validUntil = parseDay(cell('validUntil'));
      if (!validUntil) fail(`Fecha inválida "${cell('validUntil')}": use dd/mm/aaaa.`);
      else if (validUntil <= stored.today)
        fail(`La fecha ${cell('validUntil')} ya pasó: debe ser posterior a hoy.`);
      else if (validUntil > stored.latestDay)
        fail(
          `La fecha ${cell('validUntil')} está demasiado lejos: una cuenta temporal vale como máximo 36 meses.`,
        );
    }

    const existing = cedula ? stored.byCedula.get(cedula) : undefined;
    if (existing && !existing.manageable)
      fail('No se puede usar esa cédula; consulte a un administrador de la red.');

    let username = cell('username').toLowerCase();
    let proposed = false;
    if (existing) username = existing.username;
    else if (!username) {
      proposed = true;
      const base = proposeUsername(fullName);
      username = base;
      for (let n = 2; taken.has(username); n++) username = `${base}${n}`;
    } else if (!USERNAME_PATTERN.test(username))
      fail(
        `Usuario inválido "${username}": de 3 a 50 letras minúsculas, números, punto, guion o guion bajo, empezando por una letra.`,
      );
    else if (taken.has(username)) fail(`El usuario ${username} ya está en uso.`);
    if (plan.errors.length > before || !cedula || !role) continue;
    taken.add(username);

    if (!existing) {
      plan.rows.push({
        line,
        action: 'create',
        documentNumber: cedula,
        fullName,
        username,
        proposed,
        email,
        role,
        establishments: places,
        validUntil,
        existingId: null,
        changes: [],
      });
      plan.counts.create++;
      continue;
    }
    const changes: string[] = [];
    if (existing.fullName !== fullName)
      changes.push(`nombre: "${existing.fullName}" → "${fullName}"`);
    if ((existing.email ?? null) !== email && email !== null)
      changes.push(`correo: "${existing.email ?? ''}" → "${email}"`);
    const added = places.filter((p) => !existing.establishmentIds.includes(p.id));
    if (added.length) changes.push(`se asigna ${added.map((p) => p.code).join(', ')}`);
    const storedDay = existing.validUntil
      ? isoDateInZone(new Date(existing.validUntil.getTime() - 1))
      : null;
    if (validUntil !== null && storedDay !== validUntil)
      changes.push(`válida hasta: ${storedDay ?? 'sin vencimiento'} → ${validUntil}`);
    if (!existing.roles.includes(role)) changes.push(`se agrega el rol ${role}`);
    plan.rows.push({
      line,
      action: changes.length ? 'update' : 'unchanged',
      documentNumber: cedula,
      fullName,
      username,
      proposed: false,
      email: email ?? existing.email,
      role,
      establishments: added,
      validUntil: validUntil ?? storedDay,
      existingId: existing.id,
      changes,
    });
    plan.counts[changes.length ? 'update' : 'unchanged']++;
  }
  return plan;
}

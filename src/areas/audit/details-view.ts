import dayjs from 'dayjs';
import { DECISION_LABELS, parseRoleCode } from '../../domain/reviews/labels';
import { formatDateTime, isoDateInZone } from '../../shared/time';
import { ROLE_LABELS } from '../../shared/roles';
import { REASON_LABELS } from '../../domain/audit/labels';

/**
 * An admin_events row's `details` as readable Spanish lines: "Nombre: Hospital A → Hospital B".
 * Commands record `{ before, after }` for what they changed, sometimes beside other facts
 * (`code`, `counts`, a refusal's `reason`); any shape is shown. Every key has a Spanish label;
 * internal ones (a session's handle, a row's id, a scope's `kind`) are not shown: they stay in
 * the CSV's "Detalles (código)" column. Establishments, regiones and scopes are named, not
 * numbered; dates read dd/mm/aaaa.
 */

/** Names of the places that details mention by id (the audit pages load them whole). */
export interface DetailNames {
  establishment(id: number): string | undefined;
  region(id: number): string | undefined;
}

export const NO_NAMES: DetailNames = { establishment: () => undefined, region: () => undefined };

export const KEY_LABELS: Readonly<Record<string, string>> = {
  name: 'Nombre',
  fullName: 'Nombre',
  code: 'Código',
  region: 'Región sanitaria',
  regionId: 'Región sanitaria',
  active: 'Activo',
  status: 'Estado',
  username: 'Usuario',
  email: 'Correo',
  document: 'Cédula',
  documentNumber: 'Cédula',
  role: 'Rol',
  roles: 'Roles',
  scope: 'Alcance',
  grant: 'Rol',
  establishment: 'Establecimiento',
  establishmentId: 'Establecimiento',
  establishments: 'Establecimientos',
  until: 'Exención',
  validUntil: 'Vigencia',
  lastActivity: 'Última actividad',
  inactiveDays: 'Días sin actividad para deshabilitar',
  reason: 'Motivo',
  refused: 'Motivo del rechazo',
  fields: 'Datos en conflicto',
  eidRequiredSince: 'Identidad Electrónica obligatoria desde',
  previous: 'Fechas anteriores',
  assignedUsers: 'Usuarios asignados',
  sessions: 'Sesiones',
  sessionsEnded: 'Sesiones cerradas',
  fileName: 'Archivo',
  sha256: 'Huella SHA-256 del archivo',
  counts: 'Cantidades',
  changes: 'Cambios',
  version: 'Versión',
  previousVersion: 'Versión anterior',
  title: 'Título',
  create: 'Nuevos',
  update: 'Con cambios',
  unchanged: 'Sin cambios',
  regionsCreated: 'Regiones creadas',
  regionCreated: 'Región creada',
  table: 'Registro',
  view: 'Vista',
  filters: 'Filtros',
  rows: 'Filas',
  complete: 'Completa',
  lockoutStarted: 'Bloqueo iniciado',
  mustChangePassword: 'Debe cambiar la contraseña',
  hadPassword: 'Tenía contraseña',
  wasLocked: 'Estaba bloqueada',
  accountKind: 'Tipo de cuenta',
  firstPassword: 'Primera contraseña del HIS',
  oneTimePasswordReplaced: 'Reemplazó una contraseña de un solo uso',
  eidBindingsRemoved: 'Vínculos con la Identidad Electrónica quitados',
  eidStepUpSkipped: 'Sin verificación de Identidad Electrónica (proveedor caído)',
  all: 'Todas',
  open: 'Abiertas',
  session: 'Sesión',
  startedAt: 'Inicio',
  ip: 'IP',
  // The filters of an audit export, as typed (history-filters.ts).
  user: 'Usuario',
  userId: 'Persona (n.º de cuenta)',
  cedula: 'Cédula',
  method: 'Método',
  outcome: 'Resultado',
  action: 'Acción',
  from: 'Desde',
  to: 'Hasta',
  // audit:purge (purge.ts): the cutoff, who ran it, and where each chain now starts.
  cutoffDate: 'Depurado antes del',
  cutoff: 'Corte',
  operator: 'Usuario del sistema',
  chains: 'Cadenas',
  login_events: 'Historial de ingresos',
  admin_events: 'Acciones administrativas',
  rowsRemoved: 'Registros eliminados',
  firstId: 'Continúa en el registro',
  prevHash: 'Hash anterior',
  // The e-ID provider's changes of state (src/domain/authentication/eid-state-audit.ts).
  failedProbes: 'Sondeos fallidos seguidos',
  firstFailureAt: 'Primer sondeo fallido',
  // Periodic access reviews (src/domain/reviews).
  review: 'Revisión',
  reviewId: 'Revisión (n.º)',
  decision: 'Decisión',
  lastDay: 'Último día',
  suspendUnreviewed: 'Quitar roles a quienes queden sin revisar',
  unreviewed: 'Personas sin revisar',
  suspended: 'Personas que perdieron roles',
  suspendedRoles: 'Roles quitados',
  // The HIS modules (OpenID clients).
  redirectUris: 'Direcciones de retorno',
  postLogoutRedirectUris: 'Direcciones de retorno al cerrar sesión',
  backchannelLogoutUri: 'Cierre de sesión (back-channel)',
  attempts: 'Intentos',
};

/** Internal keys: not shown on screen (the CSV's code column keeps them). */
export const HIDDEN_KEYS: ReadonlySet<string> = new Set(['id', 'handle', 'kind']);

/** Stored codes with a Spanish name, by the key they appear under. */
const VALUE_LABELS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  status: { active: 'Activo', disabled: 'Deshabilitado' },
  role: ROLE_LABELS,
  table: { login_events: 'Historial de ingresos', admin_events: 'Acciones administrativas' },
  accountKind: {
    password: 'Con contraseña de un solo uso',
    eid: 'Solo Identidad Electrónica',
    operatorPassword: 'Con contraseña elegida por el operador del servidor',
  },
  refused: { taken_outside_scope: 'Usuario o cédula de otra persona, fuera de su alcance' },
  fields: { username: 'Usuario', documentNumber: 'Cédula' },
  reason: {
    ...REASON_LABELS,
    eid_required: 'La cuenta no tiene contraseña del HIS',
    bad_current_password: 'Contraseña actual incorrecta',
  },
  outcome: { success: 'Éxito', failure: 'Fallido', info: 'Información', denied: 'Rechazado' },
  method: { classic: 'Usuario y contraseña', eid: 'Identidad Electrónica', session: 'Sesión' },
  view: {},
  decision: DECISION_LABELS,
};

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

const MAX_TEXT = 300;

const keyLabel = (key: string) => KEY_LABELS[key] ?? key;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const dateText = (iso: string) => dayjs(iso).format('DD/MM/YYYY');

/** "hasta el 31/03/2027 inclusive" for a stored end (the first instant after that day). */
const lastDayText = (value: unknown, none = '—') =>
  typeof value === 'string' && ISO_INSTANT.test(value)
    ? `hasta el ${dateText(isoDateInZone(new Date(Date.parse(value) - 1)))} inclusive`
    : none;

/** "Toda la red", "Región Central", "Hospital Regional de Luque": a role's scope by name. */
function scopeText(value: unknown, names: DetailNames): string {
  if (value === 'global' || (isRecord(value) && value.kind === 'global')) return 'Toda la red';
  let kind: unknown;
  let id: unknown;
  if (typeof value === 'string') [kind, id] = value.split(':');
  else if (isRecord(value)) {
    kind = value.kind;
    id = kind === 'region' ? value.regionId : value.establishmentId;
  }
  const n = Number(id);
  if (kind === 'region') return `Región ${names.region(n) ?? `n.º ${n}`}`;
  if (kind === 'establishment') return names.establishment(n) ?? `Establecimiento n.º ${n}`;
  return valueText(value, undefined, names);
}

/** An establishment recorded as `{ id, code, name }`, as an id, or as a filter's typed id. */
function establishmentText(value: unknown, names: DetailNames): string {
  if (isRecord(value)) {
    const id = Number(value.id);
    const name = typeof value.name === 'string' ? value.name : names.establishment(id);
    const code = typeof value.code === 'string' ? value.code : null;
    // By name on screen (the code stays in the CSV's code column); the code when nothing else.
    if (name) return name;
    return code ?? `n.º ${id}`;
  }
  const id = Number(value);
  if (Number.isInteger(id) && id > 0) return names.establishment(id) ?? `n.º ${id}`;
  return valueText(value, undefined, names);
}

/** Values that need more than a label: places by name, exemptions as their last day. */
const SPECIAL: Readonly<Record<string, (value: unknown, names: DetailNames) => string>> = {
  scope: scopeText,
  grant: (value, names) =>
    isRecord(value)
      ? `${ROLE_LABELS[value.role as keyof typeof ROLE_LABELS] ?? String(value.role)} · ${scopeText(value.scope, names)}`
      : valueText(value, undefined, names),
  establishment: establishmentText,
  establishmentId: establishmentText,
  // `admin@region:3`: a role removed at a review's close (src/storage/access-reviews.ts).
  suspendedRoles: (value, names) =>
    Array.isArray(value) && value.length
      ? value
          .map((v) => {
            const { role, scope } = parseRoleCode(String(v));
            return `${ROLE_LABELS[role] ?? String(role)} · ${scopeText(scope, names)}`;
          })
          .join(', ')
      : '—',
  establishments: (value, names) =>
    Array.isArray(value) && value.length
      ? value.map((v) => establishmentText(v, names)).join(', ')
      : '—',
  region: (value, names) => {
    const id = typeof value === 'number' || /^\d+$/.test(String(value)) ? Number(value) : NaN;
    return Number.isNaN(id)
      ? valueText(value, undefined, names)
      : (names.region(id) ?? `n.º ${id}`);
  },
  regionId: (value, names) =>
    value === null || value === undefined ? '—' : (names.region(Number(value)) ?? `n.º ${value}`),
  // An exemption, an account or an assignment ends at the first instant of the day after the
  // one chosen: say that day.
  until: (value) => lastDayText(value),
  validUntil: (value) => lastDayText(value, 'sin vencimiento'),
  session: (value, names) => {
    if (!isRecord(value)) return valueText(value, undefined, names);
    const parts = [
      typeof value.startedAt === 'string'
        ? `iniciada el ${formatDateTime(new Date(value.startedAt))}`
        : null,
      value.establishmentId ? `en ${establishmentText(value.establishmentId, names)}` : null,
      value.ip ? `IP ${String(value.ip)}` : null,
    ];
    return parts.filter(Boolean).join(', ') || '—';
  },
};

/**
 * A stored value as text: booleans in Spanish, nothing as "—", instants in Asunción time, dates
 * dd/mm/aaaa, known codes by name (under `key`), places by name, nested objects inline.
 */
export function valueText(value: unknown, key?: string, names: DetailNames = NO_NAMES): string {
  if (value === null || value === undefined || value === '') return '—';
  const special = key === undefined ? undefined : SPECIAL[key];
  if (special) return special(value, names);
  if (typeof value === 'boolean') return value ? 'Sí' : 'No';
  if (Array.isArray(value))
    return value.length ? value.map((v) => valueText(v, key, names)).join(', ') : '—';
  if (typeof value === 'object')
    return (
      Object.entries(value as Record<string, unknown>)
        .filter(([k]) => !HIDDEN_KEYS.has(k))
        .map(([k, v]) => `${keyLabel(k)}: ${valueText(v, k, names)}`)
        .join(', ') || '—'
    );
  const text = String(value);
  const named = key === undefined ? undefined : VALUE_LABELS[key]?.[text];
  if (named) return named;
  if (ISO_INSTANT.test(text) && !Number.isNaN(Date.parse(text)))
    return formatDateTime(new Date(text));
  if (ISO_DATE.test(text)) return dateText(text);
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
}

/**
 * One line per changed field ("Campo: antes → después"), then the other recorded facts.
 * `before`/`after` may be records of fields, or plain values (a rollout date).
 */
export function describeDetails(
  details: Record<string, unknown>,
  names: DetailNames = NO_NAMES,
): string[] {
  const lines: string[] = [];
  const { before, after, ...rest } = details;
  if ('before' in details || 'after' in details) {
    const fields = (v: unknown) => isRecord(v) || v === null || v === undefined;
    if (fields(before) && fields(after)) {
      const b = isRecord(before) ? before : {};
      const a = isRecord(after) ? after : {};
      for (const key of [...new Set([...Object.keys(b), ...Object.keys(a)])]) {
        if (HIDDEN_KEYS.has(key) || JSON.stringify(b[key]) === JSON.stringify(a[key])) continue;
        lines.push(
          `${keyLabel(key)}: ${valueText(b[key], key, names)} → ${valueText(a[key], key, names)}`,
        );
      }
    } else {
      lines.push(`${valueText(before, undefined, names)} → ${valueText(after, undefined, names)}`);
    }
  }
  for (const [key, value] of Object.entries(rest))
    if (!HIDDEN_KEYS.has(key)) lines.push(`${keyLabel(key)}: ${valueText(value, key, names)}`);
  return lines;
}

/**
 * The keys of `details` (at any depth) that have no Spanish label and are not hidden: what an
 * auditor would read as raw code.
 */
export function unlabeledKeys(details: unknown): string[] {
  const found = new Set<string>();
  const walk = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (isRecord(value))
      for (const [k, v] of Object.entries(value)) {
        if (!HIDDEN_KEYS.has(k) && !(k in KEY_LABELS) && k !== 'before' && k !== 'after')
          found.add(k);
        walk(v);
      }
  };
  walk(details);
  return [...found];
}

/** "01/04/2027": a date of the rollout as the screens write it. */
export const screenDate = (iso: string | null): string => (iso ? dateText(iso) : '—');

/** For the CSV's code column: the details as stored. */
export const detailsJson = (details: unknown): string => JSON.stringify(details ?? {});

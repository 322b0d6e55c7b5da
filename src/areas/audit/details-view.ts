import { formatDateTime } from '../../shared/time';
import { ROLE_LABELS } from '../../shared/roles';

/**
 * An admin_events row's `details` as readable Spanish lines: "Nombre: Hospital A → Hospital B".
 * Commands record `{ before, after }` for what they changed, sometimes beside other facts
 * (`code`, `counts`, a refusal's `reason`); any shape is shown, none is dropped.
 */

const KEY_LABELS: Readonly<Record<string, string>> = {
  name: 'Nombre',
  fullName: 'Nombre',
  code: 'Código',
  region: 'Región sanitaria',
  active: 'Activo',
  status: 'Estado',
  username: 'Usuario',
  email: 'Correo',
  document: 'Cédula',
  documentNumber: 'Cédula',
  role: 'Rol',
  roles: 'Roles',
  scope: 'Alcance',
  establishment: 'Establecimiento',
  establishments: 'Establecimientos',
  until: 'Hasta',
  reason: 'Motivo',
  eidRequiredSince: 'Identidad Electrónica obligatoria desde',
  assignedUsers: 'Usuarios asignados',
  sessions: 'Sesiones',
  fileName: 'Archivo',
  sha256: 'SHA-256',
  counts: 'Cantidades',
  regionsCreated: 'Regiones creadas',
  table: 'Tabla',
  filters: 'Filtros',
  rows: 'Filas',
  complete: 'Completa',
  lockoutStarted: 'Bloqueo iniciado',
  mustChangePassword: 'Debe cambiar la contraseña',
  hadPassword: 'Tenía contraseña',
  grant: 'Rol',
  all: 'Todas',
  open: 'Abiertas',
  session: 'Sesión',
  handle: 'Identificador',
  establishmentId: 'Establecimiento (id)',
  startedAt: 'Inicio',
  ip: 'IP',
  id: 'Id',
  // The filters of an audit export, as typed (history-filters.ts).
  user: 'Usuario',
  userId: 'Usuario (id)',
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
};

/** Stored enum values with a Spanish name, by the key they appear under. */
const VALUE_LABELS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  status: { active: 'Activo', disabled: 'Deshabilitado' },
  role: ROLE_LABELS,
  table: { login_events: 'Historial de ingresos', admin_events: 'Acciones administrativas' },
};

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

const MAX_TEXT = 300;

const keyLabel = (key: string) => KEY_LABELS[key] ?? key;

/**
 * A stored value as text: booleans in Spanish, nothing as "—", instants in Asunción time, known
 * codes by name (under `key`), nested objects inline.
 */
export function valueText(value: unknown, key?: string): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'boolean') return value ? 'Sí' : 'No';
  if (Array.isArray(value))
    return value.length ? value.map((v) => valueText(v, key)).join(', ') : '—';
  if (typeof value === 'object')
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${keyLabel(k)}: ${valueText(v, k)}`)
      .join(', ');
  const text = String(value);
  const named = key === undefined ? undefined : VALUE_LABELS[key]?.[text];
  if (named) return named;
  if (ISO_INSTANT.test(text) && !Number.isNaN(Date.parse(text)))
    return formatDateTime(new Date(text));
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** One line per changed field ("Campo: antes → después"), then the other recorded facts. */
export function describeDetails(details: Record<string, unknown>): string[] {
  const lines: string[] = [];
  const { before, after, ...rest } = details;
  if ('before' in details || 'after' in details) {
    const fields = (v: unknown) => isRecord(v) || v === null || v === undefined;
    if (fields(before) && fields(after)) {
      const b = isRecord(before) ? before : {};
      const a = isRecord(after) ? after : {};
      for (const key of [...new Set([...Object.keys(b), ...Object.keys(a)])]) {
        if (JSON.stringify(b[key]) === JSON.stringify(a[key])) continue;
        lines.push(`${keyLabel(key)}: ${valueText(b[key], key)} → ${valueText(a[key], key)}`);
      }
    } else {
      lines.push(`${valueText(before)} → ${valueText(after)}`);
    }
  }
  for (const [key, value] of Object.entries(rest))
    lines.push(`${keyLabel(key)}: ${valueText(value)}`);
  return lines;
}

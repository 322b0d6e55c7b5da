import { formatCedula } from '../../shared/cedula';
import type { AdminHistoryRow } from '../../storage/queries/admin-history';
import { csvDateTime, type CsvColumn } from '../../web/csv-export';
import { describeDetails, detailsJson, type DetailNames } from './details-view';
import { targetText } from './history-view';
import type { LoginHistoryRow } from '../../storage/queries/login-history';
import {
  ACTION_LABELS,
  ADMIN_OUTCOME_LABELS,
  labelOf,
  METHOD_LABELS,
  OUTCOME_LABELS,
  REASON_LABELS,
} from '../../domain/audit/labels';

const cedula = (digits: string | null | undefined) => (digits ? formatCedula(digits) : null);

/** The columns of historial-ingresos-AAAAMMDD.csv: labels for people, codes for machines. */
export const LOGIN_COLUMNS: CsvColumn<LoginHistoryRow>[] = [
  { header: 'Fecha y hora (Asunción)', value: (r) => csvDateTime(r.occurredAt) },
  { header: 'Usuario de la cuenta', value: (r) => r.accountUsername },
  { header: 'Usuario escrito', value: (r) => r.username },
  { header: 'Nombre', value: (r) => r.fullName },
  { header: 'Cédula', value: (r) => cedula(r.documentNumber) },
  { header: 'Método', value: (r) => labelOf(METHOD_LABELS, r.method) },
  { header: 'Resultado', value: (r) => labelOf(OUTCOME_LABELS, r.outcome) },
  { header: 'Motivo', value: (r) => labelOf(REASON_LABELS, r.reason) },
  { header: 'Código del motivo', value: (r) => r.reason },
  { header: 'Establecimiento', value: (r) => r.establishmentName },
  { header: 'Región sanitaria', value: (r) => r.regionName },
  { header: 'IP', value: (r) => r.ip },
  { header: 'Navegador', value: (r) => r.userAgent },
  { header: 'Modo de contingencia', value: (r) => (r.degraded ? 'Sí' : 'No') },
  { header: 'Id', value: (r) => r.id },
  // Added last: spreadsheets reading the columns by position keep working.
  { header: 'Módulo del HIS', value: (r) => r.moduleName },
];

/**
 * The columns of acciones-administrativas-AAAAMMDD.csv: "Cambios" as the page words them (places
 * by name), "Detalles (código)" as stored, for machines.
 */
export const adminColumns = (names: DetailNames): CsvColumn<AdminHistoryRow>[] => [
  { header: 'Fecha y hora (Asunción)', value: (r) => csvDateTime(r.occurredAt) },
  { header: 'Acción', value: (r) => labelOf(ACTION_LABELS, r.action) },
  { header: 'Código de la acción', value: (r) => r.action },
  { header: 'Resultado', value: (r) => labelOf(ADMIN_OUTCOME_LABELS, r.outcome) },
  { header: 'Usuario que actuó', value: (r) => r.actor?.username ?? r.actorUsername },
  { header: 'Nombre de quien actuó', value: (r) => r.actor?.fullName ?? null },
  { header: 'Cédula de quien actuó', value: (r) => cedula(r.actor?.documentNumber) },
  {
    header: 'Sobre',
    value: (r) => (r.target ? `${r.target.fullName} (${r.target.username})` : targetText(r)),
  },
  { header: 'Cédula del usuario afectado', value: (r) => cedula(r.target?.documentNumber) },
  { header: 'Cambios', value: (r) => describeDetails(r.details ?? {}, names).join('\n') },
  { header: 'Establecimiento de la sesión', value: (r) => r.establishmentName },
  { header: 'IP', value: (r) => r.ip },
  { header: 'Navegador', value: (r) => r.userAgent },
  { header: 'Id', value: (r) => r.id },
  { header: 'Detalles (código)', value: (r) => detailsJson(r.details) },
];

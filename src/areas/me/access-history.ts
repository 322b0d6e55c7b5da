import type { EventKey, OwnLoginEventRecord } from '../../storage/login-events';
import { labelOf, METHOD_LABELS, REASON_LABELS } from '../../domain/audit/labels';
import { browserName } from '../../shared/browser-name';
import { formatDateTime } from '../../shared/time';

/** How far back "Mis accesos" looks, and how many rows a page shows. */
export const ACCESS_HISTORY_DAYS = 30;
export const ACCESS_PAGE_SIZE = 50;

/** One row of "Mis accesos", ready to show. */
export interface AccessRow {
  when: string;
  failed: boolean;
  result: string;
  detail: string;
  method: string;
  establishment: string;
  ip: string;
  browser: string;
}

export function accessRow(e: OwnLoginEventRecord): AccessRow {
  const failed = e.outcome === 'failure';
  return {
    when: formatDateTime(e.occurredAt),
    failed,
    result: failed ? 'Intento fallido' : 'Ingreso',
    detail: failed ? labelOf(REASON_LABELS, e.reason) : '',
    method: labelOf(METHOD_LABELS, e.method),
    establishment: e.establishmentName ?? '—',
    ip: e.ip ?? '—',
    browser: browserName(e.userAgent),
  };
}

/** "Ver más antiguos" carries the last row's position: `<microsecond ISO instant>~<id>`. */
export const encodeKey = (e: OwnLoginEventRecord): string => `${e.key}~${e.id}`;

/** The position in a "Ver más antiguos" link, or null when absent or not one we issued. */
export function decodeKey(value: unknown): EventKey | null {
  if (typeof value !== 'string') return null;
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)~(\d{1,18})$/.exec(value);
  if (!match || Number.isNaN(Date.parse(match[1]!))) return null;
  return { at: match[1]!, id: match[2]! };
}

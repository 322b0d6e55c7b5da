/**
 * What the audit histories' queries take: the filters of the screens (parsed by
 * src/areas/audit/history-filters.ts) and the auditor's scope (computed by
 * src/domain/audit/audit-scope.ts).
 */

/** Filters both histories share. Dates are instants: [from, to) in Asunción's calendar days. */
export interface CommonFilters {
  /** Part of a username, lower case. */
  user?: string;
  /** One user (the links under a name). */
  userId?: number;
  /** Digits only. */
  document?: string;
  establishmentId?: number;
  regionId?: number;
  ip?: string;
  from?: Date;
  to?: Date;
}

/**
 * Histories count their matches up to this many (a bounded walk of the same index as the page):
 * beyond it the screens say "más de 10.000" and the page number without a total.
 */
export const COUNT_CAP = 10_000;

export interface LoginFilters extends CommonFilters {
  method?: string;
  outcome?: 'success' | 'failure' | 'info';
  /** Stored reason codes, any of which matches. */
  reasons?: readonly string[];
}

export interface AdminFilters extends CommonFilters {
  action?: string;
  outcome?: 'success' | 'denied';
}

/**
 * What an auditor may read, as SQL needs it: everything, or the establishments and regiones
 * sanitarias their auditor roles reach.
 *
 * - `establishmentIds`: every establishment (active or not: history outlives them) inside one
 *   of the auditor's región or establishment scopes. Login history rows are matched on these.
 * - `regionIds`: the regiones of those scopes; for an establishment scope, the región of that
 *   establishment. admin_events rows carry only regiones (`region_ids`), so an auditor of one
 *   establishment sees the administrative actions of its whole región: an approximation towards
 *   more visibility, accepted because those rows describe accounts and places, not patients.
 */
export type AuditScope =
  { kind: 'global' } | { kind: 'limited'; establishmentIds: number[]; regionIds: number[] };

/** An establishment as the history queries place it: where it is. */
export interface HistoryPlace {
  id: number;
  regionId: number;
}

/** Rows per page of the histories. */
export const PAGE_SIZE = 50;

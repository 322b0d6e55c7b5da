import type { BadgePolicy } from '../../domain/badges/eid-badge';
import { staleCutoff } from '../../domain/badges/stale-cutoff';
import type { AuditScope } from '../../domain/audit/audit-scope';
import type {
  AdoptionQuery,
  EstablishmentCounts,
  RegionCounts,
} from '../../storage/queries/adoption';
import {
  furthestBehindFirst,
  rowOf,
  trendPoints,
  trendWindows,
  type AdoptionRow,
  type AdoptionUnit,
  type TrendPoint,
} from './figures';

export interface AdoptionDashboard {
  /** The instant the figures are for. */
  at: Date;
  /** Everything in scope, distinct users. */
  total: AdoptionRow<AdoptionUnit>;
  /** Furthest behind first. */
  regions: AdoptionRow<RegionCounts>[];
  /** Furthest behind first. */
  establishments: AdoptionRow<EstablishmentCounts>[];
  /** Oldest month first; the last one is the current month, so far. */
  trend: TrendPoint[];
}

/**
 * The e-ID adoption figures an auditor may see: badge states now (the badge's own rule, as one
 * SQL cutoff) by región and establishment, and the 12-month trend from the login history.
 */
export async function loadAdoption(
  query: AdoptionQuery,
  scope: AuditScope,
  now: Date,
  policy: BadgePolicy,
): Promise<AdoptionDashboard> {
  const windows = trendWindows(now, policy);
  const [states, trend] = await Promise.all([
    query.states(scope, staleCutoff(now, policy)),
    query.trend(scope, windows),
  ]);
  return {
    at: now,
    total: rowOf({ id: 0, name: 'Total', counts: states.total }),
    regions: furthestBehindFirst(states.regions),
    establishments: furthestBehindFirst(states.establishments),
    trend: trendPoints(windows, trend.verified, trend.population),
  };
}

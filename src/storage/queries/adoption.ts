import type { Sequelize } from 'sequelize';
import { select, SqlParams } from '../sql';
import type { AuditScope } from './history-types';

/** Active users per badge state (same rule as the badge, see src/domain/badges/eid-badge.ts). */
export interface BadgeCounts {
  verified: number;
  stale: number;
  never: number;
}

/** Stored reason codes of a successful e-ID exchange (login_events.reason; never renamed). */
export const EID_SUCCESS_REASONS = ['eid_verified', 'eid_reauthenticated'] as const;

/** Written into the SQL (fixed codes, not input) so the planner can match the partial index. */
const EID_REASONS_SQL = EID_SUCCESS_REASONS.map((r) => `'${r}'`).join(', ');

export interface EstablishmentCounts {
  id: number;
  code: string;
  name: string;
  regionId: number;
  regionName: string;
  counts: BadgeCounts;
}

export interface RegionCounts {
  id: number;
  name: string;
  counts: BadgeCounts;
}

export interface AdoptionStates {
  /** Distinct users over everything in scope (a user of two establishments counts once). */
  total: BadgeCounts;
  regions: RegionCounts[];
  establishments: EstablishmentCounts[];
}

/**
 * Who is counted, everywhere on the dashboard: active users assigned to an active establishment
 * inside the auditor's scope. `e` is the establishment, `u` the user.
 */
function scopeCondition(scope: AuditScope, params: SqlParams): string {
  if (scope.kind === 'global') return 'true';
  return `e.id = ANY(${params.add(scope.establishmentIds)}::int[])`;
}

type StateRow = {
  level: number;
  region_id: number | null;
  region_name: string | null;
  id: number | null;
  code: string | null;
  name: string | null;
  verified: string;
  stale: string;
  never: string;
};

const countsOf = (r: StateRow): BadgeCounts => ({
  verified: Number(r.verified),
  stale: Number(r.stale),
  never: Number(r.never),
});

/**
 * The dashboard's reads. Built from a Sequelize instance so the composition root can hand it the
 * read replica (DATABASE_READ_URL) instead of the primary.
 */
export function createAdoptionQuery(sequelize: Sequelize) {
  return {
    /**
     * Users per badge state at the cutoff (staleCutoff(now): verified after it, stale at or
     * before it, never without any e-ID login), per establishment, per región and in total, in
     * one scan: GROUPING SETS with DISTINCT counts, so a user of two establishments of a región
     * counts once for the región. Active establishments without users are listed with zeros.
     */
    async states(scope: AuditScope, cutoff: Date): Promise<AdoptionStates> {
      const params = new SqlParams();
      const at = params.add(cutoff.toISOString());
      const where = scopeCondition(scope, params);
      const rows = await select<StateRow>(
        sequelize,
        `SELECT GROUPING(e.region_id, e.id) AS level, e.region_id, r.name AS region_name,
           e.id, e.code, e.name,
           count(DISTINCT u.id) FILTER (WHERE u.last_eid_login_at > ${at}) AS verified,
           count(DISTINCT u.id) FILTER (WHERE u.last_eid_login_at <= ${at}) AS stale,
           count(DISTINCT u.id) FILTER (WHERE u.id IS NOT NULL AND u.last_eid_login_at IS NULL)
             AS never
         FROM establishments e
         JOIN regions r ON r.id = e.region_id
         LEFT JOIN (user_establishments ue JOIN users u ON u.id = ue.user_id AND u.status = 'active')
           ON ue.establishment_id = e.id
         WHERE e.active AND ${where}
         GROUP BY GROUPING SETS ((e.region_id, r.name, e.id, e.code, e.name),
                                 (e.region_id, r.name), ())`,
        params.values,
      );
      const total = rows.find((r) => Number(r.level) === 3);
      return {
        total: total ? countsOf(total) : { verified: 0, stale: 0, never: 0 },
        regions: rows
          .filter((r) => Number(r.level) === 1)
          .map((r) => ({ id: r.region_id!, name: r.region_name!, counts: countsOf(r) })),
        establishments: rows
          .filter((r) => Number(r.level) === 0)
          .map((r) => ({
            id: r.id!,
            code: r.code!,
            name: r.name!,
            regionId: r.region_id!,
            regionName: r.region_name!,
            counts: countsOf(r),
          })),
      };
    },

    /**
     * For each window (after, at]: how many of today's population had a successful e-ID login
     * in it, from the login history (last_eid_login_at keeps only the latest login). The
     * population is today's (active, assigned in scope): the history of assignments and statuses
     * is not kept. Served by the partial index login_events_eid_success_idx.
     */
    async trend(
      scope: AuditScope,
      windows: { after: Date; at: Date }[],
    ): Promise<{ verified: number[]; population: number }> {
      if (windows.length === 0) return { verified: [], population: 0 };
      const params = new SqlParams();
      const afters = params.add(windows.map((w) => w.after.toISOString()));
      const ats = params.add(windows.map((w) => w.at.toISOString()));
      // The outer bounds as plain values too, so the planner sees how much history it reads.
      const from = params.add(
        new Date(Math.min(...windows.map((w) => w.after.getTime()))).toISOString(),
      );
      const to = params.add(
        new Date(Math.max(...windows.map((w) => w.at.getTime()))).toISOString(),
      );
      const where = scopeCondition(scope, params);
      const rows = await select<{ n: string; verified: string; population: string }>(
        sequelize,
        `WITH pop AS (
           SELECT DISTINCT ue.user_id AS id
           FROM user_establishments ue
           JOIN users u ON u.id = ue.user_id AND u.status = 'active'
           JOIN establishments e ON e.id = ue.establishment_id AND e.active
           WHERE ${where}
         ), w AS (
           SELECT * FROM unnest(${afters}::timestamptz[], ${ats}::timestamptz[])
             WITH ORDINALITY AS w(after_at, at, n)
         ), masks AS (
           -- Per user, the windows (bit n-1 for window n) holding one of their e-ID logins.
           -- Windows are sorted and their bounds rise, so those holding a login at t are the
           -- contiguous n in (k, h]: k windows end before t, h windows start before t.
           -- width_bucket counts the bounds <= its operand; t − 1 µs makes that "< t".
           SELECT le.user_id, bit_or(
             (1 << width_bucket(le.occurred_at - interval '1 microsecond', ${afters}::timestamptz[]))
             - (1 << width_bucket(le.occurred_at - interval '1 microsecond', ${ats}::timestamptz[]))
           ) AS m
           FROM login_events le
           WHERE le.reason IN (${EID_REASONS_SQL}) AND le.outcome = 'info'
             AND le.occurred_at > ${from}::timestamptz AND le.occurred_at <= ${to}::timestamptz
             AND le.user_id IN (SELECT id FROM pop)
           GROUP BY le.user_id
         )
         SELECT w.n, count(masks.user_id) FILTER (WHERE masks.m & (1 << (w.n::int - 1)) <> 0)
             AS verified,
           (SELECT count(*) FROM pop) AS population
         FROM w LEFT JOIN masks ON true
         GROUP BY w.n ORDER BY w.n`,
        params.values,
      );
      return {
        verified: rows.map((r) => Number(r.verified)),
        population: Number(rows[0]?.population ?? 0),
      };
    },
  };
}

export type AdoptionQuery = ReturnType<typeof createAdoptionQuery>;

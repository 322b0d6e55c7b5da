import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc';
import timezone from 'dayjs/plugin/timezone';
import type { BadgePolicy } from '../../domain/badges/eid-badge';
import { staleCutoff } from '../../domain/badges/stale-cutoff';
import { ZONE } from '../../shared/time';
import type { BadgeCounts } from '../../storage/queries/adoption';

export type { BadgeCounts };

dayjs.extend(utc);
dayjs.extend(timezone);

/**
 * The e-ID adoption dashboard's arithmetic, without I/O: percentages, the "furthest behind first"
 * order and the month-by-month windows of the trend. The SQL lives in adoption-query.ts.
 */

/** Percentages with one decimal that add up to exactly 100 (null when there is nobody). */
export interface Shares {
  verified: number;
  stale: number;
  never: number;
}

export const totalOf = (c: BadgeCounts): number => c.verified + c.stale + c.never;

/**
 * Percentages in tenths, rounded by the largest-remainder method so that the three always add up
 * to 100.0 (independent rounding can show 33.3 + 33.3 + 33.3). Ties go to the first state.
 */
export function sharesOf(c: BadgeCounts): Shares | null {
  const total = totalOf(c);
  if (total === 0) return null;
  const keys = ['verified', 'stale', 'never'] as const;
  const exact = keys.map((k) => (c[k] * 1000) / total);
  const tenths = exact.map(Math.floor);
  let missing = 1000 - tenths.reduce((a, b) => a + b, 0);
  const byRemainder = keys
    .map((_, i) => i)
    .sort((a, b) => exact[b]! - tenths[b]! - (exact[a]! - tenths[a]!) || a - b);
  for (const i of byRemainder) {
    if (missing-- <= 0) break;
    tenths[i]! += 1;
  }
  return { verified: tenths[0]! / 10, stale: tenths[1]! / 10, never: tenths[2]! / 10 };
}

/** One decimal percentage of part in whole (null when whole is 0). */
export const percent = (part: number, whole: number): number | null =>
  whole === 0 ? null : Math.round((part * 1000) / whole) / 10;

/** A región or an establishment with its counts. */
export interface AdoptionUnit {
  id: number;
  name: string;
  counts: BadgeCounts;
}

export interface AdoptionRow<U extends AdoptionUnit = AdoptionUnit> {
  unit: U;
  total: number;
  shares: Shares | null;
  /** Share of users not verified (stale + never), the "behind" the order is by; null if empty. */
  behind: number | null;
}

/** A unit with its total, percentages and "behind" share. */
export function rowOf<U extends AdoptionUnit>(unit: U): AdoptionRow<U> {
  const total = totalOf(unit.counts);
  return {
    unit,
    total,
    shares: sharesOf(unit.counts),
    behind: percent(unit.counts.stale + unit.counts.never, total),
  };
}

/**
 * Rows furthest behind first: the highest share of stale + never, compared exactly (not on
 * rounded percentages); then the larger group first (more people to reach); then by name.
 * Units without active users go last.
 */
export function furthestBehindFirst<U extends AdoptionUnit>(units: U[]): AdoptionRow<U>[] {
  const notVerified = (u: U) => u.counts.stale + u.counts.never;
  return units.map(rowOf).sort((a, b) => {
    if (a.total === 0 || b.total === 0) return (a.total === 0 ? 1 : 0) - (b.total === 0 ? 1 : 0);
    // a/ta > b/tb  ⇔  a·tb > b·ta: exact on integers.
    const byShare = notVerified(b.unit) * a.total - notVerified(a.unit) * b.total;
    return byShare || b.total - a.total || a.unit.name.localeCompare(b.unit.name, 'es');
  });
}

const MONTHS = ['ene', 'feb', 'mar', 'abr', 'may', 'jun', 'jul', 'ago', 'sep', 'oct', 'nov', 'dic'];
const MONTH_NAMES = [
  'enero',
  'febrero',
  'marzo',
  'abril',
  'mayo',
  'junio',
  'julio',
  'agosto',
  'septiembre',
  'octubre',
  'noviembre',
  'diciembre',
];

/** One point of the trend: the badge rule applied at `at`, counted from the login history. */
export interface TrendWindow {
  /** "2026-11" (Asunción calendar). */
  month: string;
  /** "nov 2026", for the chart's axis. */
  shortLabel: string;
  /** "noviembre de 2026", for the table and screen readers. */
  label: string;
  /** The instant the badge is evaluated at: the month's last millisecond, or now for this month. */
  at: Date;
  /** staleCutoff(at): an e-ID login after it and at or before `at` counts as verified at `at`. */
  after: Date;
  /** Whether the month is still running (its point is "so far"). */
  partial: boolean;
}

/**
 * The last `count` months on Asunción's calendar, oldest first, the current one included (up to
 * now). For each month end, who had a verified badge then: the same cutoff the badge uses
 * (staleCutoff), applied to the e-ID logins of the history rather than to last_eid_login_at,
 * which only knows the latest login of each user.
 */
export function trendWindows(now: Date, policy: BadgePolicy, count = 12): TrendWindow[] {
  const today = dayjs(now).tz(ZONE);
  // Month arithmetic on plain numbers: dayjs's tz objects keep their UTC offset when adding,
  // which lands on the wrong day for months of Paraguay's former daylight-saving years.
  const current = today.year() * 12 + today.month();
  const firstInstant = (index: number) =>
    dayjs.tz(`${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}-01`, ZONE);
  return Array.from({ length: count }, (_, i) => {
    const index = current - (count - 1 - i);
    const year = Math.floor(index / 12);
    const month = index % 12;
    const partial = i === count - 1;
    const at = partial ? now : new Date(firstInstant(index + 1).valueOf() - 1);
    return {
      month: `${year}-${String(month + 1).padStart(2, '0')}`,
      shortLabel: `${MONTHS[month]} ${year}`,
      label: `${MONTH_NAMES[month]} de ${year}`,
      at,
      after: staleCutoff(at, policy),
      partial,
    };
  });
}

export interface TrendPoint extends TrendWindow {
  /** Users of today's population with an e-ID login in the window. */
  verified: number;
  population: number;
  share: number | null;
}

export function trendPoints(
  windows: TrendWindow[],
  verified: number[],
  population: number,
): TrendPoint[] {
  return windows.map((w, i) => {
    const v = verified[i] ?? 0;
    return { ...w, verified: v, population, share: percent(v, population) };
  });
}

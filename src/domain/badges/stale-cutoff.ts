import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc';
import timezone from 'dayjs/plugin/timezone';
import { addMonthsInZone, startOfDayInZone, ZONE } from '../../shared/time';
import type { BadgePolicy } from './eid-badge';

dayjs.extend(utc);
dayjs.extend(timezone);

/**
 * The instant that splits last e-ID logins into the badge's states at `now`, for lists that
 * filter in SQL (src/storage/queries/user-search.ts): `verified` is a last e-ID login AFTER the cutoff,
 * `stale` one at or before it. Derived from {@link eidBadge}'s rule (stale when `now` is
 * strictly after the login plus N calendar months in Asunción):
 * - usually the earliest verified login is exactly `now` − N months (exactly N months ago is
 *   still verified), and the cutoff is one millisecond before it (our timestamps are in ms);
 * - when that day does not exist N months earlier (31 May − 3 months = 28 Feb, clamped), every
 *   login on the clamped day is already stale (28 Feb + 3 months = 28 May), so the earliest
 *   verified login is the next midnight (1 Mar 00:00).
 * One known gap: month-end clamping makes the rule non-monotonic, so no single instant matches
 * it everywhere. On the last day of a month (30 Nov 09:00), a login on a later day-of-month N
 * months earlier (31 Aug 08:00) maps to an earlier hour of today (30 Nov 08:00) and its badge is
 * stale, while the cutoff (30 Aug 08:59:59.999) counts it as verified. The error is confined to
 * that day and to those hours, and always on the side of "verified".
 */
export function staleCutoff(now: Date, policy: BadgePolicy): Date {
  let earliestVerified = addMonthsInZone(now, -policy.staleAfterMonths);
  if (addMonthsInZone(earliestVerified, policy.staleAfterMonths).getTime() < now.getTime()) {
    const nextDay = dayjs(earliestVerified).tz(ZONE).add(1, 'day').format('YYYY-MM-DD');
    earliestVerified = startOfDayInZone(nextDay);
  }
  return new Date(earliestVerified.getTime() - 1);
}

import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc';
import timezone from 'dayjs/plugin/timezone';

dayjs.extend(utc);
dayjs.extend(timezone);

/** Paraguay's health network works in one zone (UTC-3 all year since 2024). */
export const ZONE = 'America/Asuncion';

/** Asunción's wall-clock reading of an instant, held as a zone-free (UTC) dayjs. */
function wallClock(date: Date): dayjs.Dayjs {
  return dayjs.utc(dayjs(date).tz(ZONE).format('YYYY-MM-DDTHH:mm:ss.SSS'));
}

/** Bounds {@link addMonthsInZone}'s memo; when full it starts over. */
const MONTHS_MEMO_LIMIT = 10_000;
const monthsMemo = new Map<string, number>();

/** `date` plus whole calendar months, counted on Asunción's calendar (31 Aug + 3 = 30 Nov). */
export function addMonthsInZone(date: Date, months: number): Date {
  // Through dayjs tz it costs about a millisecond under load, and a login asks it three times
  // about the same last e-ID login (warning, re-auth limit, badge): the answer never changes,
  // so it is remembered (bench/README.md, the login's CPU besides the hash).
  const key = `${date.getTime()}/${months}`;
  const known = monthsMemo.get(key);
  if (known !== undefined) return new Date(known);
  // On the wall clock, then back to an instant: `tz().add()` keeps the starting UTC offset, an
  // hour off the local time of day for timestamps from Paraguay's DST years (before Oct 2024).
  const wall = wallClock(date).add(months, 'month').format('YYYY-MM-DDTHH:mm:ss.SSS');
  const result = dayjs.tz(wall, ZONE).toDate();
  if (monthsMemo.size >= MONTHS_MEMO_LIMIT) monthsMemo.clear();
  monthsMemo.set(key, result.getTime());
  return result;
}

/** Whole calendar months from `from` to `to` in Asunción (floor). */
export function monthsBetween(from: Date, to: Date): number {
  return wallClock(to).diff(wallClock(from), 'month');
}

/** "15/10/2026 09:12", Asunción time. */
export function formatDateTime(date: Date): string {
  return dayjs(date).tz(ZONE).format('DD/MM/YYYY HH:mm');
}

/** Midnight in Asunción at the start of an ISO date ("2027-03-01"). */
export function startOfDayInZone(isoDate: string): Date {
  return dayjs.tz(isoDate, ZONE).toDate();
}

/** "2027-03-01" → "01/03/2027", as dates are written in Paraguay. */
export function formatIsoDate(isoDate: string): string {
  return dayjs(isoDate).format('DD/MM/YYYY');
}

/** The ISO date ("2027-03-01") on Asunción's calendar at an instant. */
export function isoDateInZone(date: Date): string {
  return dayjs(date).tz(ZONE).format('YYYY-MM-DD');
}

/** The end of an ISO date's day in Asunción: the first instant of the next day. */
export function endOfDayInZone(isoDate: string): Date {
  return startOfDayInZone(dayjs.utc(isoDate).add(1, 'day').format('YYYY-MM-DD'));
}

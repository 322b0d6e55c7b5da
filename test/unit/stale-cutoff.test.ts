import dayjs from 'dayjs';
import fc from 'fast-check';
import { eidBadge, type BadgePolicy } from '../../src/domain/badges/eid-badge';
import { staleCutoff } from '../../src/domain/badges/stale-cutoff';
import { ZONE } from '../../src/shared/time';

const at = (iso: string): Date => new Date(iso);
const threeMonths: BadgePolicy = { staleAfterMonths: 3 };
const DAY = 86_400_000;
const randomNow = fc.integer({
  min: at('2025-01-01T00:00:00-03:00').getTime(),
  max: at('2031-12-31T23:59:59-03:00').getTime(),
});
const nearCutoff = fc.integer({ min: -5 * DAY, max: 5 * DAY });
/** The last day of a random month at a random time (Asunción): where the filter and badge can differ. */
const monthEnd = fc
  .record({
    month: fc.integer({ min: 0, max: 12 * 7 - 1 }),
    ms: fc.integer({ min: 0, max: DAY - 1 }),
  })
  .map(({ month, ms }) => {
    const last = dayjs.tz('2025-01-01', ZONE).add(month, 'month').endOf('month').startOf('day');
    return last.valueOf() + ms;
  });
const months = fc.integer({ min: 1, max: 12 });

/** What the SQL filter says about a last e-ID login, given the cutoff. */
const filterSays = (last: Date, cutoff: Date) =>
  last.getTime() > cutoff.getTime() ? 'verified' : 'stale';

describe('staleCutoff: the badge rule as a SQL boundary', () => {
  it('when now is 20 Aug 09:00 then a login exactly 3 months earlier is verified and 1 ms before it stale', () => {
    const now = at('2026-08-20T09:00:00-03:00');
    const cutoff = staleCutoff(now, threeMonths);
    const exactly = at('2026-05-20T09:00:00-03:00');
    expect(filterSays(exactly, cutoff)).toBe('verified');
    expect(filterSays(new Date(exactly.getTime() - 1), cutoff)).toBe('stale');
    expect(cutoff.getTime()).toBe(exactly.getTime() - 1);
  });

  it('when now is 31 May then logins of the whole clamped 28 Feb are stale and 1 Mar 00:00 is verified', () => {
    const now = at('2027-05-31T10:00:00-03:00');
    const cutoff = staleCutoff(now, threeMonths);
    expect(filterSays(at('2027-02-28T23:59:59-03:00'), cutoff)).toBe('stale');
    expect(eidBadge(at('2027-02-28T23:59:59-03:00'), now, threeMonths)).toBe('stale');
    expect(filterSays(at('2027-03-01T00:00:00-03:00'), cutoff)).toBe('verified');
    expect(eidBadge(at('2027-03-01T00:00:00-03:00'), now, threeMonths)).toBe('verified');
  });

  it('when now and the last login are random then a "stale" from the filter is always a stale badge', () => {
    let stale = 0;
    fc.assert(
      fc.property(randomNow, nearCutoff, months, (nowMs, offset, n) => {
        const now = new Date(nowMs);
        const cutoff = staleCutoff(now, { staleAfterMonths: n });
        const last = new Date(cutoff.getTime() + offset);
        if (filterSays(last, cutoff) !== 'stale') return;
        stale++;
        expect(eidBadge(last, now, { staleAfterMonths: n })).toBe('stale');
      }),
      { numRuns: 400 },
    );
    // The case the property is about was generated (about half of the runs).
    expect(stale).toBeGreaterThan(100);
  });

  it('when the filter and the badge disagree then now is the last day of its month and the login a later day-of-month', () => {
    let disagreements = 0;
    fc.assert(
      // Half of the nows on a month's last day, where disagreements live.
      fc.property(fc.oneof(randomNow, monthEnd), nearCutoff, months, (nowMs, offset, n) => {
        const now = new Date(nowMs);
        const cutoff = staleCutoff(now, { staleAfterMonths: n });
        const last = new Date(cutoff.getTime() + offset);
        if (filterSays(last, cutoff) === eidBadge(last, now, { staleAfterMonths: n })) return;
        disagreements++;
        const today = dayjs(now).tz(ZONE);
        expect(today.date()).toBe(today.daysInMonth());
        expect(dayjs(last).tz(ZONE).date()).toBeGreaterThan(today.date());
      }),
      { numRuns: 800 },
    );
    // The property says something only if disagreements were generated.
    expect(disagreements).toBeGreaterThan(0);
  });

  it('when now is 30 Nov 09:00 then a login on 31 Aug 08:00 is the documented gap (stale badge, counted verified)', () => {
    const now = at('2026-11-30T09:00:00-03:00');
    const last = at('2026-08-31T08:00:00-03:00');
    expect(eidBadge(last, now, threeMonths)).toBe('stale');
    expect(filterSays(last, staleCutoff(now, threeMonths))).toBe('verified');
  });
});

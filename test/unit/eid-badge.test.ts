import fc from 'fast-check';
import { eidBadge, eidBadgeView, type BadgePolicy } from '../../src/domain/badges/eid-badge';

// Instants are written with Asunción's offset (-03:00 since October 2024) so that each test reads
// in local time; the rule must count months on that calendar.
const at = (iso: string): Date => new Date(iso);
const threeMonths: BadgePolicy = { staleAfterMonths: 3 };
const MINUTE = 60_000;
const DAY = 86_400_000;

describe('eidBadge: boundaries', () => {
  it('when there was never an e-ID login then the badge is never', () => {
    expect(eidBadge(null, at('2026-10-15T09:00:00-03:00'), threeMonths)).toBe('never');
  });

  it('when the e-ID login was a week ago then the badge is verified', () => {
    const last = at('2026-10-08T09:00:00-03:00');
    expect(eidBadge(last, at('2026-10-15T09:00:00-03:00'), threeMonths)).toBe('verified');
  });

  it('when exactly 3 calendar months have passed then the badge is still verified', () => {
    const last = at('2026-05-20T09:00:00-03:00');
    expect(eidBadge(last, at('2026-08-20T09:00:00-03:00'), threeMonths)).toBe('verified');
  });

  it('when 3 calendar months and 1 minute have passed then the badge is stale', () => {
    const last = at('2026-05-20T09:00:00-03:00');
    expect(eidBadge(last, at('2026-08-20T09:01:00-03:00'), threeMonths)).toBe('stale');
  });

  it('when 1 millisecond past the threshold then the badge is stale (strictly after)', () => {
    const last = at('2026-05-20T09:00:00-03:00');
    const threshold = at('2026-08-20T09:00:00-03:00');
    expect(eidBadge(last, new Date(threshold.getTime() + 1), threeMonths)).toBe('stale');
  });

  it('when now is before the last login (clock skew) then the badge is verified', () => {
    const last = at('2026-05-20T09:00:00-03:00');
    expect(eidBadge(last, at('2026-05-20T08:59:00-03:00'), threeMonths)).toBe('verified');
  });
});

describe('eidBadge: month ends follow dayjs (clamped to the last day of the month)', () => {
  it('when the login was on 31 Aug then the threshold is 30 Nov at the same time, not 1 Dec', () => {
    const last = at('2026-08-31T10:00:00-03:00');
    expect(eidBadge(last, at('2026-11-30T10:00:00-03:00'), threeMonths)).toBe('verified');
    expect(eidBadge(last, at('2026-11-30T10:01:00-03:00'), threeMonths)).toBe('stale');
  });

  it('when the login was on 31 Aug at 23:59 then it is verified until 30 Nov 23:59 and stale on 1 Dec', () => {
    const last = at('2026-08-31T23:59:00-03:00');
    expect(eidBadge(last, at('2026-11-30T23:59:00-03:00'), threeMonths)).toBe('verified');
    expect(eidBadge(last, at('2026-12-01T00:00:01-03:00'), threeMonths)).toBe('stale');
  });

  it('when the login was on 30 Nov then the threshold is 28 Feb of a common year', () => {
    const last = at('2026-11-30T09:00:00-03:00');
    expect(eidBadge(last, at('2027-02-28T09:00:00-03:00'), threeMonths)).toBe('verified');
    expect(eidBadge(last, at('2027-02-28T09:01:00-03:00'), threeMonths)).toBe('stale');
  });

  it('when the login was on 30 Nov before a leap year then the threshold is 29 Feb', () => {
    const last = at('2027-11-30T09:00:00-03:00');
    expect(eidBadge(last, at('2028-02-29T09:00:00-03:00'), threeMonths)).toBe('verified');
    expect(eidBadge(last, at('2028-02-29T09:01:00-03:00'), threeMonths)).toBe('stale');
  });

  it('when the login was on 31 Dec then the threshold is 31 Mar', () => {
    const last = at('2026-12-31T09:00:00-03:00');
    expect(eidBadge(last, at('2027-03-31T09:00:00-03:00'), threeMonths)).toBe('verified');
    expect(eidBadge(last, at('2027-03-31T09:01:00-03:00'), threeMonths)).toBe('stale');
  });
});

describe('eidBadge: months are counted on the calendar of Asunción, not UTC', () => {
  it('when the login was 01:30 UTC on 1 Aug (31 Jul 22:30 local) then the threshold is 31 Oct 22:30 local', () => {
    const last = at('2026-08-01T01:30:00Z');
    expect(eidBadge(last, at('2026-10-31T22:30:00-03:00'), threeMonths)).toBe('verified');
    expect(eidBadge(last, at('2026-10-31T22:31:00-03:00'), threeMonths)).toBe('stale');
  });

  it('when the login was 29 Nov 22:30 local (30 Nov in UTC) then on 28 Feb at 09:00 local it is still verified', () => {
    // On UTC's calendar 30 Nov 01:30 + 3 months is 28 Feb 01:30 UTC, and this instant would be
    // stale; on Asunción's, 29 Nov 22:30 + 3 months is 28 Feb 22:30 local.
    const last = at('2026-11-30T01:30:00Z');
    expect(eidBadge(last, at('2027-02-28T09:00:00-03:00'), threeMonths)).toBe('verified');
    expect(eidBadge(last, at('2027-02-28T22:30:00-03:00'), threeMonths)).toBe('verified');
    expect(eidBadge(last, at('2027-02-28T22:31:00-03:00'), threeMonths)).toBe('stale');
  });

  it('when the login was in a DST winter (UTC-4) then the threshold keeps the local time of day', () => {
    // 15 Jul 2024 08:00 was UTC-4; 15 Oct 2024 08:00 is UTC-3 (Paraguay stayed on summer time).
    const last = at('2024-07-15T08:00:00-04:00');
    expect(eidBadge(last, at('2024-10-15T08:00:00-03:00'), threeMonths)).toBe('verified');
    expect(eidBadge(last, at('2024-10-15T08:01:00-03:00'), threeMonths)).toBe('stale');
  });
});

describe('eidBadge: custom policy', () => {
  it('when staleAfterMonths is 1 then 31 Jan is verified until 28 Feb at the same time', () => {
    const oneMonth: BadgePolicy = { staleAfterMonths: 1 };
    const last = at('2027-01-31T14:00:00-03:00');
    expect(eidBadge(last, at('2027-02-28T14:00:00-03:00'), oneMonth)).toBe('verified');
    expect(eidBadge(last, at('2027-02-28T14:01:00-03:00'), oneMonth)).toBe('stale');
    // With the default policy the same instant is far from stale.
    expect(eidBadge(last, at('2027-02-28T14:01:00-03:00'), threeMonths)).toBe('verified');
  });

  it('when staleAfterMonths is 12 then 29 Feb is verified until 28 Feb of the next year', () => {
    const oneYear: BadgePolicy = { staleAfterMonths: 12 };
    const last = at('2028-02-29T09:00:00-03:00');
    expect(eidBadge(last, at('2029-02-28T09:00:00-03:00'), oneYear)).toBe('verified');
    expect(eidBadge(last, at('2029-02-28T09:01:00-03:00'), oneYear)).toBe('stale');
  });
});

describe('eidBadgeView: texts and dates in Asunción time', () => {
  it('when there was never an e-ID login then the tooltip says so', () => {
    const view = eidBadgeView(null, at('2026-10-15T09:00:00-03:00'), threeMonths);
    expect(view.state).toBe('never');
    expect(view.tooltip).toBe('Aún no inició sesión con una cuenta de Identidad Electrónica');
  });

  it('when verified then the tooltip gives the date and time of the last login in Asunción', () => {
    const view = eidBadgeView(at('2026-10-15T12:12:00Z'), at('2026-11-01T10:00:00Z'), threeMonths);
    expect(view.state).toBe('verified');
    expect(view.tooltip).toBe(
      'Último inicio de sesión con Identidad Electrónica: 15/10/2026 09:12',
    );
  });

  it('when stale then the tooltip says more than 3 months and gives the date', () => {
    const view = eidBadgeView(at('2026-10-15T12:12:00Z'), at('2027-02-01T10:00:00Z'), threeMonths);
    expect(view.state).toBe('stale');
    expect(view.tooltip).toBe(
      'Su último inicio de sesión con Identidad Electrónica fue hace más de 3 meses (15/10/2026 09:12)',
    );
  });

  it('when the login was just after midnight UTC then the date shown is the previous day in Asunción', () => {
    const view = eidBadgeView(at('2026-08-01T01:30:00Z'), at('2026-08-02T12:00:00Z'), threeMonths);
    expect(view.tooltip).toBe(
      'Último inicio de sesión con Identidad Electrónica: 31/07/2026 22:30',
    );
  });

  it('when the policy is 2 months then the stale tooltip says 2 months', () => {
    const view = eidBadgeView(at('2026-10-15T12:12:00Z'), at('2026-12-16T12:00:00Z'), {
      staleAfterMonths: 2,
    });
    expect(view.state).toBe('stale');
    expect(view.tooltip).toContain('fue hace más de 2 meses (15/10/2026 09:12)');
  });

  it('when the three states are rendered then each has its own non-empty label', () => {
    const last = at('2026-10-15T12:12:00Z');
    const labels = [
      eidBadgeView(null, last, threeMonths).label,
      eidBadgeView(last, at('2026-10-16T12:00:00Z'), threeMonths).label,
      eidBadgeView(last, at('2027-10-16T12:00:00Z'), threeMonths).label,
    ];
    expect(labels.every((label) => label.length > 0)).toBe(true);
    expect(new Set(labels).size).toBe(3);
  });
});

describe('eidBadge: properties across random dates', () => {
  // 2000–2100 includes Paraguay's DST years as well as the fixed UTC-3 ones.
  const instant = fc.date({
    min: new Date('2000-01-01T00:00:00Z'),
    max: new Date('2100-01-01T00:00:00Z'),
    noInvalidDate: true,
  });
  const elapsed = fc.integer({ min: 0, max: 400 * DAY });

  it('when time passes then the badge never goes from stale back to verified', () => {
    fc.assert(
      fc.property(instant, elapsed, elapsed, fc.integer({ min: 1, max: 24 }), (last, a, b, n) => {
        const policy = { staleAfterMonths: n };
        const t1 = new Date(last.getTime() + a);
        const t2 = new Date(t1.getTime() + b);
        const before = eidBadge(last, t1, policy);
        const after = eidBadge(last, t2, policy);
        expect(before === 'stale' && after === 'verified').toBe(false);
        expect(after).not.toBe('never');
      }),
    );
  });

  it('when at most 89 days have passed then the badge is verified (3 months are at least 89 days)', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 89 * DAY }), (last, offset) => {
        expect(eidBadge(last, new Date(last.getTime() + offset), threeMonths)).toBe('verified');
      }),
    );
  });

  it('when at least 93 days have passed then the badge is stale (3 months are at most 92 days)', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 93 * DAY, max: 3650 * DAY }), (last, offset) => {
        expect(eidBadge(last, new Date(last.getTime() + offset), threeMonths)).toBe('stale');
      }),
    );
  });

  it('when the badge is never then there was no login, and only then', () => {
    fc.assert(
      fc.property(fc.option(instant, { nil: null }), instant, (last, now) => {
        expect(eidBadge(last, now, threeMonths) === 'never').toBe(last === null);
      }),
    );
  });

  it('when the threshold is crossed by one minute then the badge turns stale', () => {
    // The minute after "exactly 3 months" is stale and the minute before is verified, for any
    // whole-minute login time after Asunción settled on UTC-3.
    const settled = fc
      .integer({
        min: Date.parse('2024-10-07T00:00:00Z') / MINUTE,
        max: Date.parse('2090-01-01T00:00:00Z') / MINUTE,
      })
      .map((minutes) => new Date(minutes * MINUTE));
    fc.assert(
      fc.property(settled, (last) => {
        const local = new Date(last.getTime() - 3 * 3_600_000); // wall clock as UTC fields
        const y = local.getUTCFullYear();
        const m = local.getUTCMonth() + 3;
        const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
        const day = Math.min(local.getUTCDate(), lastDay);
        const threshold =
          Date.UTC(y, m, day, local.getUTCHours(), local.getUTCMinutes()) + 3 * 3_600_000;
        expect(eidBadge(last, new Date(threshold - MINUTE), threeMonths)).toBe('verified');
        expect(eidBadge(last, new Date(threshold), threeMonths)).toBe('verified');
        expect(eidBadge(last, new Date(threshold + MINUTE), threeMonths)).toBe('stale');
      }),
    );
  });
});

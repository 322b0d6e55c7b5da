import fc from 'fast-check';
import {
  eidReauthReason,
  eidReauthRequirement,
  eidReauthWarning,
  monthsSinceEidLogin,
  type ReauthPolicy,
  type ReauthSubject,
} from '../../src/domain/authentication/eid-reauth';
import { eidBadge } from '../../src/domain/badges/eid-badge';

const at = (iso: string): Date => new Date(iso);
const DAY = 86_400_000;

const policy: ReauthPolicy = {
  staleAfterMonths: 3,
  reauthAfterMonths: 6,
  requiredSince: null,
  providerAvailable: true,
  degradedMode: 'allow',
};
const user = (lastEidLoginAt: Date | null, eidExemptUntil: Date | null = null): ReauthSubject => ({
  lastEidLoginAt,
  eidExemptUntil,
});

// 09:00 in Asunción; the re-auth limit falls on 20 Nov 2026 at 09:00 local.
const last = at('2026-05-20T12:00:00Z');

describe('eidReauthReason: last e-ID login too old', () => {
  it('when the last e-ID login is within the limit then no re-authentication is asked', () => {
    expect(eidReauthReason(user(last), at('2026-09-20T12:00:00Z'), policy)).toBeNull();
  });

  it('when exactly 6 calendar months have passed then no re-authentication is asked', () => {
    expect(eidReauthReason(user(last), at('2026-11-20T09:00:00-03:00'), policy)).toBeNull();
  });

  it('when 6 months and 1 minute have passed then the reason is eid_reauth_expired', () => {
    expect(eidReauthReason(user(last), at('2026-11-20T09:01:00-03:00'), policy)).toBe(
      'eid_reauth_expired',
    );
  });

  it('when the login was on 31 Aug then the limit is 28 Feb at the same local time', () => {
    const endOfMonth = user(at('2026-08-31T10:00:00-03:00'));
    expect(eidReauthReason(endOfMonth, at('2027-02-28T10:00:00-03:00'), policy)).toBeNull();
    expect(eidReauthReason(endOfMonth, at('2027-02-28T10:01:00-03:00'), policy)).toBe(
      'eid_reauth_expired',
    );
  });

  it('when the limit is configured to 12 months then 7 months is still fine', () => {
    const yearly = { ...policy, reauthAfterMonths: 12 };
    expect(eidReauthReason(user(last), at('2026-12-20T12:00:00Z'), yearly)).toBeNull();
    expect(eidReauthReason(user(last), at('2027-05-20T12:01:00Z'), yearly)).toBe(
      'eid_reauth_expired',
    );
  });

  it('when the last login is too old and a rollout date has passed then the expiry reason wins', () => {
    const rollout = { ...policy, requiredSince: '2026-01-01' };
    expect(eidReauthReason(user(last), at('2027-01-01T12:00:00Z'), rollout)).toBe(
      'eid_reauth_expired',
    );
  });
});

describe('eidReauthReason: never used e-ID', () => {
  it('when there is no EID_REQUIRED_SINCE then a user who never used e-ID is not forced', () => {
    expect(eidReauthReason(user(null), at('2040-01-01T12:00:00Z'), policy)).toBeNull();
  });

  it('when it is midnight in Asunción on EID_REQUIRED_SINCE then the reason is eid_required_never_used', () => {
    const rollout = { ...policy, requiredSince: '2027-03-01' };
    expect(eidReauthReason(user(null), at('2027-03-01T00:00:00-03:00'), rollout)).toBe(
      'eid_required_never_used',
    );
    expect(eidReauthReason(user(null), at('2027-06-15T12:00:00Z'), rollout)).toBe(
      'eid_required_never_used',
    );
  });

  it('when it is the minute before midnight in Asunción (already 1 Mar in UTC) then nobody is forced', () => {
    const rollout = { ...policy, requiredSince: '2027-03-01' };
    expect(eidReauthReason(user(null), at('2027-02-28T23:59:00-03:00'), rollout)).toBeNull();
    expect(eidReauthReason(user(null), at('2027-03-01T02:59:00Z'), rollout)).toBeNull();
  });

  it('when a user used e-ID recently then the rollout date does not concern them', () => {
    const rollout = { ...policy, requiredSince: '2026-01-01' };
    expect(eidReauthReason(user(last), at('2026-06-01T12:00:00Z'), rollout)).toBeNull();
  });
});

describe('eidReauthReason: exemptions', () => {
  const now = at('2027-06-15T12:00:00Z');
  const rollout = { ...policy, requiredSince: '2027-03-01' };

  it('when an exemption ends in the future then an expired e-ID login is waived', () => {
    const exempt = user(last, at('2027-06-16T12:00:00Z'));
    expect(eidReauthReason(exempt, now, policy)).toBeNull();
    expect(eidReauthRequirement(exempt, now, policy)).toBeNull();
  });

  it('when an exemption ends in the future then never having used e-ID is waived', () => {
    expect(eidReauthReason(user(null, at('2027-12-31T12:00:00Z')), now, rollout)).toBeNull();
  });

  it('when the exemption has expired then the reason comes back', () => {
    expect(eidReauthReason(user(last, at('2027-06-14T12:00:00Z')), now, policy)).toBe(
      'eid_reauth_expired',
    );
    expect(eidReauthReason(user(null, at('2027-06-14T12:00:00Z')), now, rollout)).toBe(
      'eid_required_never_used',
    );
  });

  it('when the exemption ends at this very instant then it no longer waives', () => {
    expect(eidReauthReason(user(last, now), now, policy)).toBe('eid_reauth_expired');
  });
});

describe('eidReauthReason: degraded mode (e-ID provider unavailable)', () => {
  const now = at('2027-06-15T12:00:00Z');
  const down = { ...policy, providerAvailable: false };

  it('when the provider is down and the mode is allow then nobody is forced but the requirement is kept', () => {
    const allow = { ...down, degradedMode: 'allow' as const };
    expect(eidReauthReason(user(last), now, allow)).toBeNull();
    expect(eidReauthRequirement(user(last), now, allow)).toBe('eid_reauth_expired');
    const rollout = { ...allow, requiredSince: '2027-03-01' };
    expect(eidReauthReason(user(null), now, rollout)).toBeNull();
    expect(eidReauthRequirement(user(null), now, rollout)).toBe('eid_required_never_used');
  });

  it('when the provider is down and the mode is deny then the reason is still returned', () => {
    const deny = { ...down, degradedMode: 'deny' as const };
    expect(eidReauthReason(user(last), now, deny)).toBe('eid_reauth_expired');
  });

  it('when the provider is up then the mode allow changes nothing', () => {
    expect(eidReauthReason(user(last), now, { ...policy, degradedMode: 'allow' })).toBe(
      'eid_reauth_expired',
    );
  });

  it('when the provider is down but nothing is required then the reason is null either way', () => {
    const recent = user(at('2027-06-01T12:00:00Z'));
    expect(eidReauthRequirement(recent, now, down)).toBeNull();
    expect(eidReauthReason(recent, now, { ...down, degradedMode: 'deny' })).toBeNull();
  });
});

describe('eidReauthWarning', () => {
  it('when fewer than 3 months have passed then there is no warning', () => {
    expect(eidReauthWarning(user(last), at('2026-08-01T12:00:00Z'), policy)).toBeNull();
  });

  it('when exactly 3 months have passed then there is no warning yet (the badge is still verified)', () => {
    expect(eidReauthWarning(user(last), at('2026-08-20T09:00:00-03:00'), policy)).toBeNull();
  });

  it('when 3 months and 1 minute have passed then 92 days are left', () => {
    expect(eidReauthWarning(user(last), at('2026-08-20T09:01:00-03:00'), policy)).toEqual({
      daysLeft: 92,
    });
  });

  it('when 5 months have passed then the days left count to 20 Nov: 31', () => {
    expect(eidReauthWarning(user(last), at('2026-10-20T12:00:00Z'), policy)).toEqual({
      daysLeft: 31,
    });
  });

  it('when part of a day remains then it counts as a whole day', () => {
    expect(eidReauthWarning(user(last), at('2026-10-20T12:00:01Z'), policy)).toEqual({
      daysLeft: 31,
    });
    expect(eidReauthWarning(user(last), at('2026-11-20T08:00:00-03:00'), policy)).toEqual({
      daysLeft: 1,
    });
  });

  it('when more than 6 months have passed then there is no warning (re-auth is forced instead)', () => {
    expect(eidReauthWarning(user(last), at('2026-11-20T09:01:00-03:00'), policy)).toBeNull();
  });

  it('when e-ID was never used then there is no warning', () => {
    expect(eidReauthWarning(user(null), at('2026-10-20T12:00:00Z'), policy)).toBeNull();
  });
});

describe('monthsSinceEidLogin', () => {
  it('when one minute short of 5 months then it floors to 4', () => {
    expect(monthsSinceEidLogin(user(last), at('2026-10-20T11:59:00Z'))).toBe(4);
    expect(monthsSinceEidLogin(user(last), at('2026-10-20T12:00:00Z'))).toBe(5);
  });

  it('when e-ID was never used then it is null', () => {
    expect(monthsSinceEidLogin(user(null), at('2026-10-20T12:00:00Z'))).toBeNull();
  });

  it('when the login was 29 Nov 22:30 local (30 Nov in UTC) then 28 Feb 09:00 local is 2 months, not 3', () => {
    const lateNight = user(at('2026-11-30T01:30:00Z'));
    expect(monthsSinceEidLogin(lateNight, at('2027-02-28T09:00:00-03:00'))).toBe(2);
    expect(monthsSinceEidLogin(lateNight, at('2027-02-28T22:30:00-03:00'))).toBe(3);
  });

  it('when the login was in a DST winter (UTC-4) then the anniversary is at the same local time', () => {
    const winter = user(at('2024-07-15T08:00:00-04:00'));
    expect(monthsSinceEidLogin(winter, at('2026-07-15T07:59:00-03:00'))).toBe(23);
    expect(monthsSinceEidLogin(winter, at('2026-07-15T08:00:00-03:00'))).toBe(24);
  });
});

describe('re-auth and badge rules agree (properties)', () => {
  const instant = fc.date({
    min: new Date('2000-01-01T00:00:00Z'),
    max: new Date('2100-01-01T00:00:00Z'),
    noInvalidDate: true,
  });
  const elapsed = fc.integer({ min: 0, max: 800 * DAY });
  const months = fc
    .tuple(fc.integer({ min: 1, max: 24 }), fc.integer({ min: 0, max: 24 }))
    .map(([stale, extra]) => ({ staleAfterMonths: stale, reauthAfterMonths: stale + extra }));

  it('when re-auth is demanded for an old login then the badge with 3 months is stale', () => {
    fc.assert(
      fc.property(instant, elapsed, fc.integer({ min: 3, max: 24 }), (lastAt, offset, limit) => {
        const now = new Date(lastAt.getTime() + offset);
        const reason = eidReauthReason(user(lastAt), now, { ...policy, reauthAfterMonths: limit });
        if (reason === 'eid_reauth_expired') {
          expect(eidBadge(lastAt, now, { staleAfterMonths: 3 })).toBe('stale');
        }
        expect(reason === null || reason === 'eid_reauth_expired').toBe(true);
      }),
    );
  });

  it('when the badge is stale and re-auth is not yet forced then, and only then, a warning is given', () => {
    fc.assert(
      fc.property(instant, elapsed, months, (lastAt, offset, limits) => {
        const now = new Date(lastAt.getTime() + offset);
        const p = { ...policy, ...limits };
        const stale = eidBadge(lastAt, now, p) === 'stale';
        const forced = eidReauthReason(user(lastAt), now, p) !== null;
        const warning = eidReauthWarning(user(lastAt), now, p);
        expect(warning !== null).toBe(stale && !forced);
        if (warning) expect(warning.daysLeft).toBeGreaterThanOrEqual(1);
      }),
    );
  });
});

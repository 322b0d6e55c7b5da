import { addMonthsInZone, monthsBetween, startOfDayInZone } from '../../shared/time';

/** Stored reason codes (login_events.reason); never rename. */
export type ReauthReason = 'eid_reauth_expired' | 'eid_required_never_used';

export interface ReauthSubject {
  lastEidLoginAt: Date | null;
  eidExemptUntil: Date | null;
}

export interface ReauthPolicy {
  staleAfterMonths: number;
  reauthAfterMonths: number;
  /** ISO date after which users who never used the e-ID must use it too. */
  requiredSince: string | null;
  /** Whether the e-ID provider answered its last health probe. */
  providerAvailable: boolean;
  degradedMode: 'allow' | 'deny';
}

type Check = (user: ReauthSubject, now: Date, policy: ReauthPolicy) => ReauthReason | null;

const lastLoginTooOld: Check = (user, now, policy) =>
  user.lastEidLoginAt &&
  now.getTime() > addMonthsInZone(user.lastEidLoginAt, policy.reauthAfterMonths).getTime()
    ? 'eid_reauth_expired'
    : null;

const neverUsedAfterDeadline: Check = (user, now, policy) =>
  !user.lastEidLoginAt &&
  policy.requiredSince !== null &&
  now.getTime() >= startOfDayInZone(policy.requiredSince).getTime()
    ? 'eid_required_never_used'
    : null;

const checks: readonly Check[] = [lastLoginTooOld, neverUsedAfterDeadline];

/**
 * What the policy demands, ignoring the provider's availability: the first failing check's
 * reason, or null. An exemption that has not expired waives every check.
 */
export function eidReauthRequirement(
  user: ReauthSubject,
  now: Date,
  policy: ReauthPolicy,
): ReauthReason | null {
  if (user.eidExemptUntil && user.eidExemptUntil.getTime() > now.getTime()) return null;
  for (const check of checks) {
    const reason = check(user, now, policy);
    if (reason) return reason;
  }
  return null;
}

/**
 * Whether a classic login must be turned into an e-ID login now. In degraded mode (provider
 * down and `EID_DEGRADED_MODE=allow`) nobody is forced; the caller flags the login instead.
 */
export function eidReauthReason(
  user: ReauthSubject,
  now: Date,
  policy: ReauthPolicy,
): ReauthReason | null {
  const reason = eidReauthRequirement(user, now, policy);
  if (reason && !policy.providerAvailable && policy.degradedMode === 'allow') return null;
  return reason;
}

/**
 * Days left before re-authentication becomes mandatory, when the last e-ID login is already
 * stale but not yet past the limit; otherwise null.
 */
export function eidReauthWarning(
  user: ReauthSubject,
  now: Date,
  policy: ReauthPolicy,
): { daysLeft: number } | null {
  if (!user.lastEidLoginAt) return null;
  const staleFrom = addMonthsInZone(user.lastEidLoginAt, policy.staleAfterMonths);
  const deadline = addMonthsInZone(user.lastEidLoginAt, policy.reauthAfterMonths);
  if (now.getTime() <= staleFrom.getTime() || now.getTime() > deadline.getTime()) return null;
  return { daysLeft: Math.max(1, Math.ceil((deadline.getTime() - now.getTime()) / 86_400_000)) };
}

/** Whole months since the last e-ID login, for "hace N meses". */
export function monthsSinceEidLogin(user: ReauthSubject, now: Date): number | null {
  return user.lastEidLoginAt ? monthsBetween(user.lastEidLoginAt, now) : null;
}

import type { Env } from './schema';
import type { Network } from './networks';

/**
 * The brute-force limits (src/domain/passwords/lockout.ts). Three counters of failed password
 * attempts, all over the same window:
 * - per account and source IP (`maxFailures`): the strict one; reaching it locks that pair for
 *   `durationInMinutes`, doubled at every new lock of the same pair within a day, up to
 *   `maxDurationInMinutes` — never a permanent lock, an administrator can end it at any time;
 * - per account across all sources (`maxFailuresPerAccount`, well above the pair limit): beyond
 *   it, only the sources the person logged in from recently are still heard (a distributed attack
 *   is slowed down, the person at their own ward PC keeps working);
 * - per source IP across accounts (`maxFailuresPerIp`, credential stuffing): beyond it the source
 *   gets 429 for `ipBlockDurationInMinutes`. Generous by default: one hospital behind NAT is one
 *   address for hundreds of staff who mistype at shift change.
 * Besides, per source and day, how many distinct usernames may fail (`maxFailingUsernamesPerDay`,
 * password spraying: a few guesses at many accounts). A source is an IPv4 address or an IPv6
 * /64 (one subscriber's block). Sources inside `trustedNetworks` (the establishments' NAT
 * addresses) have the higher `trusted` limits, so a hospital's shift change is never blocked.
 */
export interface LoginLimits {
  maxFailures: number;
  durationInMinutes: number;
  maxDurationInMinutes: number;
  windowInMinutes: number;
  maxFailuresPerAccount: number;
  maxFailuresPerIp: number;
  ipBlockDurationInMinutes: number;
  maxFailingUsernamesPerDay: number;
  trustedNetworks: Network[];
  trusted: { maxFailuresPerIp: number; maxFailingUsernamesPerDay: number };
}

/** Resolves the limits, the LOCKOUT_* names standing for the pair limit when the new ones are unset. */
export function loginLimits(e: Env, fail: (message: string) => never): LoginLimits {
  const limits: LoginLimits = {
    maxFailures: e.LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_IP ?? e.LOCKOUT_MAX_FAILURES ?? 5,
    durationInMinutes: e.LOGIN_LOCK_DURATION_IN_MINUTES ?? e.LOCKOUT_DURATION_IN_MINUTES ?? 15,
    maxDurationInMinutes: e.LOGIN_MAX_LOCK_DURATION_IN_MINUTES,
    windowInMinutes: e.LOGIN_FAILURE_WINDOW_IN_MINUTES,
    maxFailuresPerAccount: e.LOGIN_MAX_FAILURES_PER_ACCOUNT,
    maxFailuresPerIp: e.LOGIN_MAX_FAILURES_PER_IP,
    ipBlockDurationInMinutes: e.LOGIN_IP_BLOCK_DURATION_IN_MINUTES,
    maxFailingUsernamesPerDay: e.LOGIN_MAX_FAILING_USERNAMES_PER_DAY,
    trustedNetworks: e.LOGIN_TRUSTED_NETWORKS,
    trusted: {
      maxFailuresPerIp: e.LOGIN_TRUSTED_MAX_FAILURES_PER_IP,
      maxFailingUsernamesPerDay: e.LOGIN_TRUSTED_MAX_FAILING_USERNAMES_PER_DAY,
    },
  };
  // A per-account limit at or under the pair limit would let one source throttle the account
  // for everyone else: exactly the lock-out-a-colleague attack the split exists to prevent.
  if (limits.maxFailuresPerAccount <= limits.maxFailures) {
    fail(
      `LOGIN_MAX_FAILURES_PER_ACCOUNT=${limits.maxFailuresPerAccount}: must be greater than LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_IP (${limits.maxFailures})`,
    );
  }
  if (limits.maxDurationInMinutes < limits.durationInMinutes) {
    fail(
      `LOGIN_MAX_LOCK_DURATION_IN_MINUTES=${limits.maxDurationInMinutes}: must not be less than LOGIN_LOCK_DURATION_IN_MINUTES (${limits.durationInMinutes})`,
    );
  }
  return limits;
}

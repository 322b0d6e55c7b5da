import type { UserRecord, UserRepository } from '../../storage/users';
import { verifyPassword } from '../passwords/hashing';
import type { Lockout } from '../passwords/lockout';
import { hasExpired } from '../users/validity';
import type { Clock } from '../../shared/clock';
import type { ReauthPolicy, ReauthReason } from './eid-reauth';
import {
  eidReauthReason,
  eidReauthRequirement,
  eidReauthWarning,
  monthsSinceEidLogin,
} from './eid-reauth';
import type { RecordLoginEvent } from '../audit/recorder';

export interface ClassicAttempt {
  username: string;
  password: string;
  ip: string | null;
  userAgent: string | null;
}

/** Stored reason codes of refused classic logins (login_events.reason); never rename. */
export type ClassicRefusal =
  | 'unknown_user'
  | 'bad_password'
  | 'no_password'
  | 'account_locked'
  | 'throttled_account'
  | 'account_disabled';

export type ClassicResult =
  | { kind: 'refused'; reason: ClassicRefusal }
  /** Too many failures from this source across accounts: 429, whoever the account. */
  | { kind: 'throttled'; retryAfterSeconds: number }
  | { kind: 'reauth'; user: UserRecord; reason: ReauthReason; monthsAgo: number | null }
  /** The right password of an account whose validity ended: told so (the password was right). */
  | { kind: 'expired'; user: UserRecord; validUntil: Date }
  | { kind: 'accepted'; user: UserRecord; degraded: boolean; warningDaysLeft: number | null };

export interface ClassicLoginDeps {
  clock: Clock;
  lockout: Lockout;
  /** The policy for this user (the e-ID rollout date depends on their regiones). */
  policy: (user: UserRecord) => Promise<ReauthPolicy>;
  record: RecordLoginEvent;
  users: UserRepository;
  /** The hash check (tests count the calls); {@link verifyPassword} by default. */
  verify?: typeof verifyPassword;
}

/**
 * The classic authenticator: username and password. The brute-force limits are consulted first
 * and reserve this attempt's point before any hash is verified (src/domain/passwords/lockout.ts);
 * past them, every path verifies a hash (a dummy one when there is nothing to verify) so that
 * unknown, wrong and disabled take the same time. Every refusal is recorded with its own reason
 * while the person sees one generic message.
 */
export function createClassicLogin({
  clock,
  lockout,
  policy,
  record,
  users,
  verify = verifyPassword,
}: ClassicLoginDeps) {
  return async function authenticateClassic(attempt: ClassicAttempt): Promise<ClassicResult> {
    const username = attempt.username.trim().toLowerCase();
    const base = {
      username,
      ip: attempt.ip,
      userAgent: attempt.userAgent,
      method: 'classic' as const,
    };
    const [found, reserved] = await Promise.allSettled([
      users.findByUsername(username),
      lockout.reserve(username, attempt.ip),
    ]);
    if (found.status === 'rejected') {
      // PostgreSQL could not look the account up: no password was looked at, so the attempt
      // must not count toward a lock (people retrying during an outage would be locked after it).
      if (reserved.status === 'fulfilled' && reserved.value.allowed)
        await reserved.value.abandoned().catch(() => undefined);
      throw found.reason;
    }
    if (reserved.status === 'rejected') throw reserved.reason;
    const [user, gate] = [found.value, reserved.value];
    if (!gate.allowed) {
      await record({ ...base, userId: user?.id ?? null, outcome: 'failure', reason: gate.reason });
      return gate.reason === 'account_locked' || gate.reason === 'throttled_account'
        ? { kind: 'refused', reason: gate.reason }
        : { kind: 'throttled', retryAfterSeconds: gate.retryAfterSeconds };
    }

    const passwordOk = await verify(user?.passwordHash ?? null, attempt.password);
    const refusal: ClassicRefusal | null = !user
      ? 'unknown_user'
      : !user.passwordHash
        ? 'no_password'
        : !passwordOk
          ? 'bad_password'
          : user.status !== 'active'
            ? 'account_disabled'
            : null;

    if (refusal || !user) {
      const reason = refusal ?? 'unknown_user';
      const failure = { ...base, userId: user?.id ?? null, outcome: 'failure' as const, reason };
      // Redis failing while the lock is settled must not lose the attempt: it is recorded, then
      // the person gets the 503 page (its point was already spent when it was reserved).
      const { lockStarted } = await gate.failed().catch(async (err: unknown) => {
        await record(failure);
        throw err;
      });
      if (lockStarted) {
        await record({
          ...base,
          userId: user?.id ?? null,
          outcome: 'info',
          reason: 'lockout_started',
        });
      }
      await record(failure);
      return { kind: 'refused', reason };
    }

    await gate.succeeded();
    const now = clock.now();
    if (user.validUntil && hasExpired(user.validUntil, now)) {
      await record({ ...base, userId: user.id, outcome: 'failure', reason: 'account_expired' });
      return { kind: 'expired', user, validUntil: user.validUntil };
    }
    const currentPolicy = await policy(user);
    const reason = eidReauthReason(user, now, currentPolicy);
    if (reason) {
      await record({ ...base, userId: user.id, outcome: 'failure', reason });
      return { kind: 'reauth', user, reason, monthsAgo: monthsSinceEidLogin(user, now) };
    }
    const degraded = eidReauthRequirement(user, now, currentPolicy) !== null;
    const warning = eidReauthWarning(user, now, currentPolicy);
    return { kind: 'accepted', user, degraded, warningDaysLeft: warning?.daysLeft ?? null };
  };
}

export type AuthenticateClassic = ReturnType<typeof createClassicLogin>;

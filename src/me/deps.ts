import type { Repositories } from '../repositories';
import type { Clock } from '../shared/clock';
import type { Policy } from '../http/policy';
import type { IdentityCache } from '../sessions/identity-cache';
import type { SessionIndex } from '../sessions/session-index';
import type { Lockout } from '../auth/classic/lockout';

/** What the account holder's own pages and commands are built from (wired in app.ts). */
export interface MeDeps {
  repos: Repositories;
  clock: Clock;
  policy: Policy;
  /** Rewritten after a password change (lifts the forced change in every open session). */
  identities: IdentityCache;
  /** The user's open sessions: the other ones can be closed, all end after a reset. */
  sessions: SessionIndex;
  /** The login form's lockout: a wrong current password counts toward it. */
  lockout: Lockout;
  lockoutMinutes: number;
  /** Whether the e-ID provider answers (the forgotten-password page says so when not). */
  eidAvailable: () => boolean;
}

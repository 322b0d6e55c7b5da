import type { Repositories } from '../../storage/repositories';
import type { Clock } from '../../shared/clock';
import type { Policy } from '../../web/policy';
import type { IdentityCache } from '../../domain/sessions/identity-cache';
import type { SessionIndex } from '../../domain/sessions/session-index';
import type { Lockout } from '../../domain/passwords/lockout';

/** What the account holder's own pages and commands are built from (the platform, src/platform.ts). */
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
}

import type { Config } from '../config';
import type { Repositories } from '../repositories';
import type { Clock } from '../shared/clock';
import type { Policy } from '../http/policy';
import type { IdentityCache } from '../sessions/identity-cache';
import type { SessionIndex } from '../sessions/session-index';
import type { Lockout } from '../auth/classic/lockout';
import type { ImportDrafts } from '../establishments/import-drafts';
import type { UserSearch } from '../users/user-search';

/** What the administration screens and their commands are built from (wired in app.ts). */
export interface AdminDeps {
  config: Config;
  repos: Repositories;
  clock: Clock;
  policy: Policy;
  /** Rewrite a user's cached identity after a committed change (their sessions see it next). */
  identities: IdentityCache;
  /** Lists and ends a user's open sessions. */
  sessions: SessionIndex;
  lockout: Lockout;
  /** The users list's query (keyset pages, filters, scope). */
  userSearch: UserSearch;
  /** Uploaded establishment files between their preview and their confirmation. */
  importDrafts: ImportDrafts;
}

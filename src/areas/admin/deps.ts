import type { Config } from '../../config';
import type { Repositories } from '../../storage/repositories';
import type { Clock } from '../../shared/clock';
import type { Policy } from '../../web/policy';
import type { IdentityCache } from '../../domain/sessions/identity-cache';
import type { SessionIndex } from '../../domain/sessions/session-index';
import type { Lockout } from '../../domain/passwords/lockout';
import type { ImportDrafts } from '../../domain/establishments/import-drafts';
import type { UserSearch } from '../../storage/queries/user-search';
import type { AgreementVersionCache } from '../../domain/agreements/current-version';

/** What the administration screens and their commands are built from (the platform, src/platform.ts). */
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
  queries: { userSearch: UserSearch };
  /** Uploaded establishment files between their preview and their confirmation. */
  importDrafts: ImportDrafts;
  /** Uploaded staff files between their preview and their confirmation. */
  userImportDrafts: ImportDrafts;
  /** The confidentiality agreement's version in force (rewritten when one is published). */
  agreementVersion: AgreementVersionCache;
}

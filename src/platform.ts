import type { Sequelize } from 'sequelize';
import type { RedisClientType } from 'redis';
import type { Config } from './config';
import type { Clock } from './shared/clock';
import type { Logger } from './shared/logger';
import type { Repositories } from './storage/repositories';
import { createQueries } from './storage/queries';
import type { ExportPool } from './storage/cursor';
import { createEidProvider } from './eid';
import type { EidProvider } from './eid/provider';
import { alwaysAvailable, type EidStatus } from './eid/status';
import { snapshotOf, type EidSnapshot } from './eid/snapshot';
import { createMetrics } from './web/metrics';
import { createPolicy } from './web/policy';
import { createCsrf } from './web/csrf';
import { requireRecentEid } from './web/step-up';
import { createSessionMiddleware } from './web/session/middleware';
import { createAgreementVersion } from './domain/agreements/current-version';
import { createSessionTimeouts } from './web/session/timeouts';
import {
  createLoginEventRecorder,
  createRefusalRecorder,
  type RecordLoginEvent,
} from './domain/audit/recorder';
import { createAuditSpool, type AuditSpool } from './domain/audit/spool';
import { createSessionEnds } from './domain/sessions/session-ends';
import { createSessionIndex } from './domain/sessions/session-index';
import { createSsoRegistry } from './domain/sessions/sso';
import { createIdentityCache } from './domain/sessions/identity-cache';
import { createLockout } from './domain/passwords/lockout';
import { createImportDrafts } from './domain/establishments/import-drafts';
import { createClassicLogin, type ClassicLoginDeps } from './domain/authentication/classic-login';
import { eidRequiredSinceFor, reauthPolicy } from './domain/authentication/eid-policy';
import { createEidLogin } from './domain/authentication/eid-login';
import { createEstablishmentLogin } from './domain/authentication/establishment-login';

export interface AppDeps {
  config: Config;
  clock: Clock;
  logger: Logger;
  sequelize: Sequelize;
  /**
   * What the audit screens read through (src/db/sequelize.ts createReadSequelize): the
   * DATABASE_READ_URL replica when set; the primary when absent. Nothing else uses it.
   */
  readSequelize?: Sequelize;
  /** The CSV exports' own connections (src/db/export-pool.ts), on the replica when set. */
  exportPool: ExportPool;
  repos: Repositories;
  redis: RedisClientType;
  /** Availability of the e-ID provider (the monitor in production); always available if absent. */
  eidStatus?: EidStatus & { report?(ok: boolean): void; snapshot?(): EidSnapshot };
  /** The e-ID adapter; by default the one EID_PROTOCOL names. */
  eidProvider?: EidProvider;
  /** The login form's hash check; the argon2id one by default (tests count its calls). */
  verifyPassword?: ClassicLoginDeps['verify'];
  /** The durable audit spool (src/domain/audit/spool.ts); one on AUDIT_SPOOL_DIR by default. */
  auditSpool?: AuditSpool;
  /** How a back-channel logout waits before a retry; a timer by default (tests drive it). */
  logoutRetryWait?: (pauseInMs: number) => Promise<void>;
}

/**
 * Everything the areas are built from, built once from the app's dependencies: the queries, the
 * audit recorders, the session stack, the brute-force limits and the login's use cases. No I/O.
 * Each area declares the part it uses as an interface of its own; this object satisfies them all.
 */
export function createPlatform(deps: AppDeps) {
  const { config, clock, logger, sequelize, redis, repos } = deps;
  const prefix = config.redis.keyPrefix;
  const eidStatus = deps.eidStatus ?? alwaysAvailable;
  const eidAvailable = () => eidStatus.available();
  const metrics = createMetrics(() => snapshotOf(eidStatus));
  // Audit rows that must not wait for PostgreSQL (refusals, logouts, expiries) spool while it is
  // unavailable; main.ts drains on an interval, and each successful write drains too.
  const auditSpool =
    deps.auditSpool ?? createAuditSpool({ dir: config.audit.spoolDir, sequelize, logger });
  const appendRow = createLoginEventRecorder(sequelize, clock, auditSpool);
  const record: RecordLoginEvent = async (event, transaction) => {
    await appendRow(event, transaction);
    // Method and outcome only: the reason would tell unknown, wrong, password-less and disabled
    // (with its right password) apart, which the one public message and equal timing hide.
    metrics.loginEvents.inc({ method: event.method, outcome: event.outcome });
  };
  const appendAdmin = createRefusalRecorder(
    clock,
    (event) => repos.transaction((tx) => repos.adminEvents.append(event, tx)),
    auditSpool,
  );
  const sessionEnds = createSessionEnds(redis, prefix, clock, config.session);
  const session = createSessionMiddleware(config, redis, sessionEnds);
  const sso = createSsoRegistry(redis, prefix, config.session.absoluteTimeoutInHours * 3600);
  const sessionIndex = createSessionIndex(
    redis,
    prefix,
    session.store,
    config.session.absoluteTimeoutInHours * 3600,
    sso,
  );
  const identities = createIdentityCache(redis, prefix, repos);
  const lockout = createLockout(redis, prefix, config.lockout);
  const requiredSinceFor = eidRequiredSinceFor(config, repos.establishments.regions);
  const provider = deps.eidProvider ?? createEidProvider(config);
  const eidLogin = createEidLogin({
    ...deps,
    provider,
    record,
    reportAvailability: (ok) => deps.eidStatus?.report?.(ok),
  });
  return {
    config,
    clock,
    logger,
    repos,
    redis,
    sequelize,
    queries: createQueries(sequelize, deps.readSequelize ?? sequelize),
    exportPool: deps.exportPool,
    eidAvailable,
    /** Where our redirects may send the browser: the e-ID provider's origins (CSP form-action). */
    eidNavigationOrigins: () => provider.navigationOrigins(),
    metrics,
    auditSpool,
    record,
    policy: createPolicy(appendAdmin),
    /** express-session's middleware and its Redis store. */
    session,
    /** Each user's open sessions (list, end one, end all). */
    sessions: sessionIndex,
    /** The modules each HIS session signed into through the OpenID Provider. */
    sso,
    closedSessions: sessionIndex.closed,
    timeouts: createSessionTimeouts({
      clock,
      config,
      record,
      ends: sessionEnds,
      closedSessions: sessionIndex.closed,
      sso,
    }),
    csrf: createCsrf({ secret: config.session.secret, secure: config.session.cookieSecure }),
    identities,
    agreementVersion: createAgreementVersion(redis, prefix, repos),
    lockout,
    importDrafts: createImportDrafts(redis, prefix),
    userImportDrafts: createImportDrafts(redis, prefix, 'user-import'),
    requiredSinceFor,
    authenticateClassic: createClassicLogin({
      clock,
      lockout,
      policy: async (user) => reauthPolicy(config, eidStatus, await requiredSinceFor(user.id)),
      record,
      users: repos.users,
      verify: deps.verifyPassword,
    }),
    eidLogin,
    establishmentLogin: createEstablishmentLogin({
      repos,
      clock,
      record,
      pauseAfterDays: config.inactivity.assignmentPauseAfterDays,
    }),
    /** The admin and audit areas' e-ID step-up (web/step-up.ts). */
    stepUp: requireRecentEid({ config, clock, eidAvailable }),
    /** The e-ID provider's logout URL, when it has one (shared PCs: end its session too). */
    endProviderSession: () => eidLogin.endSessionUrl(`${config.baseUrl}/login`),
  };
}

export type Platform = ReturnType<typeof createPlatform>;

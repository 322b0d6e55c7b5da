import path from 'node:path';
import express from 'express';
import helmet from 'helmet';
import type { Sequelize } from 'sequelize';
import type { RedisClientType } from 'redis';
import type { Config } from './config';
import type { Clock } from './shared/clock';
import type { Logger } from './shared/logger';
import { projectRoot } from './shared/paths';
import { createSessionMiddleware } from './sessions/session-middleware';
import { createSessionIndex } from './sessions/session-index';
import { createSessionTimeouts } from './sessions/timeouts';
import { createSessionEnds } from './sessions/session-ends';
import { identify } from './sessions/require-auth';
import { createIdentityCache } from './sessions/identity-cache';
import { createPolicy } from './http/policy';
import type { Repositories } from './repositories';
import { switchEstablishment } from './sessions/commands/switch-establishment';
import { logout } from './sessions/commands/logout';
import { createCsrf } from './http/csrf';
import { refuseForeignOrigin } from './http/origin-check';
import { createErrorHandler, notFoundHandler } from './http/error-handler';
import { createMetrics } from './http/metrics';
import {
  createLoginEventRecorder,
  createRefusalRecorder,
  type RecordLoginEvent,
} from './audit/recorder';
import { createAuditSpool, type AuditSpool } from './audit/spool';
import { createLockout } from './auth/classic/lockout';
import { createClassicLogin, type ClassicLoginDeps } from './auth/classic/classic-login';
import { classicLoginRoutes } from './auth/classic/routes';
import {
  alwaysAvailable,
  eidRequiredSinceFor,
  reauthPolicy,
  type EidStatus,
} from './auth/eid-policy';
import { reauthRoutes } from './auth/reauth/routes';
import { createEidProvider } from './auth/eid';
import { createEidLogin } from './auth/eid/eid-login';
import { eidRoutes } from './auth/eid/routes';
import type { EidProvider } from './auth/eid/provider';
import { createEstablishmentLogin } from './establishments/login-establishment';
import { establishmentRoutes } from './establishments/routes';
import { homeRoutes } from './home/routes';
import { adminRoutes } from './admin/routes';
import { multipartForms } from './http/multipart';
import { formBodies } from './http/body-limits';
import { IMPORT_FILE_FIELD, IMPORT_UPLOAD_PATH } from './admin/establishments/import-routes';
import { MAX_IMPORT_BYTES } from './establishments/import-plan';
import { createImportDrafts } from './establishments/import-drafts';
import { createUserSearch } from './users/user-search';
import { meRoutes } from './me/routes';
import { healthRoutes } from './health/routes';
import {
  internalObservabilityAccess,
  publicObservabilityAccess,
} from './http/observability-access';
import { snapshotOf, type EidSnapshot } from './auth/eid/eid-snapshot';
import { auditRoutes } from './audit/routes';
import { verifyRoutes } from './auth/verify/routes';
import { adoptionRoutes } from './audit/adoption-routes';
import { createAdoptionQuery } from './audit/adoption-query';
import './sessions/types';
import { serviceUnavailable } from './shared/errors';
import { redisAnswering } from './redis/watchdog';

export interface AppDeps {
  config: Config;
  clock: Clock;
  logger: Logger;
  sequelize: Sequelize;
  /**
   * What the audit screens and exports read through (src/db/sequelize.ts createReadSequelize):
   * the DATABASE_READ_URL replica when set; the primary when absent. Nothing else uses it.
   */
  readSequelize?: Sequelize;
  repos: Repositories;
  redis: RedisClientType;
  /** Availability of the e-ID provider (the monitor in production); always available if absent. */
  eidStatus?: EidStatus & { report?(ok: boolean): void; snapshot?(): EidSnapshot };
  /** The e-ID adapter; by default the one EID_PROTOCOL names. */
  eidProvider?: EidProvider;
  /** The login form's hash check; the argon2id one by default (tests count its calls). */
  verifyPassword?: ClassicLoginDeps['verify'];
  /** The durable audit spool (src/audit/spool.ts); one on AUDIT_SPOOL_DIR by default. */
  auditSpool?: AuditSpool;
}

const oidcProviderOrigin = (config: Config): string[] =>
  config.eid.protocol === 'oidc' ? [new URL(config.eid.issuer).origin] : [];

/** Builds the Express application from its dependencies. No I/O happens here. */
export function createApp(deps: AppDeps) {
  const { config, clock, logger, sequelize, redis, repos } = deps;
  const readSequelize = deps.readSequelize ?? sequelize;
  const eidStatus = deps.eidStatus ?? alwaysAvailable;
  const eidProvider = deps.eidProvider ?? createEidProvider(config);
  const app = express();
  app.set('trust proxy', config.trustProxy);
  app.set('view engine', 'ejs');
  app.set('views', path.join(projectRoot, 'views'));
  app.disable('x-powered-by');
  // Every page is `no-store`: an ETag (a SHA-1 of each page) could never be used.
  app.set('etag', false);
  app.locals.appName = 'HIS Acceso';
  app.locals.eidStaleAfterMonths = config.eid.staleAfterMonths;

  const metrics = createMetrics(() => snapshotOf(eidStatus));
  app.use(metrics.middleware);
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          // Logout and "No soy yo" redirect to the OIDC provider's end-session endpoint after a
          // POST, and browsers apply form-action to that redirect too.
          formAction: ["'self'", ...oidcProviderOrigin(config)],
          frameAncestors: ["'none'"],
          upgradeInsecureRequests: config.session.cookieSecure ? [] : null,
        },
      },
      strictTransportSecurity: config.session.cookieSecure,
      // Not helmet's no-referrer: with it browsers send `Origin: null` on our own form posts,
      // which the origin check must refuse. same-origin still tells other sites nothing.
      referrerPolicy: { policy: 'same-origin' },
    }),
  );
  app.use(
    '/static',
    express.static(path.join(projectRoot, 'public'), { maxAge: '1h', index: false }),
  );
  // Audit rows that must not wait for PostgreSQL (refusals, logouts, expiries) spool while it is
  // unavailable; main.ts drains on an interval, and each successful write drains too.
  const auditSpool =
    deps.auditSpool ?? createAuditSpool({ dir: config.audit.spoolDir, sequelize, logger });
  const policy = createPolicy(
    createRefusalRecorder(
      clock,
      (event) => repos.transaction((tx) => repos.adminEvents.append(event, tx)),
      auditSpool,
    ),
  );
  const health = {
    sequelize,
    redis,
    registry: metrics.registry,
    policy,
    eidUp: () => eidStatus.available(),
    tokenConfigured: config.observability.metricsToken !== null,
  };
  app.use(healthRoutes({ ...health, access: publicObservabilityAccess(config.observability) }));
  // INTERNAL_PORT's listener (src/main.ts): the same routes, details without a token.
  const internalApp = express();
  internalApp.disable('x-powered-by');
  internalApp.use(healthRoutes({ ...health, access: internalObservabilityAccess }));

  const sessionEnds = createSessionEnds(redis, config.redis.keyPrefix, clock, config.session);
  const sessions = createSessionMiddleware(config, redis, sessionEnds);
  const index = createSessionIndex(
    redis,
    config.redis.keyPrefix,
    sessions.store,
    config.session.absoluteTimeoutInHours * 3600,
  );
  const appendEvent = createLoginEventRecorder(sequelize, clock, auditSpool);
  const record: RecordLoginEvent = async (event, transaction) => {
    await appendEvent(event, transaction);
    // Method and outcome only: the reason would tell unknown, wrong, password-less and disabled
    // (with its right password) apart, which the one public message and equal timing hide.
    metrics.loginEvents.inc({ method: event.method, outcome: event.outcome });
  };
  const timeouts = createSessionTimeouts({ clock, config, record, ends: sessionEnds });
  const csrf = createCsrf({ secret: config.session.secret, secure: config.session.cookieSecure });
  const identities = createIdentityCache(redis, config.redis.keyPrefix, repos);

  app.use((_req, res, next) => {
    // Pages behind a login must never be served from a shared PC's cache.
    res.set('Cache-Control', 'no-store');
    next();
  });
  // Form bodies only (multipart on the upload route): anything else is a 415 before it is read.
  app.use(formBodies([IMPORT_UPLOAD_PATH]));
  app.use((_req, _res, next) => {
    // Without Redis there are no sessions: say so at once rather than render forms that
    // cannot be submitted (express-session would drop the failed save silently).
    next(redisAnswering(redis) ? undefined : serviceUnavailable('redis_unavailable'));
  });
  app.use(sessions.middleware);
  // Forward-auth answers 401 itself, so it comes before the page middleware that redirects.
  app.use(verifyRoutes({ timeouts, identities, policy }));
  // A form posted by another site is refused whatever token it carries (GET, HEAD, OPTIONS pass),
  // before an upload is read.
  app.use(refuseForeignOrigin(config.baseUrl));
  // The establishment CSV upload is multipart: its _csrf field is parsed before the check below.
  app.use(
    multipartForms([IMPORT_UPLOAD_PATH], { field: IMPORT_FILE_FIELD, maxBytes: MAX_IMPORT_BYTES }),
  );
  // Before the CSRF check: a form posted from a page whose session expired meanwhile (its token
  // died with it) leads to the login and its notice, not to a "form expired" error.
  app.use(timeouts.enforce);
  // CSRF once for every state-changing method (csrf-sync lets GET, HEAD and OPTIONS through).
  app.use(csrf.protect);
  app.use((req, res, next) => {
    res.locals.csrf = () => csrf.generateToken(req, res);
    res.locals.eidDegraded = !eidStatus.available();
    next();
  });
  app.use(identify(clock, { staleAfterMonths: config.eid.staleAfterMonths }, identities));
  const lockout = createLockout(redis, config.redis.keyPrefix, config.lockout);
  const requiredSinceFor = eidRequiredSinceFor(config, repos.establishments.regions);
  const authenticateClassic = createClassicLogin({
    clock,
    lockout,
    policy: async (user) => reauthPolicy(config, eidStatus, await requiredSinceFor(user.id)),
    record,
    users: repos.users,
    verify: deps.verifyPassword,
  });

  app.use(
    classicLoginRoutes({
      authenticate: authenticateClassic,
      clock,
      eidAvailable: () => eidStatus.available(),
      policy,
    }),
  );
  app.use(reauthRoutes(config, repos.users, policy, requiredSinceFor));
  const eid = createEidLogin({
    config,
    clock,
    provider: eidProvider,
    record,
    redis,
    repos,
    logger,
    reportAvailability: (ok) => deps.eidStatus?.report?.(ok),
  });
  app.use(eidRoutes({ config, clock, eid, record, index, policy, identities }));
  app.use(
    establishmentRoutes({
      establishments: createEstablishmentLogin({ repos, clock, record }),
      index,
      record,
      clock,
      policy,
      switchEstablishment: switchEstablishment({ repos, record, clock }),
      endProviderSession: () => eid.endSessionUrl(`${config.baseUrl}/login`),
    }),
  );
  app.use(
    homeRoutes({
      policy,
      logout: logout({ record }),
      cookieSecure: config.session.cookieSecure,
      endProviderSession: () => eid.endSessionUrl(`${config.baseUrl}/login`),
    }),
  );

  app.use(
    adminRoutes({
      config,
      repos,
      clock,
      policy,
      identities,
      sessions: index,
      lockout,
      userSearch: createUserSearch(sequelize),
      importDrafts: createImportDrafts(redis, config.redis.keyPrefix),
    }),
  );
  app.use(
    meRoutes({
      repos,
      clock,
      policy,
      identities,
      sessions: index,
      lockout,
      lockoutMinutes: config.lockout.durationInMinutes,
      eidAvailable: () => eidStatus.available(),
    }),
  );

  app.use(
    adoptionRoutes({
      policy,
      clock,
      repos,
      badge: { staleAfterMonths: config.eid.staleAfterMonths },
      adoption: createAdoptionQuery(readSequelize),
    }),
  );

  app.use(
    auditRoutes({
      config,
      repos,
      clock,
      logger,
      policy,
      sequelize: readSequelize,
      exportDatabaseUrl: config.database.readUrl ?? config.database.url,
    }),
  );

  app.use(notFoundHandler);
  app.use(createErrorHandler(logger));
  return {
    app,
    /** /healthz, /readyz and /metrics with details, for INTERNAL_PORT (loopback) only. */
    internalApp,
    sessionIndex: index,
    sessionStore: sessions.store,
    /** Its `sweep()` audits the expiries nobody came back to; main.ts runs it every minute. */
    sessionTimeouts: timeouts,
    identities,
    policy,
    readSequelize,
    auditSpool,
  };
}

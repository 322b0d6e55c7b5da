import express from 'express';
import { createPlatform, type AppDeps } from './platform';
import { configure, createPipeline } from './web/pipeline';
import { internalObservabilityAccess, publicObservabilityAccess } from './web/observability-access';
import { healthArea } from './areas/health';
import { verifyArea } from './areas/verify';
import { loginArea } from './areas/login';
import { homeArea } from './areas/home';
import { meArea } from './areas/me';
import { adminArea, ADMIN_UPLOADS } from './areas/admin';
import { adoptionArea } from './areas/adoption';
import { auditArea } from './areas/audit';
import { oidcArea } from './areas/oidc';
import './web/session/data';

export type { AppDeps };

/**
 * The composition root of the web application: builds the platform once (src/platform.ts),
 * applies the ordered pipeline (src/web/pipeline.ts) and mounts each area at its URL prefix.
 * No I/O happens here; src/main.ts opens the connections and listens.
 */
export function createApp(deps: AppDeps) {
  const p = createPlatform(deps);
  const stages = createPipeline({ ...p, uploads: ADMIN_UPLOADS });
  const health = {
    ...p,
    pingDatabase: p.queries.ping,
    eidUp: p.eidAvailable,
    registry: p.metrics.registry,
    tokenConfigured: p.config.observability.metricsToken !== null,
  };
  const login = loginArea(p);
  const oidc = oidcArea({
    ...p,
    sessionOnly: p.session.middleware,
    logoutRetryWait: deps.logoutRetryWait,
  });

  const app = express();
  configure(app, p.config);
  app.use(stages.metrics);
  // Forward-auth first, with only the session: it answers 204 or 401 itself, asked by nginx for
  // every request to another module (the pages' stage would redirect).
  app.use('/auth/verify', stages.forwardAuth, verifyArea(p));
  app.use(stages.securityHeaders);
  app.use('/static', stages.staticFiles);
  app.use(healthArea({ ...health, access: publicObservabilityAccess(p.config.observability) }));
  // The OpenID Provider of the HIS modules, before any body parser (it reads its own bodies).
  app.use('/oidc', oidc.provider);
  app.use(stages.session);
  app.use(stages.pages);
  app.use('/login/oidc', oidc.interactions);
  app.use('/login', login.pages);
  app.use('/auth/eid', login.eid);
  app.use('/', homeArea(p));
  app.use('/me', meArea(p));
  app.use('/admin', p.stepUp('admin'), adminArea(p));
  app.use('/audit', p.stepUp('auditor'), adoptionArea(p));
  app.use('/audit', p.stepUp('auditor'), auditArea(p));
  app.use(stages.errors);

  // INTERNAL_PORT's listener (src/main.ts): /healthz, /readyz and /metrics, details without a token.
  const internalApp = express().disable('x-powered-by');
  internalApp.use(healthArea({ ...health, access: internalObservabilityAccess }));

  return {
    app,
    internalApp,
    platform: p,
    sessionIndex: p.sessions,
    sessionStore: p.session.store,
    /** Its `sweep()` audits the expiries nobody came back to; main.ts runs it every minute. */
    sessionTimeouts: p.timeouts,
    identities: p.identities,
    policy: p.policy,
    auditSpool: p.auditSpool,
    /**
     * The modules' back-channel logouts: `deliverQueuedLogouts()` tells those queued where no
     * provider ran (main.ts, every few seconds), `settled()` waits for the retries under way.
     */
    moduleLogouts: { deliver: oidc.deliverQueuedLogouts, settled: oidc.settled },
  };
}

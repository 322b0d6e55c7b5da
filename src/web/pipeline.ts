import path from 'node:path';
import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { RedisClientType } from 'redis';
import type { Config } from '../config';
import { projectRoot } from '../shared/paths';
import { countText, numberText } from '../shared/words';
import { serviceUnavailable } from '../shared/errors';
import type { Logger } from '../shared/logger';
import { redisAnswering } from '../redis/watchdog';
import { formBodies } from './body-limits';
import type { createCsrf } from './csrf';
import { createErrorHandler, notFoundHandler } from './error-handler';
import { multipartForms } from './multipart';
import { refuseForeignOrigin } from './origin-check';
import type { SessionTimeouts } from './session/timeouts';
import { identify } from './session/identify';
import type { Prefetched } from './session/middleware';
import type { AgreementVersionCache } from '../domain/agreements/current-version';
import type { IdentityCache } from '../domain/sessions/identity-cache';
import type { ClosedSessions } from '../domain/sessions/closed-sessions';
import { ANONYMOUS } from '../access/actor';
import './locals';

/** An upload route: multipart is parsed for its path only (src/web/multipart.ts). */
export interface UploadRoute {
  /** The full path the form posts to. */
  path: string;
  field: string;
  maxBytes: number;
}

export interface PipelineDeps {
  config: Config;
  logger: Logger;
  redis: RedisClientType;
  metrics: { middleware: RequestHandler };
  session: {
    middleware: RequestHandler;
    store: { takePrefetched(sid: string): Prefetched | undefined };
  };
  timeouts: SessionTimeouts;
  csrf: ReturnType<typeof createCsrf>;
  identities: IdentityCache;
  /** The confidentiality agreement's version in force. */
  agreementVersion: Pick<AgreementVersionCache, 'get'>;
  /** Why sessions ended by someone else ended (for the login page's notice). */
  closedSessions: ClosedSessions;
  clock: { now(): Date };
  eidAvailable(): boolean;
  /** The e-ID provider's origins, which our form posts may be redirected to. */
  eidNavigationOrigins(): string[];
  uploads: readonly UploadRoute[];
}

/** The app-wide settings: EJS views, no `X-Powered-By`, no ETags, the layout's constants. */
export function configure(app: Express, config: Config): void {
  app.set('trust proxy', config.trustProxy);
  app.set('view engine', 'ejs');
  app.set('views', path.join(projectRoot, 'views'));
  // Every include names its file from the views' root (`include('/partials/head')`): EJS then
  // joins the path instead of looking for the file on disk (an existsSync per include per page:
  // a tenth of a page's CPU).
  app.set('view options', { root: path.join(projectRoot, 'views') });
  // Templates compiled once (Express does so by itself only when NODE_ENV=production); in
  // development an edited view shows at the next page without a restart.
  app.set('view cache', config.env !== 'development');
  app.disable('x-powered-by');
  // Every page is `no-store`: an ETag (a SHA-1 of each page) could never be used.
  app.set('etag', false);
  app.locals.appName = 'HIS Acceso';
  app.locals.eidStaleAfterMonths = config.eid.staleAfterMonths;
  // Counts in the views: "1 ingreso", "1.234 ingresos".
  app.locals.countText = countText;
  app.locals.numberText = numberText;
}

/** Strict CSP without inline scripts, HSTS when cookies are Secure, same-origin referrers. */
const helmetFor = (config: Config, eidOrigins: string[]) =>
  helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        // Browsers apply form-action to every redirect after a form is posted: "¿Olvidó su
        // contraseña?" ends at the provider's authorize URL (both protocols), logout and "No soy
        // yo" at OpenID Connect's end-session endpoint.
        formAction: ["'self'", ...eidOrigins],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: config.session.cookieSecure ? [] : null,
      },
    },
    strictTransportSecurity: config.session.cookieSecure,
    // Not helmet's no-referrer: with it browsers send `Origin: null` on our own form posts,
    // which the origin check must refuse. same-origin still tells other sites nothing.
    referrerPolicy: { policy: 'same-origin' },
  });

/**
 * helmet's headers, computed once (a dozen headers and the CSP string per response were 3 % of a
 * page's CPU) and again only when the e-ID provider's origins change (discovery may add
 * endpoints on other hosts): helmet is run on a recording response, and every response gets the
 * recorded headers.
 */
function securityHeaders(config: Config, eidOrigins: () => string[]): RequestHandler {
  let key: string | null = null;
  let headers: [string, string | string[]][] = [];
  let removed: string[] = [];
  const record = (origins: string[]) => {
    const set = new Map<string, string | string[]>();
    const gone: string[] = [];
    const recorder = {
      setHeader: (name: string, value: string | string[]) => set.set(name, value),
      removeHeader: (name: string) => gone.push(name),
      getHeader: (name: string) => set.get(name),
    };
    helmetFor(config, origins)({} as never, recorder as never, () => undefined);
    headers = [...set];
    removed = gone;
  };
  return (_req, res, next) => {
    const origins = eidOrigins();
    const current = origins.join(' ');
    if (current !== key) {
      record(origins);
      key = current;
    }
    for (const [name, value] of headers) res.setHeader(name, value);
    for (const name of removed) res.removeHeader(name);
    next();
  };
}

/**
 * The ordered middleware of the app, in stages that the composition root (src/app.ts) mounts
 * between the areas. Each route class takes only the stages it needs:
 *
 * 1. `metrics` for every request; `forwardAuth` (the Redis check and the session: all that
 *    /auth/verify needs, mounted before anything else); `securityHeaders` for the rest (health
 *    probes, static files, pages).
 * 2. `session`: what a request with a browser session needs first: `no-store`, the form body
 *    parser (anything else is a 415 before it is read), a fail-fast Redis check, the session.
 * 3. `pages`: the pages and forms: the origin check (before an upload is read), the multipart
 *    upload (before CSRF, which reads its `_csrf` field), the session timeouts (a form posted
 *    after its session expired leads to the login, not to "form expired"), the CSRF check, the
 *    views' locals, and the request's actor from the cached identity.
 * 4. `errors`: 404 and the one error handler.
 */
export function createPipeline(deps: PipelineDeps) {
  const { config, csrf } = deps;
  const uploadPaths = deps.uploads.map((u) => u.path);
  const noStore: RequestHandler = (_req, res, next) => {
    // Pages behind a login must never be served from a shared PC's cache.
    res.set('Cache-Control', 'no-store');
    next();
  };
  const redisFirst: RequestHandler = (_req, _res, next) =>
    // Without Redis there are no sessions: say so at once rather than render forms that
    // cannot be submitted (express-session would drop the failed save silently).
    next(redisAnswering(deps.redis) ? undefined : serviceUnavailable('redis_unavailable'));
  const viewLocals: RequestHandler = (req, res, next) => {
    // Nobody, until the session's identity says otherwise (identify, below).
    res.locals.actor = ANONYMOUS;
    res.locals.csrf = () => csrf.generateToken(req, res);
    res.locals.eidDegraded = !deps.eidAvailable();
    next();
  };
  return {
    metrics: deps.metrics.middleware,
    // Forward-auth (/auth/verify, asked by nginx for every request to another module) needs the
    // session and nothing a page needs: no security headers for a browser, no body, no CSRF.
    forwardAuth: [redisFirst, deps.session.middleware],
    securityHeaders: securityHeaders(config, deps.eidNavigationOrigins),
    staticFiles: express.static(path.join(projectRoot, 'public'), { maxAge: '1h', index: false }),
    session: [noStore, ...formBodies(uploadPaths), redisFirst, deps.session.middleware],
    pages: [
      // A form posted by another site is refused whatever token it carries.
      refuseForeignOrigin(config.baseUrl),
      ...deps.uploads.map((u) =>
        multipartForms([u.path], { field: u.field, maxBytes: u.maxBytes }),
      ),
      deps.timeouts.enforce,
      // CSRF once for every state-changing method (GET, HEAD and OPTIONS pass).
      csrf.protect,
      viewLocals,
      identify(deps.clock, { staleAfterMonths: config.eid.staleAfterMonths }, deps),
    ],
    errors: [notFoundHandler, createErrorHandler(deps.logger)],
  };
}

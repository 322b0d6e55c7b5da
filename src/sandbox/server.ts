import path from 'node:path';
import express from 'express';
import { projectRoot } from '../shared/paths';
import { createCodeStore } from './mitic-codes';
import { miticLoginRoutes } from './mitic-routes';
import { miticTokenRoute } from './mitic-token';
import { createMisbehaviour, misbehaviourRoutes } from './misbehaviour';
import { createOidcProvider } from './oidc';
import { oidcInteractionRoutes } from './oidc-interactions';
import type { SandboxOptions } from './options';
import { errorHandler, infoRoutes, notFound } from './pages';

export type { SandboxOptions } from './options';

/** A built sandbox: mount `app` on a server; `close()` before closing that server. */
export interface Sandbox {
  app: express.Express;
  /** Cancels pending `slow` waits, so open token requests end and the server can close. */
  close(): Promise<void>;
}

/**
 * Strict headers for every page: no inline scripts of ours, and forms may only go to the sandbox and,
 * through its redirects, to the client (browsers apply `form-action` to redirects too).
 */
function securityHeaders(formTargets: string[]): express.RequestHandler {
  const csp = [
    "default-src 'none'",
    // The sandbox serves no scripts; oidc-provider appends the hash of its own auto-submit form
    // (logout without a session) to this directive, and only when the directive exists.
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    `form-action 'self' ${formTargets.join(' ')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
  return (_req, res, next) => {
    res.set({
      'Content-Security-Policy': csp,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
    });
    next();
  };
}

/**
 * Builds the e-ID sandbox: MITIC-compatible routes at the root, a real OpenID Provider under
 * `/oidc`, and the misbehaviour switch at `/__sandbox/mode`. No listening, no I/O.
 */
export async function createSandbox(options: SandboxOptions): Promise<Sandbox> {
  const now = options.now ?? Date.now;
  const base = options.issuerBaseUrl.replace(/\/+$/, '');
  const postLogoutRedirectUri =
    options.postLogoutRedirectUri ?? new URL('/login', options.redirectUri).href;
  const misbehaviour = createMisbehaviour();
  const codes = createCodeStore(now);
  const client = { clientId: options.clientId, clientSecret: options.clientSecret };
  const provider = await createOidcProvider({
    ...client,
    issuer: `${base}/oidc`,
    redirectUri: options.redirectUri,
    postLogoutRedirectUri,
    misbehaviour,
  });

  const app = express();
  app.disable('x-powered-by');
  const clientOrigins = new Set(
    [options.redirectUri, postLogoutRedirectUri].map((u) => new URL(u).origin),
  );
  app.use(securityHeaders([...clientOrigins]));
  app.use(
    '/sandbox',
    express.static(path.join(projectRoot, 'public', 'sandbox'), { index: false }),
  );
  app.use(infoRoutes());
  app.use(
    miticLoginRoutes({ clientId: options.clientId, redirectUri: options.redirectUri, codes }),
  );
  app.use(
    miticTokenRoute({
      ...client,
      miticIssuer: options.miticIssuer ?? 'sandbox-mitic',
      codes,
      misbehaviour,
      now,
    }),
  );
  app.use(oidcInteractionRoutes(provider));
  app.use(misbehaviourRoutes(misbehaviour));
  // No body parser may run before this: oidc-provider reads the raw request bodies itself.
  app.use('/oidc', provider.callback());
  app.use(notFound);
  app.use(errorHandler);

  return {
    app,
    close: async () => misbehaviour.cancelPending(),
  };
}

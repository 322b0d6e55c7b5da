import { Router, type Response } from 'express';
import type { Policy } from '../../web/policy';
import type { SessionTimeouts } from '../../web/session/timeouts';
import { sessionIdentity, type SessionIdentitySources } from '../../web/session/identify';
import { identityHeaders } from './identity-headers';

const unauthorized = (res: Response) =>
  res.status(401).type('text/plain').send('Sesión requerida: inicie sesión en HIS Acceso.');

/**
 * `GET /auth/verify`: identity for the other HIS modules behind the same nginx. 204 with the
 * identity headers for an open session; 401 otherwise (no session, expired, user disabled,
 * establishment removed, one-time password not yet changed, confidentiality agreement in force not
 * yet accepted). Never a redirect: the proxy decides
 * what the browser sees. It reads the session and the cached identity (Redis only) and writes
 * nothing, except `lastSeenAt` once a minute — working in a module keeps the session alive — and
 * the end of a session found expired or invalid, as a page view would.
 *
 * Mounted at /auth/verify (the path nginx's `auth_request` and Traefik/Caddy forward-auth call),
 * before the page middleware (timeouts, identify) because those redirect; it takes the
 * same decisions through the same functions. Anonymous callers leave no session: nothing here
 * writes to an empty session, and express-session saves none (`saveUninitialized: false`).
 */
export function verifyArea(
  deps: SessionIdentitySources & { timeouts: SessionTimeouts; policy: Policy },
) {
  const router = Router();
  router.get('/', deps.policy('public'), async (req, res) => {
    res.set('Cache-Control', 'no-store');
    // First: a session Redis dropped by its idle TTL is audited here too (then 401).
    if (await deps.timeouts.check(req)) return unauthorized(res);
    const opened = await sessionIdentity(req, deps);
    if (!opened || opened.identity.mustChangePassword || opened.agreementPending)
      return unauthorized(res);
    res.set(identityHeaders(opened.identity, opened.establishment)).status(204).end();
  });
  return router;
}

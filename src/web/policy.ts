import type { RequestHandler } from 'express';
import { gate, type Action } from '../access/policies';
import { ANONYMOUS, type Actor } from '../access/actor';
import { forbidden } from '../shared/errors';
import { requestMeta } from './request-meta';

/** Route middleware that names the route's access policy (the matrix test reads `policy`). */
export type PolicyMiddleware = RequestHandler & { readonly policy: Action };

/** Records a refused state-changing request (admin_events, outcome denied). */
export type RecordRefusal = (
  actor: Actor,
  /** The audit code of what was refused: the command's, or the policy's name. */
  action: string,
  meta: ReturnType<typeof requestMeta> & { path: string; method: string },
) => Promise<void>;

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A path inside a router mounted at `base` as a full path: `/admin` + `/` is `/admin`. */
const underMount = (base: string, path: string) => (base && path === '/' ? base : base + path);
/**
 * Policies that take no session: the login pages, and the probes and scrapes of load balancers
 * and Prometheus (whose access the route checks itself: a bearer token or the internal port).
 */
const SESSIONLESS = new Set<Action>(['public', 'observability']);

/** What a route may name: a policy, or the command it runs (its policy and its audit code). */
export type PolicySource = Action | { readonly action: Action; readonly auditCode: string };

/**
 * `policy('users.list')` or `policy(command)`: the route's policy. Anonymous visitors of a
 * protected page go to the login; an actor the action's gate refuses gets the one forbidden
 * error, and a refused change (any method but GET/HEAD) is audited under the command's code.
 */
export function createPolicy(recordRefusal: RecordRefusal) {
  return (source: PolicySource): PolicyMiddleware => {
    const action = typeof source === 'string' ? source : source.action;
    const auditCode = typeof source === 'string' ? source : source.auditCode;
    const middleware: RequestHandler = async (req, res, next) => {
      // The route's full pattern (areas are mounted at a prefix), for the metrics' `route` label.
      res.locals.routePattern = underMount(req.baseUrl, String(req.route?.path ?? ''));
      if (SESSIONLESS.has(action)) return next();
      const actor: Actor = res.locals.actor ?? ANONYMOUS;
      if (actor.userId === 0) {
        if (req.method === 'GET') return res.redirect(303, '/login');
        return res.status(401).render('error', {
          title: 'Sesión requerida',
          status: 401,
          message: 'Su sesión terminó. Inicie sesión nuevamente.',
          back: { href: '/login', label: 'Ir al inicio de sesión' },
          supportId: null,
        });
      }
      if (gate(actor, action)) return next();
      if (!SAFE.has(req.method))
        await recordRefusal(actor, auditCode, {
          ...requestMeta(req),
          path: underMount(req.baseUrl, req.path),
          method: req.method,
        });
      next(forbidden());
    };
    return Object.assign(middleware, { policy: action });
  };
}

export type Policy = ReturnType<typeof createPolicy>;

import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { Config } from '../config';

/** Whether a request may see /metrics and the details of /readyz. */
export type ObservabilityAccess = (req: Request) => boolean;

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * On the public port: open in development and tests (`config.observability.open`), else only with
 * `Authorization: Bearer <METRICS_TOKEN>`. Both sides are hashed first so that the comparison
 * takes the same time whatever the length or content of the guess.
 */
export function publicObservabilityAccess(
  observability: Config['observability'],
): ObservabilityAccess {
  if (observability.open) return () => true;
  const token = observability.metricsToken;
  if (!token) return () => false;
  const expected = digest(token);
  return (req) => {
    const match = /^Bearer ([^\s]+)$/.exec(req.get('authorization') ?? '');
    return match !== null && timingSafeEqual(digest(match[1]!), expected);
  };
}

/** The internal listener (INTERNAL_PORT, loopback only): whoever reaches it may read. */
export const internalObservabilityAccess: ObservabilityAccess = () => true;

/**
 * Refuses /metrics without access: 401 with a Bearer challenge where a token is configured,
 * else 404, as if the route did not exist here (it lives on the internal port).
 */
export const requireObservability =
  (allowed: ObservabilityAccess, tokenConfigured: boolean): RequestHandler =>
  (req, res, next) => {
    if (allowed(req)) return next();
    if (tokenConfigured)
      res.status(401).set('WWW-Authenticate', 'Bearer realm="his-acceso-metrics"');
    else res.status(404);
    res.json({ status: res.statusCode === 401 ? 'unauthorized' : 'not_found' });
  };

import { Router } from 'express';
import type { RedisClientType } from 'redis';
import type client from 'prom-client';
import type { Policy } from '../../web/policy';
import { requireObservability, type ObservabilityAccess } from '../../web/observability-access';

const withTimeout = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref()),
  ]);

/**
 * /healthz: the process answers (public, minimal). /readyz: PostgreSQL and Redis answer within a
 * second (a load balancer stops sending traffic otherwise); which part failed, and whether the
 * e-ID provider is in degraded mode, only for those `access` lets in. The e-ID does not make the
 * instance unready: classic logins still work. /metrics: Prometheus text, only with access.
 */
export function healthArea(deps: {
  /** Whether PostgreSQL answers (`SELECT 1`). */
  pingDatabase(): Promise<void>;
  redis: RedisClientType;
  registry: client.Registry;
  policy: Policy;
  eidUp: () => boolean;
  access: ObservabilityAccess;
  /** Whether a bearer token is configured (a refusal is then a 401 challenge, else a 404). */
  tokenConfigured: boolean;
}) {
  const { eidUp, access, tokenConfigured } = deps;
  const router = Router();
  router.get('/healthz', deps.policy('public'), (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', deps.policy('observability'), async (req, res) => {
    const check = async (fn: () => Promise<unknown>) =>
      withTimeout(fn(), 1000).then(
        () => 'ok',
        () => 'unavailable',
      );
    const [postgres, redis] = await Promise.all([
      check(deps.pingDatabase),
      check(() => deps.redis.ping()),
    ]);
    const ok = postgres === 'ok' && redis === 'ok';
    const status = ok ? 'ok' : 'unavailable';
    res.status(ok ? 200 : 503);
    if (!access(req)) return void res.json({ status });
    res.json({ status, postgres, redis, eid: eidUp() ? 'ok' : 'degraded' });
  });
  router.get(
    '/metrics',
    deps.policy('observability'),
    requireObservability(access, tokenConfigured),
    async (_req, res) => {
      res.type(deps.registry.contentType).send(await deps.registry.metrics());
    },
  );
  return router;
}

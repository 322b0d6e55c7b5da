import { Router } from 'express';
import type { Sequelize } from 'sequelize';
import type { RedisClientType } from 'redis';
import type client from 'prom-client';
import type { Policy } from '../http/policy';

const withTimeout = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref()),
  ]);

/**
 * /healthz: the process answers. /readyz: PostgreSQL and Redis answer within a second (a load
 * balancer stops sending traffic otherwise). /metrics: Prometheus text format.
 */
export function healthRoutes(deps: {
  sequelize: Sequelize;
  redis: RedisClientType;
  registry: client.Registry;
  policy: Policy;
}) {
  const router = Router();
  // Probes for load balancers and Prometheus: no session, no login.
  const open = deps.policy('public');
  router.get('/healthz', open, (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', open, async (_req, res) => {
    const check = async (fn: () => Promise<unknown>) =>
      withTimeout(fn(), 1000).then(
        () => 'ok',
        () => 'unavailable',
      );
    const [postgres, redis] = await Promise.all([
      check(() => deps.sequelize.query('SELECT 1')),
      check(() => deps.redis.ping()),
    ]);
    const ok = postgres === 'ok' && redis === 'ok';
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', postgres, redis });
  });
  router.get('/metrics', open, async (_req, res) => {
    res.type(deps.registry.contentType).send(await deps.registry.metrics());
  });
  return router;
}

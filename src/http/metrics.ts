import client from 'prom-client';
import type { RequestHandler } from 'express';

/** A registry per app instance (tests build several apps in one process). */
export function createMetrics() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const requests = new client.Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const middleware: RequestHandler = (req, res, next) => {
    const end = requests.startTimer();
    res.on('finish', () => {
      // The matched route pattern, not the raw path, keeps label cardinality bounded.
      const route = (req.route?.path as string | undefined) ?? 'unmatched';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
  const loginEvents = new client.Counter({
    name: 'his_login_events_total',
    help: 'Login-history events by method, outcome and reason code (as in login_events)',
    labelNames: ['method', 'outcome', 'reason'] as const,
    registers: [registry],
  });
  return { registry, middleware, loginEvents };
}

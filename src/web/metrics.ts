import client from 'prom-client';
import type { RequestHandler } from 'express';
import type { EidSnapshot } from '../eid/snapshot';

/**
 * A registry per app instance (tests build several apps in one process). `eid` is read at each
 * scrape: the provider's state as this instance last saw it, and its probe counters.
 */
export function createMetrics(eid: () => EidSnapshot) {
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
      // The matched route's pattern (set by its policy, src/web/policy.ts), not the raw path,
      // keeps label cardinality bounded.
      const route = (res.locals.routePattern as string | undefined) || 'unmatched';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
  // No reason label: unknown user, wrong password, no password and a disabled account's right
  // password must move the same series, or /metrics would tell which accounts exist.
  const loginEvents = new client.Counter({
    name: 'his_login_events_total',
    help: 'Login-history events by method and outcome (success, failure, info)',
    labelNames: ['method', 'outcome'] as const,
    registers: [registry],
  });
  new client.Gauge({
    name: 'his_eid_provider_up',
    help: 'e-ID provider state shared by all instances: 1 up, 0 down (degraded mode)',
    registers: [registry],
    collect() {
      this.set(eid().up ? 1 : 0);
    },
  });
  new client.Gauge({
    name: 'his_eid_consecutive_failed_probes',
    help: 'Consecutive failed probes of the e-ID provider, across all instances',
    registers: [registry],
    collect() {
      this.set(eid().consecutiveFailures);
    },
  });
  // Counted by the monitor; copied at scrape time (reset + inc sets the running total).
  new client.Counter({
    name: 'his_eid_probes_total',
    help: 'Probes of the e-ID provider made by this instance, by result',
    labelNames: ['result'] as const,
    registers: [registry],
    collect() {
      const { probes } = eid();
      this.reset();
      this.inc({ result: 'success' }, probes.success);
      this.inc({ result: 'failure' }, probes.failure);
    },
  });
  new client.Counter({
    name: 'his_eid_failed_exchanges_total',
    help: 'e-ID logins whose exchange with the provider failed (each triggers a probe)',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(eid().failedExchanges);
    },
  });
  return { registry, middleware, loginEvents };
}

import { gateOnly } from './rule';

export const observabilityRules = {
  /**
   * /metrics and /readyz details. Prometheus and load balancers have no session, so no actor
   * rule: the route checks the bearer token (METRICS_TOKEN) or is served on INTERNAL_PORT only
   * (src/web/observability-access.ts).
   */
  observability: gateOnly(() => true),
};

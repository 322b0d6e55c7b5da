import type { EidStatus } from './status';

/** What /readyz and /metrics show of the e-ID provider (src/eid/monitor.ts). */
export interface EidSnapshot {
  up: boolean;
  /** Consecutive failed probes across all instances (0 after a success). */
  consecutiveFailures: number;
  /** This instance's probes since start, and the exchanges that reported a failure. */
  probes: { success: number; failure: number };
  failedExchanges: number;
}

/** The snapshot of any EidStatus: the monitor's own, or one derived from `available()`. */
export const snapshotOf = (status: EidStatus & { snapshot?(): EidSnapshot }): EidSnapshot =>
  status.snapshot?.() ?? {
    up: status.available(),
    consecutiveFailures: 0,
    probes: { success: 0, failure: 0 },
    failedExchanges: 0,
  };

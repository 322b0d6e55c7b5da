import type { RedisClientType } from 'redis';
import type { Config } from '../config';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/logger';
import type { EidStatus } from './status';
import type { EidProvider } from './provider';
import { createProviderState, type ProbeOutcome } from './provider-state';
import type { EidSnapshot } from './snapshot';

/** A change of the shared state, as the one instance that made it reports it for the audit. */
export interface EidStateChange {
  state: 'up' | 'down';
  at: Date;
  protocol: EidProvider['protocol'];
  /** The run of failures that led to "down"; for "up", the run the success ended. */
  consecutiveFailures: number;
  firstFailureAt: Date | null;
}

export interface EidMonitorDeps {
  provider: Pick<EidProvider, 'probe' | 'protocol'>;
  redis: RedisClientType;
  keyPrefix: string;
  clock: Clock;
  logger: Logger;
  eid: Pick<Config['eid'], 'probe' | 'timeoutInSeconds'>;
  /** Writes the audit row of a change; called only by the instance whose update made it. */
  audit(change: EidStateChange): Promise<void>;
}

/**
 * Degraded mode decided on evidence, shared by every instance through Redis
 * (src/eid/provider-state.ts): the provider is "down" only after EID_DOWN_AFTER_FAILED_PROBES
 * consecutive failed probes spanning at least EID_DOWN_AFTER_SECONDS, and "up" again at the first
 * success. A failed login exchange only triggers an immediate probe; it never switches by itself.
 *
 * `available()` is on the login path, so it reads a local copy: the verdict the shared record
 * returned to this instance's last probe. Every instance probes every interval, so a copy is at
 * most one interval (10 s by default) behind another instance's flip, while going down takes at
 * least EID_DOWN_AFTER_SECONDS (30 s) of evidence anyway; no extra connection (pub/sub) needed.
 */
export function createEidMonitor(deps: EidMonitorDeps) {
  const { provider, clock, logger, eid } = deps;
  const intervalInMs = eid.probe.intervalInSeconds * 1000;
  const shared = createProviderState(deps.redis, deps.keyPrefix, {
    downAfterFailedProbes: eid.probe.downAfterFailedProbes,
    downAfterMs: eid.probe.downAfterSeconds * 1000,
    // Probes come every interval, each lasting up to the timeout: three missed beats is a gap.
    staleAfterMs: 3 * (intervalInMs + eid.timeoutInSeconds * 1000),
  });
  let up = true;
  let consecutiveFailures = 0;
  const probes = { success: 0, failure: 0 };
  let failedExchanges = 0;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;

  const apply = async (outcome: ProbeOutcome, at: Date) => {
    up = outcome.state === 'up';
    consecutiveFailures = outcome.failures;
    if (!outcome.changed) return;
    const run = outcome.state === 'up' ? outcome.previous : outcome;
    const change: EidStateChange = {
      state: outcome.state,
      at,
      protocol: provider.protocol,
      consecutiveFailures: run.failures,
      firstFailureAt: run.firstFailureAt,
    };
    logger.warn(
      { eidProvider: change.state, failures: change.consecutiveFailures },
      'e-ID provider state changed',
    );
    try {
      await deps.audit(change);
    } catch (err) {
      logger.error({ err, change }, 'e-ID provider state change could not be audited');
    }
  };

  /** Adds one observation to the shared record and takes its verdict. */
  const observe = async (ok: boolean) => {
    const at = clock.now();
    let outcome: ProbeOutcome;
    try {
      outcome = await shared.record(ok, at);
    } catch (err) {
      // Without Redis there are no sessions either; keep the last verdict until it returns.
      logger.warn({ err: (err as Error).message }, 'e-ID provider state not shared (Redis)');
      return;
    }
    await apply(outcome, at);
  };
  /** Work started by report(), so that tests and shutdown can wait for it. */
  const pending = new Set<Promise<void>>();
  const track = (work: Promise<void>) => {
    pending.add(work);
    void work.catch(() => undefined).finally(() => pending.delete(work));
  };

  /** One probe; concurrent callers share the one in flight. */
  const check = (): Promise<void> => {
    inFlight ??= (async () => {
      const ok = await provider.probe().catch(() => false);
      probes[ok ? 'success' : 'failure'] += 1;
      await observe(ok);
    })().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };

  const monitor = {
    available: () => up,
    /** From the e-ID login: a failed exchange asks for a probe now; a good one is evidence of up. */
    report(ok: boolean): void {
      if (!ok) {
        failedExchanges += 1;
        track(check());
      } else if (!up || consecutiveFailures > 0) track(observe(true));
    },
    check,
    /** Resolves when every probe and report started so far has been recorded. */
    settled: async (): Promise<void> => {
      await Promise.all([...pending, inFlight]);
    },
    snapshot: (): EidSnapshot => ({
      up,
      consecutiveFailures,
      probes: { ...probes },
      failedExchanges,
    }),
    start(): void {
      void check();
      timer = setInterval(() => void check(), intervalInMs);
      timer.unref();
    },
    stop(): void {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  } satisfies EidStatus & Record<string, unknown>;
  return monitor;
}

export type EidMonitor = ReturnType<typeof createEidMonitor>;

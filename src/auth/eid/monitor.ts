import type { EidStatus } from '../eid-policy';
import type { EidProvider } from './provider';
import type { Logger } from '../../shared/logger';

/**
 * Probes the e-ID provider periodically; while it does not answer, classic logins that would be
 * forced to the e-ID are let in (if EID_DEGRADED_MODE=allow), flagged and shown a banner.
 * A failed exchange reports it at once; the next good probe restores normal mode.
 */
export function createEidMonitor(provider: EidProvider, logger: Logger, intervalInMs = 30_000) {
  let available = true;
  let timer: NodeJS.Timeout | undefined;

  const set = (value: boolean) => {
    if (value !== available)
      logger.warn({ available: value }, 'e-ID provider availability changed');
    available = value;
  };

  const status: EidStatus & {
    report(ok: boolean): void;
    start(): void;
    stop(): void;
    check(): Promise<void>;
  } = {
    available: () => available,
    report: set,
    async check() {
      set(await provider.probe());
    },
    start() {
      void status.check();
      timer = setInterval(() => void status.check(), intervalInMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
  return status;
}

export type EidMonitor = ReturnType<typeof createEidMonitor>;

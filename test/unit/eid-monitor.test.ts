import { createEidMonitor } from '../../src/auth/eid/monitor';
import { createLogger } from '../../src/shared/logger';
import type { EidProvider } from '../../src/auth/eid/provider';

const providerAnswering = (answers: boolean[]): EidProvider => ({
  protocol: 'mitic',
  start: () => Promise.reject(new Error('not used')),
  finish: () => Promise.reject(new Error('not used')),
  endSessionUrl: async () => null,
  probe: async () => answers.shift() ?? true,
});

describe('e-ID provider monitor', () => {
  it('when a probe fails then the provider is unavailable until a probe succeeds again', async () => {
    const monitor = createEidMonitor(providerAnswering([false, true]), createLogger('silent'));
    expect(monitor.available()).toBe(true);
    await monitor.check();
    expect(monitor.available()).toBe(false);
    await monitor.check();
    expect(monitor.available()).toBe(true);
  });

  it('when an exchange reports the provider unreachable then degraded mode starts at once', () => {
    const monitor = createEidMonitor(providerAnswering([]), createLogger('silent'));
    monitor.report(false);
    expect(monitor.available()).toBe(false);
    monitor.report(true);
    expect(monitor.available()).toBe(true);
  });
});

import { randomBytes } from 'node:crypto';
import type { RedisClientType } from 'redis';
import { createEidMonitor, type EidStateChange } from '../../src/eid/monitor';
import { createRedisClient } from '../../src/redis/client';
import { createLogger } from '../../src/shared/logger';
import { ManualClock } from '../../src/shared/clock';

/**
 * The degraded-mode state machine on the real Redis (the run's key prefix) with a manual clock:
 * down only after N consecutive failed probes spanning the minimum period, up at one success,
 * shared by every instance, and each flip audited by exactly one of them.
 */
const PROBE = { intervalInSeconds: 10, downAfterFailedProbes: 3, downAfterSeconds: 30 };
const logger = createLogger('silent');

let redis: RedisClientType;
beforeAll(async () => {
  redis = createRedisClient(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', logger);
  await redis.connect();
});
afterAll(() => redis.quit());

/** A provider whose probe answers `up()` at the time of the call, counting the calls. */
function fakeProvider(up: () => boolean) {
  const provider = {
    protocol: 'mitic' as const,
    calls: 0,
    probe: async () => {
      provider.calls += 1;
      return up();
    },
  };
  return provider;
}

/** N monitors (instances) sharing one fresh key prefix, one clock and one audit log. */
function fleet(size: number, up: () => boolean, probe = PROBE) {
  const keyPrefix = `${process.env.TEST_REDIS_PREFIX ?? 'test:'}eid-monitor:${randomBytes(4).toString('hex')}:`;
  const clock = new ManualClock('2026-11-20T12:00:00Z');
  const audited: EidStateChange[] = [];
  const providers = Array.from({ length: size }, () => fakeProvider(up));
  const monitors = providers.map((provider) =>
    createEidMonitor({
      provider,
      redis,
      keyPrefix,
      clock,
      logger,
      eid: { probe, timeoutInSeconds: 2 },
      audit: async (change) => {
        audited.push(change);
      },
    }),
  );
  return { clock, audited, providers, monitors, keyPrefix };
}

describe('e-ID provider monitor: evidence before degraded mode', () => {
  it('when one probe fails (a 5xx, a timeout) then the provider is still up', async () => {
    const { monitors, audited } = fleet(1, () => false);
    await monitors[0]!.check();
    expect(monitors[0]!.available()).toBe(true);
    expect(monitors[0]!.snapshot()).toMatchObject({
      up: true,
      consecutiveFailures: 1,
      probes: { success: 0, failure: 1 },
    });
    expect(audited).toEqual([]);
  });

  it('when N probes fail within less than the minimum period then still up; once the period is reached, down', async () => {
    const { monitors, clock, audited } = fleet(1, () => false);
    const [monitor] = monitors;
    for (let i = 0; i < 3; i += 1) {
      await monitor!.check();
      clock.advanceMinutes(10 / 60);
    }
    // Three failures at 0, 10 and 20 s: enough in number, not yet in time.
    expect(monitor!.available()).toBe(true);
    await monitor!.check(); // at 30 s
    expect(monitor!.available()).toBe(false);
    expect(audited).toEqual([
      {
        state: 'down',
        at: new Date('2026-11-20T12:00:30Z'),
        protocol: 'mitic',
        consecutiveFailures: 4,
        firstFailureAt: new Date('2026-11-20T12:00:00Z'),
      },
    ]);
  });

  it('when the period has passed but fewer than N probes failed then still up', async () => {
    const { monitors, clock } = fleet(1, () => false, { ...PROBE, downAfterSeconds: 10 });
    await monitors[0]!.check();
    clock.advanceMinutes(0.5);
    await monitors[0]!.check();
    expect(monitors[0]!.snapshot()).toMatchObject({ up: true, consecutiveFailures: 2 });
  });

  it('when the provider is down and one probe succeeds then it is up again, audited once with the run it ended', async () => {
    let up = false;
    const { monitors, clock, audited } = fleet(1, () => up, { ...PROBE, downAfterSeconds: 0 });
    for (let i = 0; i < 3; i += 1) await monitors[0]!.check();
    expect(monitors[0]!.available()).toBe(false);
    clock.advanceMinutes(1);
    up = true;
    await monitors[0]!.check();
    await monitors[0]!.check();
    expect(monitors[0]!.snapshot()).toMatchObject({ up: true, consecutiveFailures: 0 });
    expect(audited.map((c) => [c.state, c.consecutiveFailures])).toEqual([
      ['down', 3],
      ['up', 3],
    ]);
  });

  it('when a success comes between failures then the run starts again', async () => {
    let up = false;
    const { monitors, clock } = fleet(1, () => up, { ...PROBE, downAfterSeconds: 0 });
    await monitors[0]!.check();
    await monitors[0]!.check();
    up = true;
    await monitors[0]!.check();
    up = false;
    clock.advanceMinutes(1);
    await monitors[0]!.check();
    await monitors[0]!.check();
    expect(monitors[0]!.snapshot()).toMatchObject({ up: true, consecutiveFailures: 2 });
  });

  it('when the last failure is older than three probe beats then a new failure starts a new run', async () => {
    const { monitors, clock } = fleet(1, () => false);
    await monitors[0]!.check();
    await monitors[0]!.check();
    clock.advanceMinutes(60); // every instance stopped for an hour
    await monitors[0]!.check();
    expect(monitors[0]!.snapshot()).toMatchObject({ up: true, consecutiveFailures: 1 });
  });
});

describe('e-ID provider monitor: a failed exchange', () => {
  it('when an exchange fails and the probe succeeds then nothing switches', async () => {
    const { monitors, providers, audited } = fleet(1, () => true);
    monitors[0]!.report(false);
    expect(monitors[0]!.available()).toBe(true); // not even for a moment
    await monitors[0]!.settled();
    expect(providers[0]!.calls).toBe(1); // the immediate probe
    expect(monitors[0]!.snapshot()).toMatchObject({
      up: true,
      consecutiveFailures: 0,
      failedExchanges: 1,
    });
    expect(audited).toEqual([]);
  });

  it('when exchanges fail while the provider is down then each probe counts once, and time still rules', async () => {
    const { monitors, providers } = fleet(1, () => false);
    for (let i = 0; i < 5; i += 1) {
      monitors[0]!.report(false);
      await monitors[0]!.settled();
    }
    expect(providers[0]!.calls).toBe(5);
    // Five failures, all at the same instant: fewer than 30 s of evidence.
    expect(monitors[0]!.snapshot()).toMatchObject({ up: true, consecutiveFailures: 5 });
  });

  it('when failures are reported at once then they share the one probe in flight', async () => {
    const { monitors, providers } = fleet(1, () => false);
    for (let i = 0; i < 4; i += 1) monitors[0]!.report(false);
    await monitors[0]!.settled();
    expect(providers[0]!.calls).toBe(1);
    expect(monitors[0]!.snapshot().failedExchanges).toBe(4);
  });
});

describe('e-ID provider monitor: shared by every instance', () => {
  it('when two instances probe in turn then their failures add up, both agree, and the flip is audited once', async () => {
    let up = false;
    const { monitors, clock, audited } = fleet(2, () => up);
    const [a, b] = monitors;
    for (const monitor of [a, b, a, b]) {
      await monitor!.check();
      clock.advanceMinutes(10 / 60);
    }
    // Failures at 0 (A), 10 (B), 20 (A), 30 (B): B's update flipped the shared state.
    expect(b!.available()).toBe(false);
    expect(a!.available()).toBe(true); // A's copy is one probe behind
    await a!.check();
    expect(a!.available()).toBe(false);
    expect(audited.map((c) => c.state)).toEqual(['down']);

    up = true;
    await a!.check();
    await b!.check();
    expect([a!.available(), b!.available()]).toEqual([true, true]);
    expect(audited.map((c) => c.state)).toEqual(['down', 'up']);
  });

  it('when ten instances probe at the same moment the threshold is reached then exactly one audits the flip', async () => {
    let up = false;
    const { monitors, audited } = fleet(10, () => up, { ...PROBE, downAfterSeconds: 0 });
    await Promise.all(monitors.slice(0, 2).map((m) => m.check()));
    await Promise.all(monitors.map((m) => m.check()));
    expect(monitors.every((m) => !m.available())).toBe(true);
    expect(audited.map((c) => c.state)).toEqual(['down']);

    up = true;
    await Promise.all(monitors.map((m) => m.check()));
    expect(monitors.every((m) => m.available())).toBe(true);
    expect(audited.map((c) => c.state)).toEqual(['down', 'up']);
  });

  it('when an instance joins a fleet in degraded mode then one failed probe of its own shows it down', async () => {
    const { monitors, keyPrefix, clock } = fleet(1, () => false, { ...PROBE, downAfterSeconds: 0 });
    for (let i = 0; i < 3; i += 1) await monitors[0]!.check();
    expect(await redis.hGet(`${keyPrefix}eid:provider-state`, 'state')).toBe('down');
    const audited: EidStateChange[] = [];
    const newcomer = createEidMonitor({
      provider: fakeProvider(() => false),
      redis,
      keyPrefix,
      clock,
      logger,
      eid: { probe: PROBE, timeoutInSeconds: 2 },
      audit: async (change) => {
        audited.push(change);
      },
    });
    expect(newcomer.available()).toBe(true);
    await newcomer.check();
    expect(newcomer.available()).toBe(false);
    expect(audited).toEqual([]); // the fleet's flip was already audited
  });
});

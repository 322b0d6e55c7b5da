import { EventEmitter } from 'node:events';
import { redisAnswering, watchRedis } from '../../src/redis/watchdog';
import { createLogger } from '../../src/shared/logger';

/** A stand-in for a node-redis client whose PINGs the test answers (or not). */
class FakeClient extends EventEmitter {
  isOpen = true;
  isReady = true;
  pings: { resolve(): void; reject(err: Error): void }[] = [];
  destroyed = 0;
  connected = 0;
  ping() {
    return new Promise<unknown>((resolve, reject) =>
      this.pings.push({ resolve: () => resolve('PONG'), reject }),
    );
  }
  destroy() {
    this.destroyed++;
    this.isOpen = false;
    this.isReady = false;
  }
  connect() {
    this.connected++;
    this.isOpen = true;
    return new Promise<unknown>(() => {});
  }
  /** The new connection is up (node-redis emits 'ready'). */
  becomeReady() {
    this.isReady = true;
    this.emit('ready');
  }
}

const OPTIONS = { intervalInMs: 500, timeoutInMs: 1000 };

describe('the Redis watchdog', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('when every PING is answered then the connection is left alone', async () => {
    const client = new FakeClient();
    const watchdog = watchRedis(client, createLogger('silent'), OPTIONS);
    let answered = 0;
    for (let i = 0; i < 10; i++) {
      await jest.advanceTimersByTimeAsync(500);
      for (const ping of client.pings.splice(0)) {
        ping.resolve();
        answered++;
      }
    }
    expect(answered).toBeGreaterThanOrEqual(9);
    expect(client.destroyed).toBe(0);
    expect(redisAnswering(client)).toBe(true);
    watchdog.stop();
  });

  it('when a PING is not answered in time then the connection is dropped and opened again, and Redis counts as not answering until a PING is answered', async () => {
    const client = new FakeClient();
    const watchdog = watchRedis(client, createLogger('silent'), OPTIONS);
    await jest.advanceTimersByTimeAsync(500); // the PING goes out
    expect(client.pings).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(999);
    expect(client.destroyed).toBe(0);
    await jest.advanceTimersByTimeAsync(10);
    expect(client.destroyed).toBe(1);
    expect(client.connected).toBe(1);
    expect(redisAnswering(client)).toBe(false);

    // The new connection is up but Redis still says nothing: still not answering.
    client.becomeReady();
    expect(redisAnswering(client)).toBe(false);
    await jest.advanceTimersByTimeAsync(0);
    expect(client.pings).toHaveLength(2); // asked at once on 'ready'
    client.pings[1]!.resolve();
    await jest.advanceTimersByTimeAsync(0);
    expect(redisAnswering(client)).toBe(true);
    watchdog.stop();
  });

  it('when a PING fails because the connection broke then node-redis repairs it (no extra reconnect)', async () => {
    const client = new FakeClient();
    const watchdog = watchRedis(client, createLogger('silent'), OPTIONS);
    await jest.advanceTimersByTimeAsync(500);
    client.pings[0]!.reject(new Error('Socket closed unexpectedly'));
    await jest.advanceTimersByTimeAsync(1500);
    expect(client.destroyed).toBe(0);
    watchdog.stop();
  });

  it('when the owner closes the client then the watchdog stops asking', async () => {
    const client = new FakeClient();
    watchRedis(client, createLogger('silent'), OPTIONS);
    await jest.advanceTimersByTimeAsync(500);
    client.pings.shift()!.resolve();
    client.isOpen = false;
    client.isReady = false;
    await jest.advanceTimersByTimeAsync(5000);
    expect(client.pings).toHaveLength(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('when the client is not ready then Redis does not count as answering', () => {
    const client = new FakeClient();
    client.isReady = false;
    expect(redisAnswering(client)).toBe(false);
  });
});

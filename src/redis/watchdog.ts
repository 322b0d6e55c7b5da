import type { Logger } from '../shared/logger';

/** What the watchdog needs of a node-redis client. */
export interface WatchedClient {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  ping(): Promise<unknown>;
  destroy(): void;
  connect(): Promise<unknown>;
  on(event: 'ready', listener: () => void): unknown;
}

export interface WatchdogOptions {
  /** How often a PING is sent while the connection is ready. */
  intervalInMs: number;
  /** A PING unanswered this long means Redis has stalled. */
  timeoutInMs: number;
}

/**
 * Every request must be answered within 2 s even when Redis stops answering while its socket
 * stays open (DEBUG SLEEP, CLIENT PAUSE, a frozen host). node-redis cannot notice that by itself:
 * its command timeout only covers commands still waiting to be written, and its socket timeout
 * is reset by every write, so under traffic it never fires. So a PING goes out every
 * `intervalInMs` behind whatever is in flight; when it is not answered within `timeoutInMs`, the
 * connection is dropped and opened again. Dropping it rejects every command in flight at once
 * (their requests get the 503 page) and, until a PING is answered again, {@link redisAnswering}
 * is false, so new requests get the 503 page without waiting (src/app.ts). A command answered after the
 * reconnection cannot be mistaken for another's: the old connection and its replies are gone.
 * Worst case, a request waits `intervalInMs + timeoutInMs`.
 */
export function watchRedis(
  client: WatchedClient,
  logger: Logger,
  { intervalInMs, timeoutInMs }: WatchdogOptions,
): { answering(): boolean; stop(): void } {
  let pinging = false;
  let stopped = false;
  let seenOpen = false;
  let stalled = false;

  const tick = async () => {
    if (pinging || !client.isReady) return;
    pinging = true;
    // A failed PING (connection lost) is node-redis's own to report and repair.
    let outcome = 'none' as 'pong' | 'failed' | 'none';
    const ping = client.ping().then(
      () => (outcome = 'pong'),
      () => (outcome = 'failed'),
    );
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutInMs);
    });
    await Promise.race([ping, expired]);
    clearTimeout(timer);
    // A blocked event loop delays the reply's processing, not Redis: let pending I/O in first.
    if (outcome === 'none') await new Promise((resolve) => setImmediate(resolve));
    pinging = false;
    if (outcome === 'pong' && stalled) logger.info('redis answers again');
    if (outcome === 'pong') stalled = false;
    if (outcome !== 'none' || stopped || !client.isOpen) return;
    if (!stalled)
      logger.error({ timeoutInMs }, 'redis did not answer a PING in time; reconnecting');
    stalled = true;
    client.destroy();
    client.connect().catch(() => {
      // Reconnection goes on in node-redis's own loop; its errors reach the client's 'error' event.
    });
  };

  // Back after a stall: ask at once rather than at the next interval.
  client.on('ready', () => {
    if (stalled) void tick();
  });
  const interval = setInterval(() => {
    // Closed by its owner (quit or destroy at shutdown) after it was opened: nothing to watch.
    if (client.isOpen) seenOpen = true;
    else if (seenOpen && !pinging) {
      stopped = true;
      clearInterval(interval);
      return;
    }
    void tick();
  }, intervalInMs);
  interval.unref();
  const watchdog = {
    /** False from a missed PING until a PING is answered again, whatever the socket says. */
    answering: () => !stalled,
    stop() {
      stopped = true;
      clearInterval(interval);
    },
  };
  watchdogs.set(client, watchdog);
  return watchdog;
}

const watchdogs = new WeakMap<object, { answering(): boolean }>();

/**
 * Whether Redis can be expected to answer now: connected, and (when watched) not stalled. A
 * stalled Redis whose new connection is up would otherwise make each request wait for the
 * watchdog again; this way only the requests in flight when it stalled wait.
 */
export const redisAnswering = (client: Pick<WatchedClient, 'isReady'>): boolean =>
  client.isReady && (watchdogs.get(client)?.answering() ?? true);

import { createSentinel, type RedisClientType } from 'redis';
import type { Config } from '../config';
import type { Logger } from '../shared/logger';

type SentinelConfig = NonNullable<Config['redis']['sentinel']>;
type Execute = (
  isReadonly: boolean | undefined,
  fn: (c: never) => Promise<unknown>,
) => Promise<unknown>;

/**
 * During a failover the Sentinel client holds every command until the sentinels name a new
 * primary (down-after-milliseconds plus the election: seconds), and its isReady stays true. So
 * that a request is still answered within `ms` (the 503 page, as with the direct client), each
 * command, pipeline and transaction — all go through `_execute` — gets a deadline. The command
 * itself still runs on the new primary if it was sent.
 */
function boundWaits(client: { _self: { _execute: Execute } }, ms: number): void {
  const self = client._self;
  const execute = self._execute.bind(self);
  self._execute = (isReadonly, fn) => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new Error(`Redis (Sentinel) did not answer within ${ms} ms`);
        err.name = 'TimeoutError';
        reject(err);
      }, ms);
    });
    return Promise.race([execute(isReadonly, fn), deadline]).finally(() => clearTimeout(timer));
  };
}
type Scan = { cursor: string; keys: string[] };

/**
 * node-redis's Sentinel client: it asks the sentinels for the primary, follows every failover
 * (sentinel pub/sub and READONLY/disconnect → rediscovery), and retries the command on the new
 * primary. The data-node connections fail fast like the direct client's (no offline queue, 2 s
 * timeouts). `fastFail` is the client options the direct connection uses.
 *
 * The app holds it as a `RedisClientType`: what it calls (get/set/del/exists/expire/mGet/sAdd/
 * sMembers/sRem/multi…exec, eval from rate-limiter-flexible, isReady) the Sentinel client has
 * with the same signatures; the two it lacks are added here: `scanIterator` (brute-force unlock,
 * locked list) over SCAN on the primary, and `quit` (shutdown) as `close`.
 */
export function createSentinelClient(
  sentinel: SentinelConfig,
  fastFail: { disableOfflineQueue: boolean; commandOptions: { timeout: number } },
  socket: { connectTimeout: number; reconnectStrategy: (retries: number) => number },
  logger: Logger,
): RedisClientType {
  const client = createSentinel({
    name: sentinel.name,
    sentinelRootNodes: sentinel.nodes,
    nodeClientOptions: { ...fastFail, socket },
    sentinelClientOptions: { socket: { connectTimeout: socket.connectTimeout } },
    commandOptions: fastFail.commandOptions,
    // Rediscovery on a failing command is what bounds a failover, not this periodic poll.
    scanInterval: 10_000,
  });
  client.on('error', (err: unknown) => {
    logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'redis sentinel error');
  });
  client.on('topology-change', (event: { type: string; node?: { host: string; port: number } }) => {
    if (event.type === 'MASTER_CHANGE' && event.node)
      logger.info({ primary: `${event.node.host}:${event.node.port}` }, 'redis primary changed');
  });
  boundWaits(
    client as unknown as Parameters<typeof boundWaits>[0],
    fastFail.commandOptions.timeout,
  );
  const extra = {
    async *scanIterator(options: { MATCH?: string; COUNT?: number }) {
      let cursor = '0';
      do {
        const reply = (await client.scan(cursor, options)) as Scan;
        cursor = reply.cursor;
        yield reply.keys;
      } while (cursor !== '0');
    },
    quit: () => client.close(),
  };
  return Object.assign(client, extra) as unknown as RedisClientType;
}

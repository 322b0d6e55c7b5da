/**
 * A Redis Sentinel topology of its own on 127.0.0.1, in a temporary folder: a primary, one
 * replica and three sentinels (Debian's redis-server and redis-sentinel), each on a free port and
 * stopped by its PID. Without persistence, like a cache: what was not replicated is lost.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'redis';
import { freePort } from '../test/support/nginx';

export const SENTINEL_NAME = 'his-acceso';
/** How long the sentinels wait before they call the primary down. */
export const DOWN_AFTER_IN_MS = 1000;

interface RedisProcess {
  port: number;
  child: ChildProcess;
  exited: Promise<void>;
}

export interface SentinelTopology {
  /** REDIS_SENTINELS for the app: "127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3". */
  sentinels: string;
  /** The data nodes' ports, by the role they started in. */
  ports: { first: number; second: number };
  /** The port the sentinels currently name as primary. */
  primaryPort(): Promise<number>;
  /** SIGKILL of the data node on `port` (a crash); it stays down. */
  kill(port: number): Promise<void>;
  /** Starts the data node on `port` again, as a replica of the current primary. */
  revive(port: number): Promise<void>;
  /**
   * Resolves once every sentinel names the same primary and knows a replica that is up and in
   * sync with it (so that a next failover has somewhere to go); bounded to 30 s.
   */
  settled(): Promise<void>;
  /** `SENTINEL FAILOVER`: the sentinels hand the primary role over (no crash). */
  failover(): Promise<void>;
  /** Runs `fn` with a plain client of the data node on `port`. */
  withNode<T>(port: number, fn: (c: ReturnType<typeof createClient>) => Promise<T>): Promise<T>;
  stop(): Promise<void>;
}

function startProcess(command: string, args: string[], port: number): Promise<RedisProcess> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail('did not start within 10 s'), 10_000);
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${command} on ${port} ${why}:\n${output}`));
    };
    const onExit = (code: number | null) => fail(`exited (${code})`);
    child.once('error', (err) => fail(err.message));
    child.once('exit', onExit);
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
      if (/Ready to accept connections|Sentinel ID is/.test(output)) {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve({ port, child, exited });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
  });
}

const kill = async (p: RedisProcess) => {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await p.exited;
};

/** Starts the topology and waits until every sentinel knows the replica and the other two. */
export async function startSentinelTopology(): Promise<SentinelTopology> {
  const dir = mkdtempSync(path.join(tmpdir(), 'his-sentinel-'));
  const nodes = new Map<number, RedisProcess>();
  const sentinels: RedisProcess[] = [];
  const dataNode = (port: number, replicaOf?: number) => {
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ];
    args.push('--dir', dir, '--dbfilename', `dump-${port}.rdb`);
    if (replicaOf) args.push('--replicaof', '127.0.0.1', String(replicaOf));
    return startProcess('redis-server', args, port).then((p) => nodes.set(port, p) && p);
  };
  const stop = async () => {
    await Promise.all([...sentinels, ...nodes.values()].map(kill));
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const first = await freePort();
    const second = await freePort();
    await dataNode(first);
    await dataNode(second, first);
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const conf = path.join(dir, `sentinel-${port}.conf`);
      writeFileSync(
        conf,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${SENTINEL_NAME} 127.0.0.1 ${first} 2`,
          `sentinel down-after-milliseconds ${SENTINEL_NAME} ${DOWN_AFTER_IN_MS}`,
          `sentinel failover-timeout ${SENTINEL_NAME} 10000`,
          `sentinel parallel-syncs ${SENTINEL_NAME} 1`,
          '',
        ].join('\n'),
      );
      sentinels.push(await startProcess('redis-sentinel', [conf], port));
    }
    const sentinel = <T>(fn: (c: ReturnType<typeof createClient>) => Promise<T>) =>
      withClient(sentinels[0]!.port, fn);
    const topology: SentinelTopology = {
      sentinels: sentinels.map((s) => `127.0.0.1:${s.port}`).join(','),
      ports: { first, second },
      async primaryPort() {
        const [, port] = (await sentinel((c) =>
          c.sendCommand(['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_NAME]),
        )) as [string, string];
        return Number(port);
      },
      kill: (port) => kill(nodes.get(port)!),
      async revive(port) {
        await dataNode(port, await topology.primaryPort());
      },
      async settled() {
        for (let i = 0; i < 150; i++) {
          const views = await Promise.all(
            sentinels.map((s) =>
              withClient(s.port, async (c) => {
                const addr = (await c.sendCommand([
                  'SENTINEL',
                  'GET-MASTER-ADDR-BY-NAME',
                  SENTINEL_NAME,
                ])) as [string, string];
                const replicas = (await c.sendCommand([
                  'SENTINEL',
                  'REPLICAS',
                  SENTINEL_NAME,
                ])) as string[][];
                const healthy = replicas.some((r) => {
                  const field = (name: string) => r[r.indexOf(name) + 1];
                  return field('flags') === 'slave' && field('master-link-status') === 'ok';
                });
                return healthy ? addr[1] : null;
              }).catch(() => null),
            ),
          );
          const [first] = views;
          if (first && views.every((v) => v === first)) {
            const link = await withClient(Number(first), (c) => c.info('replication'));
            if (/slave\d+:[^\n]*state=online/.test(link)) return;
          }
          await sleep(200);
        }
        throw new Error('the sentinels did not settle on a primary with a replica in 30 s');
      },
      async failover() {
        await sentinel((c) => c.sendCommand(['SENTINEL', 'FAILOVER', SENTINEL_NAME]));
      },
      withNode: withClient,
      stop,
    };
    // Bounded: sentinels discover the replica and each other through the primary (≈ 1–2 s).
    for (let i = 0; ; i++) {
      const ready = await Promise.all(
        sentinels.map((s) =>
          withClient(s.port, async (c) => {
            const master = (await c.sendCommand(['SENTINEL', 'MASTER', SENTINEL_NAME])) as string[];
            const field = (name: string) => Number(master[master.indexOf(name) + 1]);
            return field('num-slaves') >= 1 && field('num-other-sentinels') >= 2;
          }),
        ),
      );
      if (ready.every(Boolean)) break;
      if (i > 150) throw new Error('the sentinels did not see the replica and each other in 30 s');
      await sleep(200);
    }
    return topology;
  } catch (err) {
    await stop();
    throw err;
  }
}

async function withClient<T>(
  port: number,
  fn: (c: ReturnType<typeof createClient>) => Promise<T>,
): Promise<T> {
  const client = createClient({
    url: `redis://127.0.0.1:${port}`,
    socket: { reconnectStrategy: false },
  });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    if (client.isOpen) client.destroy();
  }
}

import { spawn, type ChildProcess } from 'node:child_process';
import { createClient, type RedisClientType } from 'redis';

import { freePort } from './nginx';

export { freePort };

/**
 * A Redis server of this test only, on `port`, without persistence (a restart loses every key,
 * as a crashed cache does) and with DEBUG allowed from 127.0.0.1 (DEBUG SLEEP); resolves once it
 * accepts connections.
 */
export function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--enable-debug-command',
      'local',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('redis-server did not start in 10 s'));
    }, 10_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.stdout!.resume();
        resolve(child);
      }
    });
  });
}

/** Kills `child` (SIGKILL: a crash, nothing flushed) and resolves once it has exited. */
export const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });

/** A test's own redis-server: its URL, and the faults a test can inflict on it. */
export interface OwnRedis {
  readonly port: number;
  readonly url: string;
  /** Kills the server (its data is lost). */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>;
  /**
   * Blocks the server for `seconds` with DEBUG SLEEP (nothing is answered, not even new
   * connections) or CLIENT PAUSE … ALL (connections accepted, no command answered). Resolves once
   * the pause is in effect; `ended` resolves when the server answers again.
   */
  pause(how: 'debug-sleep' | 'client-pause', seconds: number): Promise<{ ended: Promise<void> }>;
  /** Kills the server for good. */
  close(): Promise<void>;
}

/** Starts an {@link OwnRedis} on a free port. */
export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child = await startRedis(port);
  const admin = async <T>(fn: (c: RedisClientType) => Promise<T>): Promise<T> => {
    const client = createClient({ url, socket: { reconnectStrategy: false } }) as RedisClientType;
    client.on('error', () => {});
    await client.connect();
    try {
      return await fn(client);
    } finally {
      if (client.isOpen) client.destroy();
    }
  };

  /** True when a PING on a fresh connection is not answered within 200 ms. */
  const unresponsive = async (): Promise<boolean> => {
    const client = createClient({
      url,
      socket: { reconnectStrategy: false, connectTimeout: 200 },
    }) as RedisClientType;
    client.on('error', () => {});
    const answered = client
      .connect()
      .then(() => client.ping())
      .then(
        () => true,
        () => false,
      );
    const timer = new Promise<false>((resolve) => setTimeout(() => resolve(false), 200));
    const ok = await Promise.race([answered, timer]);
    if (client.isOpen) client.destroy();
    return !ok;
  };

  return {
    port,
    url,
    kill: () => stop(child),
    async restart() {
      await stop(child);
      child = await startRedis(port);
    },
    async pause(how, seconds) {
      let ended: Promise<void>;
      if (how === 'client-pause') {
        await admin((c) => c.sendCommand(['CLIENT', 'PAUSE', String(seconds * 1000), 'ALL']));
        const until = Date.now() + seconds * 1000;
        ended = new Promise((resolve) => setTimeout(resolve, Math.max(0, until - Date.now())));
      } else {
        const client = createClient({ url, socket: { reconnectStrategy: false } });
        client.on('error', () => {});
        await client.connect();
        // Answered only when the sleep is over.
        ended = client
          .sendCommand(['DEBUG', 'SLEEP', String(seconds)])
          .then(
            () => undefined,
            () => undefined,
          )
          .finally(() => {
            if (client.isOpen) client.destroy();
          });
      }
      // Bounded: the pause is in effect once a fresh connection gets no answer.
      for (let i = 0; i < 20 && !(await unresponsive()); i++);
      return { ended: ended.then(() => waitUntilAnswers(url)) };
    },
    close: () => stop(child),
  };
}

/** Resolves once `url` answers a PING (bounded: 100 tries, 100 ms apart). */
async function waitUntilAnswers(url: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const client = createClient({ url, socket: { reconnectStrategy: false } }) as RedisClientType;
    client.on('error', () => {});
    try {
      await client.connect();
      await client.ping();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      if (client.isOpen) client.destroy();
    }
  }
  throw new Error(`${url} did not answer again within 10 s`);
}

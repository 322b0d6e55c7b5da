import { randomBytes } from 'node:crypto';
import { createClient, type RedisClientType } from 'redis';

/** A Redis command as MONITOR reports it: the name upper-cased, then its arguments. */
export interface MonitoredCommand {
  name: string;
  args: string[];
}

/** Commands that change data; everything else (GET, TTL, EXISTS…) only reads. */
export const WRITE_COMMANDS = new Set([
  'SET',
  'SETEX',
  'PSETEX',
  'SETNX',
  'GETSET',
  'GETDEL',
  'GETEX',
  'DEL',
  'UNLINK',
  'EXPIRE',
  'PEXPIRE',
  'EXPIREAT',
  'PEXPIREAT',
  'PERSIST',
  'INCR',
  'INCRBY',
  'DECR',
  'HSET',
  'HDEL',
  'SADD',
  'SREM',
  'ZADD',
  'ZREM',
  'ZREMRANGEBYSCORE',
  'RENAME',
  'EVAL',
  'EVALSHA',
  'MULTI',
]);

/** Parses one MONITOR line: `1700000000.123 [0 127.0.0.1:1234] "GET" "key"`. */
export function parseMonitorLine(line: string): MonitoredCommand | null {
  const start = line.indexOf('] ');
  if (start < 0) return null;
  const args = [...line.slice(start + 2).matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!);
  const [name, ...rest] = args;
  return name ? { name: name.toUpperCase(), args: rest } : null;
}

/**
 * Watches the shared Redis with MONITOR and keeps only the commands that touch keys under
 * `keyPrefix` (the test app's own prefix), so other test files running at the same time are not
 * counted. `settle()` sends a marker key through the same Redis and waits until MONITOR reports
 * it: MONITOR reports in execution order, so every earlier command has been seen by then.
 */
export async function monitorRedis(url: string, keyPrefix: string) {
  const client = createClient({ url }) as RedisClientType;
  const probe = createClient({ url }) as RedisClientType;
  await Promise.all([client.connect(), probe.connect()]);
  const seen: MonitoredCommand[] = [];
  const waiters = new Map<string, () => void>();
  await client.monitor((line: string) => {
    const command = parseMonitorLine(line);
    if (!command || !command.args.some((a) => a.startsWith(keyPrefix))) return;
    // MONITOR also reports each command a script runs, on a line of its own ("[0 lua]"): the
    // script's own line would count them twice (src/domain/sessions/ended-sessions.ts saves by EVAL).
    if (command.name === 'EVAL' || command.name === 'EVALSHA') return;
    const marker = command.args.find((a) => waiters.has(a));
    if (marker) {
      waiters.get(marker)!();
      waiters.delete(marker);
      return;
    }
    seen.push(command);
  });
  return {
    /** Waits until every command sent before this call has been reported. */
    async settle(): Promise<void> {
      const marker = `${keyPrefix}monitor-marker:${randomBytes(4).toString('hex')}`;
      const reported = new Promise<void>((resolve) => waiters.set(marker, resolve));
      await probe.get(marker);
      await reported;
    },
    /** Settles, then returns the commands seen since the last `take()` and forgets them. */
    async take(): Promise<MonitoredCommand[]> {
      await this.settle();
      return seen.splice(0, seen.length);
    },
    async close(): Promise<void> {
      client.destroy();
      await probe.quit();
    },
  };
}

import { randomBytes } from 'node:crypto';
import { createClient, type RedisClientType } from 'redis';

/** A Redis command as MONITOR reports it: the name upper-cased, then its arguments. */
export interface MonitoredCommand {
  name: string;
  args: string[];
  /** Run by a script (MONITOR's "[0 lua]"): part of the script's round trip, not one of its own. */
  fromScript?: boolean;
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
  const fromScript = line.slice(0, start).includes(' lua');
  return name ? { name: name.toUpperCase(), args: rest, fromScript } : null;
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
  /** EVAL and EVALSHA lines: how the scripts were sent, apart from what they ran. */
  const scriptCalls: string[] = [];
  /** Commands the app itself sent (a script counts once, whatever it runs): its round trips. */
  let sent = 0;
  const waiters = new Map<string, () => void>();
  await client.monitor((line: string) => {
    const command = parseMonitorLine(line);
    if (!command || !command.args.some((a) => a.startsWith(keyPrefix))) return;
    if (!command.fromScript && !command.args.some((a) => waiters.has(a))) sent++;
    // MONITOR also reports each command a script runs, on a line of its own ("[0 lua]"): the
    // script's own line would count them twice (src/domain/sessions/ended-sessions.ts saves by EVAL).
    if (command.name === 'EVAL' || command.name === 'EVALSHA') {
      scriptCalls.push(command.name);
      return;
    }
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
    /** Settles, then returns how the scripts since the last call were sent (EVAL or EVALSHA). */
    async takeScriptCalls(): Promise<string[]> {
      await this.settle();
      return scriptCalls.splice(0, scriptCalls.length);
    },
    /** Settles, then returns how many commands the app sent since the last call (its round trips). */
    async roundTrips(): Promise<number> {
      await this.settle();
      const n = sent;
      sent = 0;
      return n;
    },
    async close(): Promise<void> {
      client.destroy();
      await probe.quit();
    },
  };
}

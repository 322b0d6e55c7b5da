import type { RedisClientType } from 'redis';
import { luaScript } from '../shared/lua-script';

/** The e-ID provider's state as every app instance shares it. */
export type ProviderState = 'up' | 'down';

/** What one probe (or exchange) observed, and what the shared record says after it. */
export interface ProbeOutcome {
  state: ProviderState;
  /** True for exactly one caller: the one whose update flipped the shared state. */
  changed: boolean;
  /** Consecutive failures across all instances (0 after a success). */
  failures: number;
  /** When the current run of failures began; null after a success. */
  firstFailureAt: Date | null;
  /** The run before this observation (what a success ended). */
  previous: { failures: number; firstFailureAt: Date | null };
}

export interface StateRules {
  downAfterFailedProbes: number;
  downAfterMs: number;
  /** A run of failures whose last one is older than this is stale: the next failure starts anew. */
  staleAfterMs: number;
}

/**
 * One atomic read-modify-write of the shared record (a Redis hash), so that N instances probing
 * at once agree and exactly one of them sees `changed`. Down needs BOTH enough consecutive
 * failures AND the first of them long enough ago; one success clears the run and means up.
 * A run whose last failure is stale (every instance stopped for a while) does not count.
 */
const takeState = luaScript(`
local key = KEYS[1]
local ok = ARGV[1] == '1'
local now = tonumber(ARGV[2])
local needed = tonumber(ARGV[3])
local downAfter = tonumber(ARGV[4])
local staleAfter = tonumber(ARGV[5])
local r = redis.call('HMGET', key, 'state', 'failures', 'firstFailureAt', 'lastFailureAt')
local state = r[1] or 'up'
local failures = tonumber(r[2] or '0')
local first = tonumber(r[3] or '0')
local last = tonumber(r[4] or '0')
local prevFailures, prevFirst = failures, first
local verdict = state
if ok then
  failures = 0
  first = 0
  last = 0
  verdict = 'up'
else
  if failures == 0 or now - last > staleAfter then
    failures = 0
    first = now
  end
  failures = failures + 1
  last = now
  if failures >= needed and now - first >= downAfter then verdict = 'down' end
end
redis.call('HSET', key, 'state', verdict, 'failures', failures, 'firstFailureAt', first,
  'lastFailureAt', last)
local changed = 0
if verdict ~= state then
  changed = 1
  redis.call('HSET', key, 'changedAt', now)
end
return {verdict, changed, failures, first, prevFailures, prevFirst}
`);

/** The shared record of the provider's health, under `${keyPrefix}eid:provider-state`. */
export function createProviderState(redis: RedisClientType, keyPrefix: string, rules: StateRules) {
  const key = `${keyPrefix}eid:provider-state`;
  return {
    key,
    /** Adds one observation at `now` (the injected clock's) and returns the shared verdict. */
    async record(ok: boolean, now: Date): Promise<ProbeOutcome> {
      const reply = (await takeState(redis, {
        keys: [key],
        arguments: [
          ok ? '1' : '0',
          String(now.getTime()),
          String(rules.downAfterFailedProbes),
          String(rules.downAfterMs),
          String(rules.staleAfterMs),
        ],
      })) as [string, number, number, number, number, number];
      const [state, changed, failures, first, prevFailures, prevFirst] = reply;
      const instant = (ms: number) => (Number(ms) > 0 ? new Date(Number(ms)) : null);
      return {
        state: state === 'down' ? 'down' : 'up',
        changed: changed === 1,
        failures: Number(failures),
        firstFailureAt: instant(first),
        previous: { failures: Number(prevFailures), firstFailureAt: instant(prevFirst) },
      };
    },
  };
}

export type SharedProviderState = ReturnType<typeof createProviderState>;

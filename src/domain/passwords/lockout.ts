import { RateLimiterRedis } from 'rate-limiter-flexible';
import { TimeoutError, type RedisClientType } from 'redis';
import type { LoginLimits } from '../../config/login-limits';
import { REDIS_ANSWER_BUDGET_IN_MS } from '../../redis/client';
import { luaScript } from '../../shared/lua-script';
import { networkMatcher, sourceOf } from './source';

/** Why an attempt is refused before its password is looked at; stored as login_events.reason. */
export type LimitRefusal =
  'account_locked' | 'throttled_account' | 'throttled_ip' | 'throttled_network' | 'throttled_spray';

/** The refusals of a whole source (429, whoever the account): not about one account. */
export const SOURCE_REFUSALS: ReadonlySet<LimitRefusal> = new Set([
  'throttled_ip',
  'throttled_network',
  'throttled_spray',
]);

/** How long a source's failing usernames are remembered (the spraying limit is per day). */
const SPRAY_MEMORY_IN_SECONDS = 24 * 3600;

/**
 * One password attempt that passed the limits: its points are reserved in Redis before the hash
 * is verified, and the caller settles it with the verification's outcome.
 */
export interface Reservation {
  /** Right password: the reserved points are given back, the pair's count cleared, the source remembered. */
  succeeded(): Promise<void>;
  /** Wrong password: the points stay spent; true (with its length) when this failure started a lock. */
  failed(): Promise<{ lockStarted: boolean; lockSeconds: number }>;
  /** No password was verified (the account could not be looked up): the points are given back. */
  abandoned(): Promise<void>;
}

export type Gate =
  | ({ allowed: true } & Reservation)
  | { allowed: false; reason: LimitRefusal; retryAfterSeconds: number };

/** A source that logged in to the account recently is still heard when the account is throttled. */
const KNOWN_SOURCE_TTL_IN_SECONDS = 30 * 24 * 3600;
/** New locks of the same pair within this time last twice as long as the previous one. */
const ESCALATION_MEMORY_IN_SECONDS = 24 * 3600;

/**
 * rate-limiter-flexible's consume (its `incrTtlLuaScript`) of `points` (negative: a reward) on a
 * counter of a `window`-second window: the count and the milliseconds before it resets.
 */
const CONSUME_LUA = `
local function consume(key, points, window)
  redis.call('SET', key, 0, 'EX', window, 'NX')
  local consumed = redis.call('INCRBY', key, points)
  local ttl = redis.call('PTTL', key)
  if ttl == -1 then
    redis.call('EXPIRE', key, window)
    ttl = 1000 * window
  end
  return consumed, ttl
end
`;

/**
 * What administrators see as "Bloqueado": a key per username, in rate-limiter-flexible's block
 * format (the count 2 of 1 point), that lives as long as the longest lock or throttle reported to
 * it. The one rule, shared by the reservation's script (an account's throttle) and
 * {@link markScript} (a pair's lock): a mark never shortens a longer one.
 */
const MARK_LUA = `
local function mark(key, secs)
  if redis.call('PTTL', key) < secs * 1000 then redis.call('SET', key, 2, 'EX', secs) end
end
`;
/** Marks the account (KEYS[1]) for administrators for at least ARGV[1] seconds. */
const markScript = luaScript(`${MARK_LUA}mark(KEYS[1], tonumber(ARGV[1]))`);

/**
 * A login's reservation, all of it in Redis at once (atomic, one round trip). Its counters are
 * rate-limiter-flexible's, on their keys and in their format, so the limiters read, block and
 * delete them afterwards: `consume` is that library's own consume (CONSUME_LUA), and a
 * block is its `block` (the count, for the block's duration). In order:
 * - past ARGV[1], the deadline in Redis's clock (ms), nothing is changed: "late" and Redis's time;
 * - a source past its distinct failing usernames of the day (KEYS[1]) tries no new one (ARGV[2]);
 * - the source's point (KEYS[3]); the one over its limit blocks it (ARGV[6] s, if any);
 * - the account-and-source pair's point (KEYS[4]);
 * - the account-wide point (KEYS[5]), unless this source logged in to the account recently
 *   (KEYS[2]): an attacker elsewhere hammering the username slows everyone else down, not the
 *   ward PC. Over its limit, the pair's point is given back, and the first one over marks the
 *   account as throttled for administrators (KEYS[6], as long as the throttle at least).
 * A refusal leaves the later counters untouched, as if they had not been asked. Answers
 * {reason, ms before retry} or {"allowed", the pair's count, 1 if the account's point was taken}.
 */
const reserveScript = luaScript(`${CONSUME_LUA}${MARK_LUA}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if now > tonumber(ARGV[1]) then return {'late', now} end
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[3])
  and redis.call('SISMEMBER', KEYS[1], ARGV[2]) == 0 then
  return {'throttled_spray', redis.call('PTTL', KEYS[1])}
end
local window = tonumber(ARGV[4])
local ipLimit, ipBlock = tonumber(ARGV[5]), tonumber(ARGV[6])
local ip, ipTtl = consume(KEYS[3], 1, window)
if ip > ipLimit then
  if ip == ipLimit + 1 and ipBlock > 0 then
    redis.call('SET', KEYS[3], ip, 'EX', ipBlock)
    ipTtl = 1000 * ipBlock
  end
  return {'throttled_ip', ipTtl}
end
local pair, pairTtl = consume(KEYS[4], 1, window)
if pair > tonumber(ARGV[7]) then return {'account_locked', pairTtl} end
if redis.call('EXISTS', KEYS[2]) == 1 then return {'allowed', pair, 0} end
local accountLimit = tonumber(ARGV[8])
local account, accountTtl = consume(KEYS[5], 1, window)
if account > accountLimit then
  consume(KEYS[4], -1, window)
  if account == accountLimit + 1 then mark(KEYS[6], math.max(1, math.ceil(accountTtl / 1000))) end
  return {'throttled_account', accountTtl}
end
return {'allowed', pair, 1}
`);
/**
 * A reservation given back, in one round trip: the pair's count cleared (KEYS[1], ARGV[2] "1": a
 * right password) or its point returned, the source's point returned (KEYS[2]), the account's
 * (KEYS[3]) if the reservation took one (ARGV[3] "1"), and after a right password the source
 * remembered for the account (KEYS[4], ARGV[4] seconds). ARGV[1] is the limiters' window.
 */
const giveBackScript = luaScript(`${CONSUME_LUA}
local window = tonumber(ARGV[1])
if ARGV[2] == '1' then redis.call('DEL', KEYS[1]) else consume(KEYS[1], -1, window) end
consume(KEYS[2], -1, window)
if ARGV[3] == '1' then consume(KEYS[3], -1, window) end
if ARGV[2] == '1' then redis.call('SET', KEYS[4], '1', 'EX', ARGV[4]) end
`);
type ScriptAnswer =
  | ['late' | 'throttled_spray' | 'throttled_ip' | 'account_locked' | 'throttled_account', number]
  | ['allowed', number, 0 | 1];

const escapeGlob = (s: string) => s.replace(/[*?[\]\\]/g, '\\$&');

/**
 * Brute-force limits in Redis (rate-limiter-flexible), shared by every app instance; see
 * {@link LoginLimits} for the three counters and why they differ. {@link reserve} takes the
 * decision atomically, in one script and one round trip, BEFORE any hash is verified: each
 * attempt consumes its point first, so N parallel attempts cost at most the allowed number of
 * verifications, and a right password sent after the limit was reached is refused like any
 * other. Usernames are counted whether or not they exist, so a lock tells nothing about
 * existence (and skipping the hash for it is safe).
 */
export function createLockout(redis: RedisClientType, keyPrefix: string, limits: LoginLimits) {
  const window = limits.windowInMinutes * 60;
  // Consumed by `reserveScript` (which also blocks a source over its limit) and given back by
  // `giveBackScript`; read, blocked and deleted here through rate-limiter-flexible.
  const limiter = (name: string, points: number, duration: number) =>
    new RateLimiterRedis({
      storeClient: redis,
      useRedisPackage: true,
      keyPrefix: `${keyPrefix}login-${name}`,
      points,
      duration,
    });
  // The pair is blocked explicitly by the failure that reaches the limit, for its full (escalated)
  // duration from then on, rather than until the window of the first failure ends.
  const pair = limiter('pair', limits.maxFailures, window);
  const strikes = limiter('strikes', 1_000_000, ESCALATION_MEMORY_IN_SECONDS);
  // Slows, never blocks: once the window ends the account is heard again from everywhere.
  const account = limiter('account', limits.maxFailuresPerAccount, window);
  const perIp = limiter('ip', limits.maxFailuresPerIp, window);
  // The establishments' own networks: many people behind one address, higher limits.
  const perTrustedIp = limiter('ip-trusted', limits.trusted.maxFailuresPerIp, window);
  const trusted = networkMatcher(limits.trustedNetworks);
  const sprayKey = (source: string) => `${keyPrefix}login-spray:${source}`;
  // What admins see (MARK_LUA): read and deleted through the limiter, set by the scripts.
  const marker = limiter('locked', 1, window);

  const name = (username: string) => encodeURIComponent(username);
  const pairKey = (username: string, ip: string) => `${name(username)}|${ip}`;
  const knownKey = (username: string, ip: string) =>
    `${keyPrefix}login-known:${pairKey(username, ip)}`;

  /** Marks the account as locked for admins for at least `secs` seconds (one script). */
  const mark = (username: string, secs: number) =>
    markScript(redis, { keys: [marker.getKey(name(username))], arguments: [String(secs)] });

  /** Redis's clock minus ours, learned when the two disagree (see {@link reserve}). */
  let redisClockOffsetMs = 0;

  /**
   * The whole decision in one script, one round trip. Its deadline is in Redis's clock; a script
   * that reaches a paused Redis waits there and runs when Redis resumes, so it would spend the
   * points of a login the app answered with the 503 page long before: past the deadline it
   * changes nothing and answers "late". A "late" answered within the budget is the two clocks
   * disagreeing, not a stall: the offset is learned from Redis's time and the call made once
   * more.
   */
  async function decide(keys: string[], args: string[]) {
    const send = async (sentAt: number) =>
      (await reserveScript(redis, {
        keys,
        arguments: [String(sentAt + redisClockOffsetMs + REDIS_ANSWER_BUDGET_IN_MS), ...args],
      })) as ScriptAnswer;
    let sentAt = Date.now();
    let answer = await send(sentAt);
    if (answer[0] !== 'late') return answer;
    const answeredAt = Date.now();
    // Answered past the budget: Redis stalled, and the request is (or is about to be) a 503.
    if (answeredAt - sentAt >= REDIS_ANSWER_BUDGET_IN_MS) throw new TimeoutError();
    redisClockOffsetMs = answer[1] - Math.round((sentAt + answeredAt) / 2);
    sentAt = Date.now();
    answer = await send(sentAt);
    if (answer[0] !== 'late') return answer;
    // Late twice: Redis ran it past the time the request waits (a stall during the retry).
    throw new TimeoutError();
  }

  async function reserve(username: string, ipOrNull: string | null): Promise<Gate> {
    // An IPv6 /64 is one source (src/domain/passwords/source.ts).
    const ip = sourceOf(ipOrNull);
    const inTrusted = trusted(ipOrNull);
    const ipLimiter = inTrusted ? perTrustedIp : perIp;
    // The establishments' networks have limits of their own for the source's two counters.
    const sourceLimits = inTrusted ? limits.trusted : limits;
    const key = pairKey(username, ip);
    // The Redis keys of this attempt's counters, for both scripts.
    const keys = {
      known: knownKey(username, ip),
      ip: ipLimiter.getKey(ip),
      pair: pair.getKey(key),
      account: account.getKey(name(username)),
    };
    const answer = await decide(
      [sprayKey(ip), keys.known, keys.ip, keys.pair, keys.account, marker.getKey(name(username))],
      [
        username,
        // Spraying: a source past its distinct failing usernames of the day tries no new one.
        String(sourceLimits.maxFailingUsernamesPerDay),
        String(window),
        String(sourceLimits.maxFailuresPerIp),
        String(limits.ipBlockDurationInMinutes * 60),
        String(limits.maxFailures),
        String(limits.maxFailuresPerAccount),
      ],
    );
    if (answer[0] !== 'allowed') {
      const reason =
        answer[0] === 'throttled_ip' && inTrusted
          ? 'throttled_network'
          : (answer[0] as LimitRefusal);
      return {
        allowed: false,
        reason,
        retryAfterSeconds: Math.max(1, Math.ceil(answer[1] / 1000)),
      };
    }
    const [, pairConsumed, accountReservedFlag] = answer;
    const accountReserved = accountReservedFlag === 1;

    const giveBack = async (rightPassword: boolean) => {
      await giveBackScript(redis, {
        keys: [keys.pair, keys.ip, keys.account, keys.known],
        arguments: [
          String(window),
          rightPassword ? '1' : '0',
          accountReserved ? '1' : '0',
          String(KNOWN_SOURCE_TTL_IN_SECONDS),
        ],
      });
    };

    return {
      allowed: true,
      succeeded: () => giveBack(true),
      abandoned: () => giveBack(false),
      async failed() {
        // The username joins the source's failing ones of the day (the spraying limit).
        await redis
          .multi()
          .sAdd(sprayKey(ip), username)
          .expire(sprayKey(ip), SPRAY_MEMORY_IN_SECONDS, 'NX')
          .exec();
        // Only the failure that holds the last allowed point starts the lock (exactly one does).
        if (pairConsumed !== limits.maxFailures) return { lockStarted: false, lockSeconds: 0 };
        const strike = await strikes.consume(key);
        const lockSeconds = Math.min(
          limits.durationInMinutes * 60 * 2 ** Math.min(strike.consumedPoints - 1, 20),
          limits.maxDurationInMinutes * 60,
        );
        await pair.block(key, lockSeconds);
        await mark(username, lockSeconds);
        return { lockStarted: true, lockSeconds };
      },
    };
  }

  /** Deletes every key of these limiters whose name starts with `start` (SCAN, unlock only). */
  async function deleteMatching(start: string): Promise<void> {
    for await (const keys of redis.scanIterator({ MATCH: `${escapeGlob(start)}*`, COUNT: 1000 })) {
      if (keys.length) await redis.del(keys);
    }
  }

  return {
    reserve,
    async isLocked(username: string): Promise<boolean> {
      return (await marker.get(name(username))) !== null;
    },
    /** Ends every lock and throttle of the account, from every source, and its escalation. */
    async reset(username: string): Promise<void> {
      await Promise.all([
        marker.delete(name(username)),
        account.delete(name(username)),
        deleteMatching(`${keyPrefix}login-pair:${name(username)}|`),
        deleteMatching(`${keyPrefix}login-strikes:${name(username)}|`),
      ]);
    },
    /** Which of these usernames are locked or throttled now (one lookup each, pipelined). */
    async lockedAmong(usernames: string[]): Promise<Set<string>> {
      const results = await Promise.all(usernames.map((u) => marker.get(name(u))));
      return new Set(usernames.filter((_, i) => results[i] !== null));
    },
    /**
     * Usernames locked now, found by SCAN over the markers (which also exist for unknown names):
     * at most `max` of them and at most `maxKeys` keys read, so a flood of failed attempts cannot
     * make one request walk Redis without end. `complete` is false when cut short.
     */
    async listLocked(
      max = 1000,
      maxKeys = 20_000,
    ): Promise<{ usernames: string[]; complete: boolean }> {
      const prefix = `${keyPrefix}login-locked:`;
      const usernames: string[] = [];
      let seen = 0;
      for await (const keys of redis.scanIterator({
        MATCH: `${escapeGlob(prefix)}*`,
        COUNT: 1000,
      })) {
        for (const k of keys) usernames.push(decodeURIComponent(k.slice(prefix.length)));
        seen += keys.length;
        if (usernames.length >= max || seen >= maxKeys) {
          return { usernames: usernames.slice(0, max), complete: false };
        }
      }
      return { usernames, complete: true };
    },
  };
}

export type Lockout = ReturnType<typeof createLockout>;

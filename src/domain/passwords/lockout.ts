import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RedisClientType } from 'redis';
import type { LoginLimits } from '../../config/login-limits';
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

const rejected = (err: unknown): RateLimiterRes => {
  if (err instanceof RateLimiterRes) return err;
  throw err;
};
const seconds = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000));
const escapeGlob = (s: string) => s.replace(/[*?[\]\\]/g, '\\$&');

/**
 * Brute-force limits in Redis (rate-limiter-flexible), shared by every app instance; see
 * {@link LoginLimits} for the three counters and why they differ. {@link reserve} takes the
 * decision atomically BEFORE any hash is verified: each attempt consumes its point first, so N
 * parallel attempts cost at most the allowed number of verifications, and a right password sent
 * after the limit was reached is refused like any other. Usernames are counted whether or not
 * they exist, so a lock tells nothing about existence (and skipping the hash for it is safe).
 */
export function createLockout(redis: RedisClientType, keyPrefix: string, limits: LoginLimits) {
  const window = limits.windowInMinutes * 60;
  const limiter = (name: string, points: number, duration: number, blockDuration = 0) =>
    new RateLimiterRedis({
      storeClient: redis,
      useRedisPackage: true,
      keyPrefix: `${keyPrefix}login-${name}`,
      points,
      duration,
      blockDuration,
    });
  // The pair is blocked explicitly by the failure that reaches the limit, for its full (escalated)
  // duration from then on, rather than until the window of the first failure ends.
  const pair = limiter('pair', limits.maxFailures, window);
  const strikes = limiter('strikes', 1_000_000, ESCALATION_MEMORY_IN_SECONDS);
  // Slows, never blocks: once the window ends the account is heard again from everywhere.
  const account = limiter('account', limits.maxFailuresPerAccount, window);
  const perIp = limiter(
    'ip',
    limits.maxFailuresPerIp,
    window,
    limits.ipBlockDurationInMinutes * 60,
  );
  // The establishments' own networks: many people behind one address, higher limits.
  const perTrustedIp = limiter(
    'ip-trusted',
    limits.trusted.maxFailuresPerIp,
    window,
    limits.ipBlockDurationInMinutes * 60,
  );
  const trusted = networkMatcher(limits.trustedNetworks);
  const sprayKey = (source: string) => `${keyPrefix}login-spray:${source}`;
  // What admins see: a key per username that lives as long as its longest lock or throttle.
  const marker = limiter('locked', 1, window);

  const name = (username: string) => encodeURIComponent(username);
  const pairKey = (username: string, ip: string) => `${name(username)}|${ip}`;
  const knownKey = (username: string, ip: string) =>
    `${keyPrefix}login-known:${pairKey(username, ip)}`;

  /** Marks the account as locked for admins for at least `secs` seconds. */
  async function mark(username: string, secs: number): Promise<void> {
    const current = await marker.get(name(username));
    if (!current || current.msBeforeNext < secs * 1000) await marker.block(name(username), secs);
  }

  async function reserve(username: string, ipOrNull: string | null): Promise<Gate> {
    // An IPv6 /64 is one source (src/domain/passwords/source.ts).
    const ip = sourceOf(ipOrNull);
    const refuse = (reason: LimitRefusal, res: RateLimiterRes): Gate => ({
      allowed: false,
      reason,
      retryAfterSeconds: seconds(res),
    });
    const inTrusted = trusted(ipOrNull);
    // Spraying: a source past its distinct failing usernames of the day tries no new one.
    const sprayLimit = inTrusted
      ? limits.trusted.maxFailingUsernamesPerDay
      : limits.maxFailingUsernamesPerDay;
    const key = pairKey(username, ip);
    // Round trip 1: the source's failing usernames of the day, and whether this source logged in
    // to the account recently (then the account-wide limit does not apply to it: an attacker
    // elsewhere hammering the username slows everyone else down, not the ward PC).
    const [sprayed, tried, sprayTtl, knownCount] = (await redis
      .multi()
      .sCard(sprayKey(ip))
      .sIsMember(sprayKey(ip), username)
      .ttl(sprayKey(ip))
      .exists(knownKey(username, ip))
      .exec()) as unknown as [number, number | boolean, number, number];
    if (Number(sprayed) >= sprayLimit && !tried)
      return {
        allowed: false,
        reason: 'throttled_spray',
        retryAfterSeconds: Math.max(1, Number(sprayTtl)),
      };
    const known = Number(knownCount) === 1;
    const ipLimiter = inTrusted ? perTrustedIp : perIp;
    const ipLimit = inTrusted ? limits.trusted.maxFailuresPerIp : limits.maxFailuresPerIp;
    // Round trip 2: the three points reserved at once (node-redis pipelines them). Each counter
    // is atomic on its own; a refusal gives back the points taken by the counters it outranks,
    // as if they had not been asked.
    const [ipRes, pairRes, accountRes] = await Promise.all([
      ipLimiter.consume(ip).catch(rejected),
      pair.consume(key).catch(rejected),
      known ? null : account.consume(name(username)).catch(rejected),
    ]);
    const accountReserved = accountRes !== null;
    if (ipRes.consumedPoints > ipLimit) {
      await Promise.all([pair.reward(key), accountReserved && account.reward(name(username))]);
      return refuse(inTrusted ? 'throttled_network' : 'throttled_ip', ipRes);
    }
    if (pairRes.consumedPoints > limits.maxFailures) {
      if (accountReserved) await account.reward(name(username));
      return refuse('account_locked', pairRes);
    }
    if (accountRes && accountRes.consumedPoints > limits.maxFailuresPerAccount) {
      await pair.reward(key);
      if (accountRes.consumedPoints === limits.maxFailuresPerAccount + 1)
        await mark(username, seconds(accountRes));
      return refuse('throttled_account', accountRes);
    }

    return {
      allowed: true,
      async succeeded() {
        await Promise.all([
          pair.delete(key),
          ipLimiter.reward(ip),
          accountReserved ? account.reward(name(username)) : null,
          redis.set(knownKey(username, ip), '1', { EX: KNOWN_SOURCE_TTL_IN_SECONDS }),
        ]);
      },
      async abandoned() {
        await Promise.all([
          pair.reward(key),
          ipLimiter.reward(ip),
          accountReserved ? account.reward(name(username)) : null,
        ]);
      },
      async failed() {
        // The username joins the source's failing ones of the day (the spraying limit).
        await redis
          .multi()
          .sAdd(sprayKey(ip), username)
          .expire(sprayKey(ip), SPRAY_MEMORY_IN_SECONDS, 'NX')
          .exec();
        // Only the failure that holds the last allowed point starts the lock (exactly one does).
        if (pairRes.consumedPoints !== limits.maxFailures)
          return { lockStarted: false, lockSeconds: 0 };
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

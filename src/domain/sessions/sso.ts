import { randomBytes } from 'node:crypto';
import type { RedisClientType } from 'redis';
import { createOidcRedisAdapter } from '../../redis/oidc-adapter';
import { luaScript } from '../../shared/lua-script';

/** A module signed into from one HIS session: its client, the grant, the person's `sub`. */
export interface SsoSignIn {
  clientId: string;
  grantId: string;
  sub: string;
  /** The `sid` of the module's ID token (its logout token names it), once a code was issued. */
  sid?: string;
}

/** Most queued logouts one call takes (see {@link createSsoRegistry}'s `takeQueued`). */
const QUEUE_BATCH = 100;

/**
 * How long an instance holds the queued logouts it took: longer than a delivery with all its
 * retries (1 s, 5 s, 30 s and the attempts). Not finished by then — the instance stopped or
 * died — they are taken again, by any instance.
 */
export const QUEUE_LEASE_IN_MS = 120_000;

/**
 * Takes up to ARGV[3] queued logouts under a lease ending at ARGV[2]: first those whose lease
 * ended before ARGV[1] (now), then new ones from the list. KEYS[1]: the list; KEYS[2]: the
 * leases (a sorted set: each logout's JSON, scored by its lease's end).
 */
const takeLeased = luaScript(`
local taken = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local room = tonumber(ARGV[3]) - #taken
if room > 0 then
  local fresh = redis.call('LPOP', KEYS[1], room)
  if fresh then
    for _, v in ipairs(fresh) do table.insert(taken, v) end
  end
end
for _, v in ipairs(taken) do redis.call('ZADD', KEYS[2], ARGV[2], v) end
if #taken > 0 then redis.call('EXPIRE', KEYS[2], ARGV[4]) end
return taken`);

/** A queued logout taken by {@link createSsoRegistry}'s `takeQueued`, until it is finished. */
export interface QueuedSignIn {
  signIn: SsoSignIn;
  /** What `finishQueued` is given once the module was told (or given up on). */
  receipt: string;
}

/**
 * Single sign-on bookkeeping: each HIS session that signs into a module through the OpenID
 * Provider carries an `ssoId` (kept across its session-id changes); the provider's grants point
 * at it, and it lists the modules signed into, so that when the HIS session ends — logout, an
 * administrator, a timeout — every module is told (back-channel logout) and its tokens revoked.
 * The provider registers what to do at an end with {@link onEnd}; the session code calls
 * {@link end}. Where no provider listens — the CLI, or an instance whose provider is not built
 * yet — the ended sign-ins wait in a Redis list until an instance of the app takes them
 * ({@link takeQueued}) and tells the modules. Keys live as long as an HIS session can.
 */
export function createSsoRegistry(redis: RedisClientType, keyPrefix: string, ttlInSeconds: number) {
  const grantKey = (grantId: string) => `${keyPrefix}oidc:his-grant:${grantId}`;
  const signInsKey = (ssoId: string) => `${keyPrefix}oidc:his-sso:${ssoId}`;
  const sidKey = (grantId: string) => `${keyPrefix}oidc:his-sid:${grantId}`;
  const queueKey = `${keyPrefix}oidc:logout-queue`;
  const leasesKey = `${keyPrefix}oidc:logout-leases`;
  const listeners: ((signIns: SsoSignIn[]) => Promise<void>)[] = [];
  // The provider's storage: a grant and its tokens are deleted here, wherever the session ends
  // (the CLI too, where no provider runs to send the back-channel logout).
  const grants = createOidcRedisAdapter(redis, keyPrefix)('Grant');

  return {
    newSsoId: () => randomBytes(16).toString('base64url'),

    /** Records a grant issued to `clientId` from the HIS session `ssoId`. */
    async record(ssoId: string, userId: number, signIn: SsoSignIn): Promise<void> {
      await redis
        .multi()
        .set(grantKey(signIn.grantId), JSON.stringify({ ssoId, userId }), { EX: ttlInSeconds })
        .hSet(signInsKey(ssoId), signIn.grantId, JSON.stringify(signIn))
        .expire(signInsKey(ssoId), ttlInSeconds)
        .exec();
    },

    /**
     * The `sid` the provider gave the module's sign-in of `grantId` (one write: on the same
     * connection it lands before any later end of the session reads it).
     */
    async noteSid(grantId: string, sid: string): Promise<void> {
      await redis.set(sidKey(grantId), sid, { EX: ttlInSeconds });
    },

    /** The HIS session a grant came from, or null when unknown (or its session ended). */
    async sessionOfGrant(grantId: string): Promise<{ ssoId: string; userId: number } | null> {
      const value = await redis.get(grantKey(grantId));
      return value ? (JSON.parse(value) as { ssoId: string; userId: number }) : null;
    },

    onEnd(listener: (signIns: SsoSignIn[]) => Promise<void>): void {
      listeners.push(listener);
    },

    /** The HIS session `ssoId` ended: its modules are told, its grants forgotten. */
    async end(ssoId: string | undefined): Promise<void> {
      if (!ssoId) return;
      const entries = await redis.hGetAll(signInsKey(ssoId));
      const signIns = Object.values(entries ?? {}).map((v) => JSON.parse(v) as SsoSignIn);
      if (signIns.length === 0) return;
      const sids = await redis.mGet(signIns.map((s) => sidKey(s.grantId)));
      signIns.forEach((signIn, i) => {
        if (sids[i]) signIn.sid = sids[i];
      });
      await redis.del([
        signInsKey(ssoId),
        ...signIns.flatMap((s) => [grantKey(s.grantId), sidKey(s.grantId)]),
      ]);
      // The grant and every token issued under it, here whoever ended the session.
      await Promise.all(
        signIns.flatMap((s) => [grants.revokeByGrantId(s.grantId), grants.destroy(s.grantId)]),
      );
      if (listeners.length === 0) {
        await redis
          .multi()
          .rPush(
            queueKey,
            signIns.map((s) => JSON.stringify(s)),
          )
          .expire(queueKey, ttlInSeconds)
          .exec();
        return;
      }
      for (const listener of listeners) await listener(signIns);
    },

    /**
     * Ended sign-ins no provider was there to tell (see above), at most a batch, each taken by
     * one instance under a lease ({@link QUEUE_LEASE_IN_MS}) until {@link finishQueued}: an
     * instance that dies before telling the modules leaves them to the next one.
     */
    async takeQueued(now: Date): Promise<QueuedSignIn[]> {
      const taken = (await takeLeased(redis, {
        keys: [queueKey, leasesKey],
        arguments: [
          String(now.getTime()),
          String(now.getTime() + QUEUE_LEASE_IN_MS),
          String(QUEUE_BATCH),
          String(ttlInSeconds),
        ],
      })) as string[];
      return taken.map((receipt) => ({ signIn: JSON.parse(receipt) as SsoSignIn, receipt }));
    },

    /** These taken logouts are done with (delivered, or given up on and audited). */
    async finishQueued(receipts: string[]): Promise<void> {
      if (receipts.length > 0) await redis.zRem(leasesKey, receipts);
    },
  };
}

export type SsoRegistry = ReturnType<typeof createSsoRegistry>;

import type { RedisClientType } from 'redis';

/** oidc-provider's stored payloads, as its adapter interface passes them (plain JSON objects). */
type Payload = Record<string, unknown> & { grantId?: string; uid?: string; consumed?: unknown };

/** Kinds of record tied to a grant: revoking the grant removes them all. */
const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
]);

/** Kinds of record used once: kept as a hash whose `consumed` field marks the use. */
const CONSUMABLE = new Set(['AuthorizationCode', 'RefreshToken', 'DeviceCode']);

/**
 * The OpenID Provider's storage in Redis (codes, sessions, interactions, grants, tokens), shared
 * by every instance, under the app's key prefix (`oidc:`). Each record expires with its own TTL;
 * the grant's index lists the tokens issued under it, so revoking a grant (a logout, a disabled
 * person) deletes them all. The shape follows oidc-provider's reference Redis adapter.
 */
export function createOidcRedisAdapter(
  redis: RedisClientType,
  keyPrefix: string,
): (model: string) => {
  upsert(id: string, payload: Payload, expiresIn?: number): Promise<void>;
  find(id: string): Promise<Payload | undefined>;
  findByUid(uid: string): Promise<Payload | undefined>;
  findByUserCode(userCode: string): Promise<Payload | undefined>;
  consume(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
} {
  const prefix = `${keyPrefix}oidc:`;
  const grantKey = (grantId: string) => `${prefix}grant:${grantId}`;
  const uidKey = (uid: string) => `${prefix}uid:${uid}`;

  return (model) => {
    const key = (id: string) => `${prefix}${model}:${id}`;
    const consumable = CONSUMABLE.has(model);

    const find = async (id: string): Promise<Payload | undefined> => {
      if (consumable) {
        const data = await redis.hGetAll(key(id));
        if (!data?.payload) return undefined;
        const payload = JSON.parse(data.payload) as Payload;
        return data.consumed ? { ...payload, consumed: Number(data.consumed) } : payload;
      }
      const data = await redis.get(key(id));
      return data ? (JSON.parse(data) as Payload) : undefined;
    };

    return {
      async upsert(id, payload, expiresIn) {
        const k = key(id);
        const multi = redis.multi();
        if (consumable) {
          multi.del(k);
          multi.hSet(k, 'payload', JSON.stringify(payload));
          if (expiresIn) multi.expire(k, expiresIn);
        } else if (expiresIn) multi.set(k, JSON.stringify(payload), { EX: expiresIn });
        else multi.set(k, JSON.stringify(payload));
        if (GRANTABLE.has(model) && payload.grantId) {
          const g = grantKey(payload.grantId);
          multi.rPush(g, k);
          // The index lives as long as its longest token (a week at most: refresh tokens).
          if (expiresIn) multi.expire(g, Math.max(expiresIn, 7 * 86_400), 'GT');
          multi.expire(g, Math.max(expiresIn ?? 0, 7 * 86_400), 'NX');
        }
        if (payload.uid && expiresIn) multi.set(uidKey(payload.uid), id, { EX: expiresIn });
        await multi.exec();
      },
      find,
      async findByUid(uid) {
        const id = await redis.get(uidKey(uid));
        return id ? find(id) : undefined;
      },
      async findByUserCode() {
        return undefined; // the device flow is not enabled
      },
      async consume(id) {
        await redis.hSet(key(id), 'consumed', String(Math.floor(Date.now() / 1000)));
      },
      async destroy(id) {
        await redis.del(key(id));
      },
      async revokeByGrantId(grantId) {
        const g = grantKey(grantId);
        const keys = await redis.lRange(g, 0, -1);
        await redis.del([...keys, g]);
      },
    };
  };
}

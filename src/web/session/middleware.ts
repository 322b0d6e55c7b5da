import session, { type SessionData } from 'express-session';
import { RedisStore } from 'connect-redis';
import type { RedisClientType } from 'redis';
import type { Config } from '../../config';
import { refuseEndedSessions } from '../../domain/sessions/ended-sessions';
import { ENDED_MARK_PREFIX, type SessionEnds } from '../../domain/sessions/session-ends';
import { agreementKey } from '../../domain/agreements/current-version';
import { luaScript } from '../../shared/lua-script';

export const SESSION_COOKIE = 'his.sid';

/**
 * The session cookie's attributes: express-session sets the cookie with them, and a cookie naming
 * no session is cleared with them (src/web/session/timeouts.ts).
 */
export const sessionCookieOptions = (config: Config) =>
  ({
    httpOnly: true,
    sameSite: 'lax',
    secure: config.session.cookieSecure,
    path: '/',
  }) as const;

type Callback = (err?: unknown, data?: unknown) => unknown;

/**
 * The session and, when it is signed in, its user's cached identity and the confidentiality
 * agreement's version in force, in one round trip: the identity key is named by the session's own
 * `auth.userId`, which only the server knows once the session is read. (Computed keys: fine on one
 * Redis or behind Sentinel, not on Redis Cluster.)
 */
const sessionAndIdentity = luaScript(`
local s = redis.call('GET', KEYS[1])
if not s then return {false, false, false} end
local ok, data = pcall(cjson.decode, s)
if ok and type(data) == 'table' and type(data.auth) == 'table' and type(data.auth.userId) == 'number' then
  return {s, redis.call('GET', ARGV[1] .. string.format('%d', data.auth.userId)), redis.call('GET', ARGV[2])}
end
return {s, false, false}`);

/** What a signed-in session's read brought along: the identity's and the agreement's keys. */
export interface Prefetched {
  /** The cached identity's JSON; null when the key was absent (the cache reads PostgreSQL). */
  identity: string | null;
  /** The agreement version in force as stored; null when the key was absent. */
  agreement: string | null;
}

/** How long an identity read with its session waits for the request to take it. */
const PREFETCH_TTL_MS = 10_000;

/** Keys a session may hold while it is only an e-ID login on its way to the provider. */
const FLOW_ONLY_KEYS = new Set(['cookie', 'eidFlow', 'flash', 'csrfToken', 'eidReturnTo']);

/**
 * connect-redis, plus the session's end record ({@link SessionEnds}): every save of a signed-in
 * session rewrites it in the same script as the session (one round trip, one script), and every
 * destroy removes it, so a session ended on purpose (logout, a new id at login, an administrator) can
 * never be mistaken later for one that expired.
 */
class SessionStore extends RedisStore {
  /** Identities read along with their session, until the request's `identify` takes them. */
  private readonly prefetched = new Map<string, Prefetched & { at: number }>();

  constructor(
    options: Omit<ConstructorParameters<typeof RedisStore>[0], 'ttl'>,
    /** A session's lifetime in Redis, in seconds (connect-redis's `ttl`, kept for `set`). */
    private readonly ttlOf: (sess: SessionData) => number,
    private readonly ends: SessionEnds,
    private readonly redis: RedisClientType,
    private readonly identityPrefix: string,
    private readonly agreementKey: string,
  ) {
    super({ ...options, ttl: ttlOf });
  }

  override async get(
    sid: string,
    cb?: (err: unknown, data?: SessionData | null) => void,
  ): Promise<unknown> {
    try {
      const [session, identity, agreement] = (await sessionAndIdentity(this.redis, {
        keys: [this.prefix + sid],
        arguments: [this.identityPrefix, this.agreementKey],
      })) as [string | null, string | null, string | null];
      if (!session) return cb ? cb(null, null) : null;
      const data = JSON.parse(session) as SessionData;
      if (data.auth) this.remember(sid, { identity, agreement });
      return cb ? cb(null, data) : data;
    } catch (err) {
      if (cb) return cb(err);
      throw err;
    }
  }

  /**
   * A session read outside of a request (the session index: an administrator's list, a module's
   * token request): the session only, nothing kept for a request's `identify` to take.
   */
  async peek(sid: string): Promise<SessionData | null> {
    return (await super.get(sid)) as SessionData | null;
  }

  /**
   * What was read with this session during this request (the cached identity, the agreement
   * version), once; undefined when nothing was read.
   */
  takePrefetched(sid: string): Prefetched | undefined {
    const entry = this.prefetched.get(sid);
    if (!entry) return undefined;
    this.prefetched.delete(sid);
    return entry;
  }

  private remember(sid: string, read: Prefetched): void {
    const now = Date.now();
    // Entries a request never took (it ended before `identify`) are dropped as others arrive.
    if (this.prefetched.size > 256)
      for (const [key, entry] of this.prefetched)
        if (now - entry.at > PREFETCH_TTL_MS) this.prefetched.delete(key);
    this.prefetched.set(sid, { ...read, at: now });
  }

  override async set(sid: string, sess: SessionData, cb?: Callback): Promise<unknown> {
    try {
      const ttl = this.ttlOf(sess);
      // A signed-in session and its end record in one script (SessionEnds.save); any other
      // session through connect-redis, whose client refuses a session that has ended.
      if (sess.auth && ttl > 0) {
        const value = this.serializer.stringify(sess);
        await this.ends.save(sid, sess.auth, { key: this.prefix + sid, value, ttlInSeconds: ttl });
      } else {
        await super.set(sid, sess);
      }
    } catch (err) {
      if (cb) return cb(err);
      throw err;
    }
    return cb?.();
  }

  override async destroy(sid: string, cb?: Callback): Promise<unknown> {
    try {
      await Promise.all([super.destroy(sid), this.ends.remove(sid)]);
    } catch (err) {
      if (cb) return cb(err);
      throw err;
    }
    return cb?.();
  }
}

/**
 * express-session backed by Redis. The Redis TTL is the idle timeout, set again by every save;
 * the server-side checks in {@link enforceSessionTimeouts} use the injected clock.
 *
 * `disableTouch`: express-session would otherwise send an EXPIRE on every request that changed
 * nothing (a write per page view). The idle check saves the session at least once a minute of
 * activity (its `lastSeenAt`), and each save restarts the TTL, so the key still outlives the
 * server-side idle window: a plain page view reads the session, the identity and the agreement version, and writes
 * nothing (test/integration/session-writes.test.ts counts it).
 *
 * A session that holds nothing but an e-ID login on its way to the provider (GET /auth/eid from
 * the login page, a link anyone can follow in a loop) lives only as long as that login may take.
 */
export function createSessionMiddleware(config: Config, redis: RedisClientType, ends: SessionEnds) {
  const idle = config.session.idleTimeoutInMinutes * 60;
  const flowOnly = Math.min(idle, config.eid.flowTtlInMinutes * 60);
  const prefix = `${config.redis.keyPrefix}sess:`;
  const store = new SessionStore(
    {
      // A session ended on purpose is never written back by a request still running on it.
      client: refuseEndedSessions(
        redis,
        prefix,
        `${config.redis.keyPrefix}${ENDED_MARK_PREFIX}`,
        idle,
      ),
      prefix,
      disableTouch: true,
    },
    (sess) =>
      sess.eidFlow && Object.keys(sess).every((key) => FLOW_ONLY_KEYS.has(key)) ? flowOnly : idle,
    ends,
    redis,
    `${config.redis.keyPrefix}identity:`,
    agreementKey(config.redis.keyPrefix),
  );
  const middleware = session({
    name: SESSION_COOKIE,
    store,
    secret: config.session.secret,
    resave: false,
    saveUninitialized: false,
    rolling: false,
    proxy: undefined,
    cookie: {
      ...sessionCookieOptions(config),
      // No maxAge: a browser cookie that ends with the browser, as shared PCs want.
    },
  });
  return { middleware, store };
}

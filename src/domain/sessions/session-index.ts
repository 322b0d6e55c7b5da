import { createHash } from 'node:crypto';
import type { RedisClientType } from 'redis';
import type { AuthenticatedSession } from './types';
import { createClosedSessions, type ClosedSession } from './closed-sessions';

/** One open session as its user's session list shows it. Times are epoch milliseconds. */
export interface SessionSummary {
  /** Names the session on a page without revealing its id (which must never leave the server). */
  handle: string;
  establishmentId: number;
  ip: string | null;
  userAgent: string | null;
  createdAt: number;
  lastSeenAt: number;
}

/**
 * What the index needs of the session store (express-session's, wired in the root): read a
 * session's signed-in part outside of a request and destroy a session, both by id.
 */
export interface SessionStoreAccess {
  peek(sid: string): Promise<{ auth?: AuthenticatedSession } | null>;
  destroy(sid: string, cb: (err?: unknown) => void): void;
}

export const sessionHandle = (sid: string): string =>
  createHash('sha256').update(sid).digest('base64url').slice(0, 22);

/**
 * Per-user set of open session ids in Redis, so that an administrator (or a disable) can list
 * and end every session of a user. Sessions end in many ways (logout, timeouts, Redis TTL), so
 * nobody removes entries one by one: the set drops the ids whose session is gone whenever it is
 * read or added to, and the whole set expires once no session of it can still be alive.
 */
export function createSessionIndex(
  redis: RedisClientType,
  keyPrefix: string,
  store: SessionStoreAccess,
  lifetimeInSeconds: number,
  /** Tells the modules a session signed into (back-channel logout) when it is ended here. */
  sso?: { end(ssoId: string | undefined): Promise<void> },
) {
  // Why a session ended outlives it by a day: its holder may come back the next shift.
  const closed = createClosedSessions(redis, keyPrefix, lifetimeInSeconds + 24 * 3600);
  const key = (userId: number) => `${keyPrefix}user-sessions:${userId}`;
  const sessionKey = (sid: string) => `${keyPrefix}sess:${sid}`;

  /**
   * Live session ids of the user; dead ones are removed from the set. The checks go out together
   * (node-redis pipelines commands sent in the same tick): one round trip, not one per session.
   */
  async function list(userId: number): Promise<string[]> {
    const ids = await redis.sMembers(key(userId));
    const alive = await Promise.all(ids.map((sid) => redis.exists(sessionKey(sid))));
    const dead = ids.filter((_, i) => !alive[i]);
    if (dead.length > 0) await redis.sRem(key(userId), dead);
    return ids.filter((_, i) => alive[i]);
  }

  const read = (sid: string) => store.peek(sid);
  /** The user's live sessions with their signed-in part, read together (one round trip). */
  const opened = async (userId: number) => {
    const sids = await list(userId);
    const data = await Promise.all(sids.map(read));
    return sids.map((sid, i) => ({ sid, auth: data[i]?.auth }));
  };
  const destroy = (sid: string) =>
    new Promise<void>((resolve, reject) =>
      store.destroy(sid, (err) => (err ? reject(err) : resolve())),
    );
  /** Ends one session, leaving why for the login page to tell its holder. */
  const close = async (sid: string, why: ClosedSession) => {
    const ssoId = sso ? (await read(sid))?.auth?.ssoId : undefined;
    await closed.mark(sid, why);
    await destroy(sid);
    await sso?.end(ssoId);
  };

  return {
    list,
    /** Why sessions ended by someone else ended, for the login page (see ClosedSessions). */
    closed,
    /** The user's open sessions with where and when each started, most recently active first. */
    async summaries(userId: number): Promise<SessionSummary[]> {
      const summaries: SessionSummary[] = [];
      for (const { sid, auth } of await opened(userId)) {
        if (auth?.userId !== userId) continue;
        summaries.push({
          handle: sessionHandle(sid),
          establishmentId: auth.establishmentId,
          ip: auth.ip ?? null,
          userAgent: auth.userAgent ?? null,
          createdAt: auth.createdAt,
          lastSeenAt: auth.lastSeenAt,
        });
      }
      return summaries.sort((a, b) => b.lastSeenAt - a.lastSeenAt);
    },
    /** Ends the user's session named by `handle`; false when the user has no such session. */
    async end(userId: number, handle: string, why: ClosedSession): Promise<boolean> {
      const sid = (await list(userId)).find((s) => sessionHandle(s) === handle);
      if (!sid) return false;
      await close(sid, why);
      await redis.sRem(key(userId), sid);
      return true;
    },
    /** The user's open session that signed into modules as `ssoId` (its data), or null. */
    async findBySso(userId: number, ssoId: string): Promise<AuthenticatedSession | null> {
      // Asked for every token and UserInfo request of a module.
      const found = (await opened(userId)).find(
        ({ auth }) => auth?.userId === userId && auth.ssoId === ssoId,
      );
      return found?.auth ?? null;
    },
    async add(userId: number, sid: string): Promise<void> {
      await list(userId);
      await redis.multi().sAdd(key(userId), sid).expire(key(userId), lifetimeInSeconds).exec();
    },
    /** Destroys every session of the user; returns how many were open. */
    async endAll(userId: number, why: ClosedSession): Promise<number> {
      const ids = await list(userId);
      await Promise.all(ids.map((sid) => close(sid, why)));
      await redis.del(key(userId));
      return ids.length;
    },
    /** Destroys every session of the user except `keepSid` (the caller's); returns how many. */
    async endOthers(userId: number, keepSid: string, why: ClosedSession): Promise<number> {
      const others = (await list(userId)).filter((sid) => sid !== keepSid);
      for (const sid of others) {
        await close(sid, why);
        await redis.sRem(key(userId), sid);
      }
      return others.length;
    },
    /** How many of the user's open sessions work in the establishment. */
    async countIn(userId: number, establishmentId: number): Promise<number> {
      const sessions = await opened(userId);
      return sessions.filter(({ auth }) => auth?.establishmentId === establishmentId).length;
    },
    /** Destroys the user's sessions that work in the establishment; returns how many. */
    async endIn(userId: number, establishmentId: number, why: ClosedSession): Promise<number> {
      let ended = 0;
      for (const sid of await list(userId)) {
        if ((await read(sid))?.auth?.establishmentId !== establishmentId) continue;
        await close(sid, why);
        await redis.sRem(key(userId), sid);
        ended++;
      }
      return ended;
    },
  };
}

export type SessionIndex = ReturnType<typeof createSessionIndex>;

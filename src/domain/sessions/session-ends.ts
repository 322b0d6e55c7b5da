import type { RedisClientType } from 'redis';
import type { Clock } from '../../shared/clock';
import type { Config } from '../../config';
import type { AuthenticatedSession } from './types';
import { sessionDeadline, type ExpiryReason } from './deadline';
import { luaScript } from '../../shared/lua-script';

/**
 * How long the record outlives the longest possible session: a person who comes back the next
 * shift with the same browser still gets the notice.
 */
const MARGIN_IN_SECONDS = 24 * 3600;

/**
 * Where a session ended on purpose leaves its "ended" mark (src/domain/sessions/ended-sessions.ts, wired
 * in the session store): a request that loaded the session before it ended must not write its
 * record back either, or the old cookie would later read as an expiry.
 */
export const ENDED_MARK_PREFIX = 'sess-ended:';

/**
 * A signed-in session's save, with what is kept to tell its end: the session itself, its due time
 * always, the record only when it changed (at login and at an establishment switch, not with
 * each once-a-minute save) — and nothing at all once the session carries the ended mark (a
 * request that loaded it before a logout must not write it back). One script, so the save and
 * its record can never part. The set's TTL is reset when a session joins it, so it outlives
 * every record in it.
 */
const saveUnlessEnded = luaScript(`
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
if redis.call('GET', KEYS[3]) ~= ARGV[3] then
  redis.call('SET', KEYS[3], ARGV[3], 'EX', ARGV[4])
end
if redis.call('ZADD', KEYS[4], ARGV[5], ARGV[6]) == 1 then
  redis.call('EXPIRE', KEYS[4], ARGV[7])
end
return 1`);

/**
 * The sweep's step for one due session, atomic: take its due-set entry if it is still due, and
 * keep its due time in the record (for the notice when the person comes back). Returns the score
 * and the record, or nil when the entry was gone or no longer due.
 */
const takeDue = luaScript(`
local score = redis.call('ZSCORE', KEYS[2], ARGV[1])
if not score or tonumber(score) > tonumber(ARGV[2]) then return nil end
redis.call('ZREM', KEYS[2], ARGV[1])
local raw = redis.call('GET', KEYS[1])
if not raw then return {score, ''} end
local record = cjson.decode(raw)
record.at = tonumber(score)
redis.call('SET', KEYS[1], cjson.encode(record), 'KEEPTTL')
return {score, raw}`);

/** What is kept of a signed-in session to tell "expired" from "never existed" once it is gone. */
export interface SessionEndRecord {
  userId: number;
  establishmentId: number;
  createdAt: number;
  /** The modules it signed into, to be told when it expires (src/domain/sessions/sso.ts). */
  ssoId?: string;
  /** Its due time, once the sweep has audited it (the due-set entry is gone then). */
  at?: number;
}

/** When (epoch ms) and why a session ended on its own, with who it was. */
export interface SessionEnd extends SessionEndRecord {
  reason: ExpiryReason;
  at: number;
}

/** A claimed record: `audit` is true for the one caller that must write the expiry's row. */
export interface ClaimedEnd {
  end: SessionEnd | null;
  audit: boolean;
}

/**
 * One small Redis key per signed-in session, `<prefix>sess-end:<sid>`, rewritten with every save
 * of the session (its `lastSeenAt` moves at most once a minute) and removed whenever the session
 * is destroyed on purpose (logout, a new id at login, an administrator ending it); never written
 * again once the session carries the ended mark. It lives until the session's absolute end plus a
 * margin, so when Redis drops the session by its idle TTL the record says who it was and when it
 * expired.
 *
 * Beside it, the sorted set `<prefix>sess-ends` holds each session id scored by the time it will
 * expire if nothing happens. Removing an id from it (ZREM answers 1 to one caller only) is the
 * right to write that expiry's audit row, whoever gets there first: the person's next request,
 * a module's /auth/verify, or the sweep that audits sessions nobody comes back to.
 */
export function createSessionEnds(
  redis: RedisClientType,
  keyPrefix: string,
  clock: Clock,
  timeouts: Config['session'],
) {
  const key = (sid: string) => `${keyPrefix}sess-end:${sid}`;
  const dueKey = `${keyPrefix}sess-ends`;
  const longestInSeconds = timeouts.absoluteTimeoutInHours * 3600 + MARGIN_IN_SECONDS;
  const absoluteMs = timeouts.absoluteTimeoutInHours * 3_600_000;
  /** The record and its due time (the score: the earlier of the idle and absolute ends). */
  const endOf = (raw: unknown, score: unknown): SessionEnd | null => {
    if (typeof raw !== 'string' || raw === '') return null;
    const record = JSON.parse(raw) as SessionEndRecord;
    const at = record.at ?? (score === null || score === undefined ? NaN : Number(score));
    if (!Number.isFinite(at)) return null;
    const reason = at >= record.createdAt + absoluteMs ? 'absolute_timeout' : 'idle_timeout';
    return { ...record, reason, at };
  };
  const lifetimeInSeconds = (createdAt: number) =>
    Math.max(
      60,
      Math.ceil((createdAt + absoluteMs - clock.now().getTime()) / 1000) + MARGIN_IN_SECONDS,
    );

  return {
    key,
    /**
     * Saves a signed-in session (its key, serialized value and TTL, as the session store has
     * them) with its record and due time, in one script; false when the session had ended.
     */
    async save(
      sid: string,
      auth: AuthenticatedSession,
      session: { key: string; value: string; ttlInSeconds: number },
    ): Promise<boolean> {
      const record: SessionEndRecord = {
        userId: auth.userId,
        establishmentId: auth.establishmentId,
        createdAt: auth.createdAt,
        ...(auth.ssoId ? { ssoId: auth.ssoId } : {}),
      };
      const written = await saveUnlessEnded(redis, {
        keys: [session.key, `${keyPrefix}${ENDED_MARK_PREFIX}${sid}`, key(sid), dueKey],
        arguments: [
          session.value,
          String(session.ttlInSeconds),
          JSON.stringify(record),
          String(lifetimeInSeconds(auth.createdAt)),
          String(sessionDeadline(auth, timeouts).at),
          sid,
          String(longestInSeconds),
        ],
      });
      return Number(written) === 1;
    },
    /** The session was ended on purpose: nothing is left to tell. */
    async remove(sid: string): Promise<void> {
      await redis.multi().del(key(sid)).zRem(dueKey, sid).exec();
    },
    /** Takes the record of a session Redis no longer holds (atomically, with the right to audit). */
    async claim(sid: string): Promise<ClaimedEnd> {
      const [raw, score, removed] = (await redis
        .multi()
        .getDel(key(sid))
        .zScore(dueKey, sid)
        .zRem(dueKey, sid)
        .exec()) as unknown as [unknown, unknown, number];
      return { end: endOf(raw, score), audit: removed === 1 };
    },
    /**
     * For a session still in Redis but expired by the server's clock: removes its record and the
     * session key in one MULTI. The caller audits if it took the due-set entry, or, for a session
     * without a record (opened before records existed), if it deleted the key.
     */
    async claimLive(sid: string, sessionKey: string): Promise<boolean> {
      const [raw, removed, deleted] = (await redis
        .multi()
        .getDel(key(sid))
        .zRem(dueKey, sid)
        .del(sessionKey)
        .exec()) as unknown as [unknown, number, number];
      return removed === 1 || (raw === null && deleted === 1);
    },
    /**
     * For the sweep: the sessions whose expiry time has passed (at most `limit`) that this caller
     * took; their records stay, so the person who comes back still gets the notice.
     */
    async takeDue(now: number, limit: number): Promise<Array<{ sid: string } & ClaimedEnd>> {
      const due = await redis.zRangeByScoreWithScores(dueKey, '-inf', now, {
        LIMIT: { offset: 0, count: limit },
      });
      const taken: Array<{ sid: string } & ClaimedEnd> = [];
      for (const { value: sid } of due) {
        const reply = (await takeDue(redis, {
          keys: [key(sid), dueKey],
          arguments: [sid, String(now)],
        })) as [string, string] | null;
        if (reply) taken.push({ sid, end: endOf(reply[1], reply[0]), audit: true });
      }
      return taken;
    },
  };
}

export type SessionEnds = ReturnType<typeof createSessionEnds>;

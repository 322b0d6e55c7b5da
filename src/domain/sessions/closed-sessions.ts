import type { RedisClientType } from 'redis';

/**
 * Why a session was ended by something other than its holder's logout or a timeout: the login
 * page tells the person the next time their browser comes back with its cookie ("Un
 * administrador cerró su sesión"), instead of a bare login form.
 */
export type ClosedReason =
  /** An administrator ended this session, or all of them. */
  | 'admin_ended'
  /** The account was disabled. */
  | 'disabled'
  /** An administrator reset the password (a one-time password was handed over). */
  | 'password_reset'
  /** The person set a new password with the e-ID ("¿Olvidó su contraseña?"). */
  | 'password_changed'
  /** The person ended their other sessions from another PC ("Cerrar mis otras sesiones"). */
  | 'closed_elsewhere'
  /** The account's "válida hasta" day passed. */
  | 'account_expired'
  /** The assignment to the session's establishment reached its "válida hasta" day. */
  | 'assignment_expired'
  /** The establishment the session worked in was deactivated. */
  | 'establishment_deactivated'
  /** An administrator removed the session's establishment from the account. */
  | 'establishment_unassigned'
  /** An administrator moved the person from the session's establishment to another. */
  | 'establishment_moved'
  /** The session's establishment is no longer the person's (found at a request, cause unknown). */
  | 'establishment_unavailable';

export interface ClosedSession {
  reason: ClosedReason;
  /** The establishment the session worked in, for the reasons that concern it. */
  establishmentName?: string;
  /** Where the person was moved (`establishment_moved`). */
  movedTo?: string;
}

const REASONS = new Set<string>([
  'admin_ended',
  'disabled',
  'password_reset',
  'password_changed',
  'closed_elsewhere',
  'account_expired',
  'assignment_expired',
  'establishment_deactivated',
  'establishment_unassigned',
  'establishment_moved',
  'establishment_unavailable',
]);

const parse = (raw: string | null): ClosedSession | null => {
  if (!raw) return null;
  const value = JSON.parse(raw) as Partial<ClosedSession>;
  if (typeof value.reason !== 'string' || !REASONS.has(value.reason)) return null;
  return {
    reason: value.reason,
    ...(typeof value.establishmentName === 'string'
      ? { establishmentName: value.establishmentName }
      : {}),
    ...(typeof value.movedTo === 'string' ? { movedTo: value.movedTo } : {}),
  };
};

/**
 * One small key per session ended by someone else, `<prefix>sess-closed:<sid>`, written before
 * the session is destroyed and living as long as a session could (the person may come back the
 * next shift with the same browser). Read (peek) by any page the old cookie reaches, taken once
 * by the login page, which shows the notice.
 */
export function createClosedSessions(
  redis: RedisClientType,
  keyPrefix: string,
  lifetimeInSeconds: number,
) {
  const key = (sid: string) => `${keyPrefix}sess-closed:${sid}`;
  return {
    async mark(sid: string, closed: ClosedSession): Promise<void> {
      await redis.set(key(sid), JSON.stringify(closed), { EX: lifetimeInSeconds });
    },
    peek: async (sid: string): Promise<ClosedSession | null> => parse(await redis.get(key(sid))),
    take: async (sid: string): Promise<ClosedSession | null> => parse(await redis.getDel(key(sid))),
  };
}

export type ClosedSessions = ReturnType<typeof createClosedSessions>;

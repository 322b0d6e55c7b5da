/** How the person proved who they are. Stored in login_events.method. */
export type AuthMethod = 'classic' | 'eid';

/** Credentials (or e-ID) accepted; waiting for the establishment choice. Not yet a session. */
export interface PendingLogin {
  userId: number;
  method: AuthMethod;
  startedAt: number;
  degraded: boolean;
  warningDaysLeft: number | null;
}

/** An open session: the user chose an establishment. Times are epoch milliseconds. */
export interface AuthenticatedSession {
  userId: number;
  establishmentId: number;
  method: AuthMethod;
  createdAt: number;
  lastSeenAt: number;
  degraded: boolean;
  warningDaysLeft: number | null;
  /**
   * When the e-ID last proved who this is, in this session (epoch ms): the login itself when it
   * was an e-ID login, or "Verificar ahora". What the step-up of the admin and audit areas reads.
   */
  eidVerifiedAt?: number;
  /**
   * Set when the session first signs into a module through the OpenID Provider: what its grants
   * point at (src/domain/sessions/sso.ts), kept when the session id changes.
   */
  ssoId?: string;
  /** Where the session opened, for the user's session list (administrators, "Mis accesos"). */
  ip?: string | null;
  userAgent?: string | null;
}

/**
 * Shown once on the home page after a login: the session opened before this one and the failed
 * attempts on the account since (times are epoch milliseconds).
 */
export interface LastLoginNotice {
  /** Null when this is the account's first session (failures before it are still told). */
  previous: { at: number; ip: string | null; establishmentName: string | null } | null;
  failures: number;
}

/** A classic login refused for lack of a recent e-ID login; the e-ID must return this person. */
export interface ReauthDemand {
  userId: number;
  reason: string;
  monthsAgo: number | null;
  createdAt: number;
}

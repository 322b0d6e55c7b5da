/** The messages between the load side and the server side (the forked `--serve` process). */

/** What the server tells the load side once it listens. */
export interface Ready {
  port: number;
  usernames: string[];
  establishmentId: number;
  /** The app's LOCKOUT_MAX_FAILURES. */
  maxFailures: number;
  /** Accounts in each pool of the refused-login scenarios. */
  pools: { wrong: number; locked: number; disabled: number };
}

/** Load side → server: the audit rows of one pool after `since`; the reply is {@link Audit}. */
export interface AuditQuery {
  kind: 'audit';
  prefix: string;
  since: number;
}
export interface Audit {
  kind: 'audit';
  /** The newest login_events id: the `since` of a later query. */
  lastId: number;
  /** login_events.reason → rows, for the pool's usernames after `since`. */
  reasons: Record<string, number>;
  error?: string;
}
export const isAuditQuery = (msg: unknown): msg is AuditQuery =>
  typeof msg === 'object' && msg !== null && (msg as AuditQuery).kind === 'audit';

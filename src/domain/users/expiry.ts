import type { AdminEvent } from '../../storage/audit/admin-events';
import type { Repositories } from '../../storage/repositories';
import type { Clock } from '../../shared/clock';
import type { SessionIndex } from '../sessions/session-index';
import type { IdentityCache } from '../sessions/identity-cache';
import { SYSTEM_ACTOR } from '../audit/system';

export interface ExpiryDeps {
  repos: Repositories;
  clock: Clock;
  sessions: Pick<SessionIndex, 'endAll' | 'endIn'>;
  identities: Pick<IdentityCache, 'refresh'>;
}

/**
 * Records the accounts and assignments whose "válida hasta" day has passed, each once (actor
 * `sistema`, `users.expire` / `users.expireAssignment`), in the transaction that marks it; then
 * ends their sessions (the login page says why) and rewrites their cached identities. Their
 * logins and page views are refused from the end of the day on whether or not this has run;
 * this is the audit trail of it, and the end of sessions nobody comes back to. Every instance
 * may run it (src/main.ts, every minute): the marking takes each row once. Returns how many.
 */
export async function recordExpiries(deps: ExpiryDeps, limit = 200): Promise<number> {
  const now = deps.clock.now();
  const { repos } = deps;
  /** The system's audit row of one expiry of the user's. */
  const row = (
    action: 'users.expire' | 'users.expireAssignment',
    userId: number,
    details: Record<string, unknown>,
    regionIds: number[],
  ): AdminEvent => ({
    occurredAt: now,
    actorUserId: null,
    actorUsername: SYSTEM_ACTOR,
    action,
    outcome: 'success',
    targetType: 'user',
    targetId: String(userId),
    targetUserId: userId,
    details,
    establishmentId: null,
    regionIds,
    ip: null,
    userAgent: null,
  });
  const { accounts, assignments } = await repos.transaction(async (tx) => {
    const accounts = await repos.users.markExpiredAccounts(now, limit, tx);
    const assignments = await repos.users.markExpiredAssignments(now, limit, tx);
    const rows = [
      ...accounts.map((a) =>
        row(
          'users.expire',
          a.id,
          { validUntil: new Date(a.validUntil).toISOString() },
          a.regionIds ?? [],
        ),
      ),
      ...assignments.map((a) =>
        row(
          'users.expireAssignment',
          a.userId,
          {
            establishment: { id: a.establishmentId, code: a.code, name: a.name },
            validUntil: new Date(a.validUntil).toISOString(),
          },
          [a.regionId],
        ),
      ),
    ];
    if (rows.length) await repos.adminEvents.appendMany(rows, tx);
    return { accounts, assignments };
  });
  for (const a of accounts) await deps.sessions.endAll(a.id, { reason: 'account_expired' });
  for (const a of assignments)
    await deps.sessions.endIn(a.userId, a.establishmentId, {
      reason: 'assignment_expired',
      establishmentName: a.name,
    });
  const touched = [...accounts.map((a) => a.id), ...assignments.map((a) => a.userId)];
  if (touched.length) await deps.identities.refresh(...touched);
  return accounts.length + assignments.length;
}

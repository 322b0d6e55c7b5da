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
  const system = { actorUserId: null, actorUsername: SYSTEM_ACTOR, outcome: 'success' as const };
  const { accounts, assignments } = await repos.transaction(async (tx) => {
    const accounts = await repos.users.markExpiredAccounts(now, limit, tx);
    const assignments = await repos.users.markExpiredAssignments(now, limit, tx);
    for (const a of accounts)
      await repos.adminEvents.append(
        {
          ...system,
          occurredAt: now,
          action: 'users.expire',
          targetType: 'user',
          targetId: String(a.id),
          targetUserId: a.id,
          details: { validUntil: new Date(a.validUntil).toISOString() },
          establishmentId: null,
          regionIds: a.regionIds ?? [],
          ip: null,
          userAgent: null,
        },
        tx,
      );
    for (const a of assignments)
      await repos.adminEvents.append(
        {
          ...system,
          occurredAt: now,
          action: 'users.expireAssignment',
          targetType: 'user',
          targetId: String(a.userId),
          targetUserId: a.userId,
          details: {
            establishment: { id: a.establishmentId, code: a.code, name: a.name },
            validUntil: new Date(a.validUntil).toISOString(),
          },
          establishmentId: null,
          regionIds: [a.regionId],
          ip: null,
          userAgent: null,
        },
        tx,
      );
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

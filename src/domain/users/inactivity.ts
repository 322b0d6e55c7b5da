import type { Transaction } from 'sequelize';
import type { Repositories } from '../../storage/repositories';
import type { Clock } from '../../shared/clock';
import type { SessionIndex } from '../sessions/session-index';
import type { IdentityCache } from '../sessions/identity-cache';
import { SYSTEM_ACTOR } from '../audit/system';

const DAY = 86_400_000;

/**
 * The assignments to pause: not chosen at login for `days` (0 = never pause), except the one
 * chosen most recently — a person who has not logged in for months keeps the establishment they
 * used last (their account's own inactivity is another rule), and a resident who rotated keeps
 * the current rotation.
 */
export function pausedAssignments(
  assigned: { id: number; lastChosenAt: Date }[],
  now: Date,
  days: number,
): Set<number> {
  if (days <= 0 || assigned.length < 2) return new Set();
  const latest = Math.max(...assigned.map((a) => a.lastChosenAt.getTime()));
  const before = now.getTime() - days * DAY;
  return new Set(
    assigned
      .filter((a) => a.lastChosenAt.getTime() < before && a.lastChosenAt.getTime() < latest)
      .map((a) => a.id),
  );
}

/** When an account with this last activity will be disabled (null: the rule is off). */
export const disableDate = (lastActivity: Date, days: number): Date | null =>
  days > 0 ? new Date(lastActivity.getTime() + days * DAY) : null;

/** An account's last activity: its last login, its creation, or the re-enabling after a disable. */
export const lastActivityOf = (user: {
  lastLoginAt: Date | null;
  createdAt: Date;
  inactivityResetAt?: Date | null;
}): Date =>
  new Date(
    Math.max(
      (user.lastLoginAt ?? user.createdAt).getTime(),
      (user.inactivityResetAt ?? user.createdAt).getTime(),
    ),
  );

export interface InactivityDeps {
  repos: Repositories;
  clock: Clock;
  sessions: Pick<SessionIndex, 'endAll'>;
  identities: Pick<IdentityCache, 'refresh'>;
  days: number;
}

export interface InactiveAccount {
  id: number;
  username: string;
  fullName: string;
  lastActivity: Date;
}

/**
 * Disables the active accounts without a login for `days` (accounts never used count from their
 * creation): each one a system command, `users.disableInactive`, whose audit row commits with
 * the change; then its sessions end and its identity is rewritten. "Habilitar" undoes it (and
 * restarts the account's clock). With `dryRun`, only says who. At most `limit` per run.
 */
export async function disableInactiveAccounts(
  deps: InactivityDeps,
  options: { dryRun?: boolean; limit?: number } = {},
): Promise<InactiveAccount[]> {
  if (deps.days <= 0) return [];
  const now = deps.clock.now();
  const due = await deps.repos.users.inactiveSince(
    new Date(now.getTime() - deps.days * DAY),
    options.limit ?? 1000,
  );
  if (options.dryRun) return due;
  const done: InactiveAccount[] = [];
  for (const user of due) {
    const changed = await deps.repos.transaction(async (tx: Transaction) => {
      const current = await deps.repos.users.lockById(user.id, tx);
      if (current?.status !== 'active') return false;
      // Read again under the lock: a login meanwhile keeps the account.
      if (lastActivityOf(current).getTime() >= now.getTime() - deps.days * DAY) return false;
      await deps.repos.users.update(user.id, { status: 'disabled' }, tx);
      await deps.repos.adminEvents.append(
        {
          occurredAt: now,
          actorUserId: null,
          actorUsername: SYSTEM_ACTOR,
          action: 'users.disableInactive',
          outcome: 'success',
          targetType: 'user',
          targetId: String(user.id),
          targetUserId: user.id,
          details: {
            before: { status: 'active' },
            after: { status: 'disabled' },
            lastActivity: new Date(user.lastActivity).toISOString(),
            inactiveDays: deps.days,
          },
          establishmentId: null,
          regionIds: user.regionIds ?? [],
          ip: null,
          userAgent: null,
        },
        tx,
      );
      return true;
    });
    if (!changed) continue;
    await deps.sessions.endAll(user.id, { reason: 'disabled' });
    await deps.identities.refresh(user.id);
    done.push(user);
  }
  return done;
}

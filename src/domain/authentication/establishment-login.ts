import type { Repositories } from '../../storage/repositories';
import type { EstablishmentRecord } from '../../storage/establishments';
import type { UserRecord } from '../../storage/users';
import type { PendingLogin, AuthenticatedSession, LastLoginNotice } from '../sessions/types';
import type { RecordLoginEvent } from '../audit/recorder';
import type { Clock } from '../../shared/clock';
import { hasExpired } from '../users/validity';
import { pausedAssignments } from '../users/inactivity';

export interface ChoiceScreen {
  user: UserRecord;
  establishments: EstablishmentRecord[];
  preselectedId: number | null;
  /** When none is active: the deactivated ones still assigned (the page names them). */
  inactive: EstablishmentRecord[];
  /** When none is left: the assignments that ended (their names and last days). */
  expired: { name: string; validUntil: Date }[];
}

/** The one to preselect: the only one, or the one chosen last time when still assigned. */
export function preselect(establishments: { id: number }[], lastId: number | null): number | null {
  if (establishments.length === 1) return establishments[0]!.id;
  return establishments.some((e) => e.id === lastId) ? lastId : null;
}

/**
 * Use cases of the establishment step: what to offer, and opening the session once a valid
 * establishment is chosen (its audit row and the user's last login in one transaction).
 */
export function createEstablishmentLogin(deps: {
  repos: Repositories;
  clock: Clock;
  record: RecordLoginEvent;
  /** ASSIGNMENT_INACTIVE_PAUSE_AFTER_DAYS (0: assignments never pause). */
  pauseAfterDays: number;
}) {
  const { repos } = deps;
  return {
    async choices(userId: number): Promise<ChoiceScreen | null> {
      const user = await repos.users.findById(userId);
      if (!user || user.status !== 'active') return null;
      const now = deps.clock.now();
      const assigned = await repos.establishments.listAssigned(userId);
      // An ended assignment is not offered (a resident rotating through establishments), nor one
      // unused for months (paused: an administrator reactivates it).
      const paused = pausedAssignments(assigned, now, deps.pauseAfterDays);
      const establishments = assigned.filter(
        (e) => !hasExpired(e.assignmentValidUntil, now) && !paused.has(e.id),
      );
      return {
        user,
        establishments,
        preselectedId: preselect(establishments, user.lastEstablishmentId),
        inactive: establishments.length
          ? []
          : await repos.establishments.listAssignedInactive(userId),
        expired: establishments.length
          ? []
          : assigned.flatMap((e) =>
              e.assignmentValidUntil ? [{ name: e.name, validUntil: e.assignmentValidUntil }] : [],
            ),
      };
    },

    /**
     * Opens the session: returns its data and the notice of the previous login (read before this
     * one is recorded), or null when the establishment is not assigned.
     */
    async open(
      pending: PendingLogin,
      establishmentId: number,
      meta: { ip: string | null; userAgent: string | null },
    ): Promise<{ session: AuthenticatedSession; lastLogin: LastLoginNotice } | null> {
      const screen = await this.choices(pending.userId);
      if (!screen || !screen.establishments.some((e) => e.id === establishmentId)) return null;
      const now = deps.clock.now();
      const lastLogin = await repos.transaction(async (transaction) => {
        const previous = await repos.loginEvents.lastLogin(screen.user.id, transaction);
        const failures = await repos.loginEvents.countFailures(
          screen.user.id,
          previous?.occurredAt ?? null,
          transaction,
        );
        await repos.users.recordActivity(
          screen.user.id,
          { lastLoginAt: now, lastEstablishmentId: establishmentId },
          transaction,
        );
        await repos.users.markAssignmentChosen(screen.user.id, establishmentId, now, transaction);
        await deps.record(
          {
            ...meta,
            userId: screen.user.id,
            username: screen.user.username,
            method: pending.method,
            outcome: 'success',
            reason: pending.degraded ? 'degraded_mode' : 'login',
            establishmentId,
            degraded: pending.degraded,
          },
          transaction,
        );
        const notice: LastLoginNotice = {
          previous: previous && {
            at: previous.occurredAt.getTime(),
            ip: previous.ip,
            establishmentName: previous.establishmentName,
          },
          failures,
        };
        return notice;
      });
      return {
        session: {
          userId: screen.user.id,
          establishmentId,
          method: pending.method,
          createdAt: now.getTime(),
          lastSeenAt: now.getTime(),
          degraded: pending.degraded,
          warningDaysLeft: pending.warningDaysLeft,
          // An e-ID login proves the person now (the admin areas' step-up reads it).
          ...(pending.method === 'eid' ? { eidVerifiedAt: now.getTime() } : {}),
        },
        lastLogin,
      };
    },
  };
}

export type EstablishmentLogin = ReturnType<typeof createEstablishmentLogin>;

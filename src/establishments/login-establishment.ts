import type { Sequelize } from 'sequelize';
import { User, type Establishment } from '../db/models';
import { listAssignedEstablishments } from './establishment-repository';
import type { PendingLogin, AuthenticatedSession } from '../sessions/types';
import type { RecordLoginEvent } from '../audit/recorder';
import type { Clock } from '../shared/clock';

export interface ChoiceScreen {
  user: User;
  establishments: Establishment[];
  preselectedId: number | null;
}

/** The one to preselect: the only one, or the one chosen last time when still assigned. */
export function preselect(establishments: Establishment[], lastId: number | null): number | null {
  if (establishments.length === 1) return establishments[0]!.id;
  return establishments.some((e) => e.id === lastId) ? lastId : null;
}

/**
 * Use cases of the establishment step: what to offer, and opening the session once a valid
 * establishment is chosen.
 */
export function createEstablishmentLogin(deps: {
  sequelize: Sequelize;
  clock: Clock;
  record: RecordLoginEvent;
}) {
  return {
    async choices(userId: number): Promise<ChoiceScreen | null> {
      const user = await User.findByPk(userId);
      if (!user || user.status !== 'active') return null;
      const establishments = await listAssignedEstablishments(userId);
      return {
        user,
        establishments,
        preselectedId: preselect(establishments, user.lastEstablishmentId),
      };
    },

    /** Opens the session: returns its data, or null when the establishment is not assigned. */
    async open(
      pending: PendingLogin,
      establishmentId: number,
      meta: { ip: string | null; userAgent: string | null },
    ): Promise<AuthenticatedSession | null> {
      const screen = await this.choices(pending.userId);
      if (!screen || !screen.establishments.some((e) => e.id === establishmentId)) return null;
      const now = deps.clock.now();
      await deps.record({
        ...meta,
        userId: screen.user.id,
        username: screen.user.username,
        method: pending.method,
        outcome: 'success',
        reason: pending.degraded ? 'degraded_mode' : 'login',
        establishmentId,
        degraded: pending.degraded,
      });
      await screen.user.update({ lastLoginAt: now, lastEstablishmentId: establishmentId });
      return {
        userId: screen.user.id,
        establishmentId,
        method: pending.method,
        createdAt: now.getTime(),
        lastSeenAt: now.getTime(),
        degraded: pending.degraded,
        warningDaysLeft: pending.warningDaysLeft,
      };
    },
  };
}

export type EstablishmentLogin = ReturnType<typeof createEstablishmentLogin>;

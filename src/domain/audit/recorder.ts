import type { Sequelize, Transaction } from 'sequelize';
import type { Clock } from '../../shared/clock';
import { regionsOf, type Actor } from '../../access/actor';
import { appendLoginEvent, type LoginEvent } from '../../storage/audit/login-events';
import type { AdminEvent } from '../../storage/audit/admin-events';
import type { AuditSpool } from './spool';

export type LoginEventInput = Omit<LoginEvent, 'occurredAt' | 'establishmentId' | 'username'> & {
  establishmentId?: number | null;
  username?: string | null;
  /** When it happened, if not now: a session expiry found later is stamped with its expiry time. */
  occurredAt?: Date;
};

/** Records one login-history row stamped by the injected clock (or the event's own time). */
export type RecordLoginEvent = (event: LoginEventInput, transaction?: Transaction) => Promise<void>;

/**
 * Login-history rows. Given the caller's transaction, the row commits with the change it records
 * (a login needs PostgreSQL anyway). Without one — logouts, expiries, refused switches, failed
 * attempts — the row must not stop what it records: when PostgreSQL is unavailable it waits in
 * the spool, durably, and is written when the server is back.
 */
export function createLoginEventRecorder(
  sequelize: Sequelize,
  clock: Clock,
  spool?: AuditSpool,
): RecordLoginEvent {
  return async (input, transaction) => {
    const event: LoginEvent = {
      ...input,
      username: input.username ?? null,
      establishmentId: input.establishmentId ?? null,
      occurredAt: input.occurredAt ?? clock.now(),
    };
    if (transaction || !spool) {
      await appendLoginEvent(sequelize, event, transaction);
      spool?.nudge();
      return;
    }
    await spool.writeOrSpool({ table: 'login_events', event }, () =>
      appendLoginEvent(sequelize, event),
    );
  };
}

/**
 * A refused state-changing request (admin_events, outcome denied): recorded, and spooled while
 * PostgreSQL is unavailable, so the refusal itself never turns into an error page.
 */
export function createRefusalRecorder(
  clock: Clock,
  append: (event: AdminEvent) => Promise<void>,
  spool?: AuditSpool,
) {
  return async (
    actor: Actor,
    action: string,
    meta: { ip: string | null; userAgent: string | null; path: string; method: string },
  ): Promise<void> => {
    const event: AdminEvent = {
      occurredAt: clock.now(),
      actorUserId: actor.userId,
      actorUsername: actor.username,
      action,
      outcome: 'denied',
      targetType: 'route',
      targetId: `${meta.method} ${meta.path}`,
      targetUserId: null,
      details: {},
      establishmentId: actor.establishmentId,
      // The auditors of the actor's regiones see what they tried.
      regionIds: regionsOf(actor),
      ip: meta.ip,
      userAgent: meta.userAgent,
    };
    const write = () => append(event);
    if (spool) await spool.writeOrSpool({ table: 'admin_events', event }, write);
    else await write();
  };
}

import type { Sequelize, Transaction } from 'sequelize';
import type { Clock } from '../shared/clock';
import { appendLoginEvent, type LoginEvent } from './login-events';

export type LoginEventInput = Omit<LoginEvent, 'occurredAt' | 'establishmentId' | 'username'> & {
  establishmentId?: number | null;
  username?: string | null;
  /** When it happened, if not now: a session expiry found later is stamped with its expiry time. */
  occurredAt?: Date;
};

/** Records one login-history row stamped by the injected clock (or the event's own time). */
export type RecordLoginEvent = (event: LoginEventInput, transaction?: Transaction) => Promise<void>;

export function createLoginEventRecorder(sequelize: Sequelize, clock: Clock): RecordLoginEvent {
  return (event, transaction) =>
    appendLoginEvent(
      sequelize,
      {
        ...event,
        username: event.username ?? null,
        establishmentId: event.establishmentId ?? null,
        occurredAt: event.occurredAt ?? clock.now(),
      },
      transaction,
    );
}

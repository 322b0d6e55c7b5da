import type { Repositories } from '../../storage/repositories';
import type { AdminEvent } from '../../storage/audit/admin-events';
import type { AuditSpool } from '../audit/spool';
import type { EidStateChange } from '../../eid/monitor';

/** Stored admin_events action codes of the provider's changes of state; never rename. */
export const EID_PROVIDER_DOWN = 'eid.providerDown';
export const EID_PROVIDER_UP = 'eid.providerUp';

import { SYSTEM_ACTOR } from '../audit/system';

export { SYSTEM_ACTOR };

/** Where an admin_events row waits, durably, while PostgreSQL cannot take it. */
export type AdminEventSpool = Pick<AuditSpool, 'writeOrSpool'>;

/** The admin_events row of one change: no person acted, the whole network is concerned. */
export const eidStateEvent = (change: EidStateChange): AdminEvent => ({
  occurredAt: change.at,
  actorUserId: null,
  actorUsername: SYSTEM_ACTOR,
  action: change.state === 'down' ? EID_PROVIDER_DOWN : EID_PROVIDER_UP,
  outcome: 'success',
  targetType: 'eid_provider',
  targetId: change.protocol,
  targetUserId: null,
  details: {
    failedProbes: change.consecutiveFailures,
    firstFailureAt: change.firstFailureAt?.toISOString() ?? null,
  },
  establishmentId: null,
  regionIds: [],
  ip: null,
  userAgent: null,
});

/**
 * The audit of degraded mode starting or ending: one admin_events row, written by the instance
 * whose atomic update flipped the shared state. admin_events (not login_events) because it is a
 * decision about the whole network, like audit.purge: no person, no establishment, every región;
 * the login rows it affects carry their own `degraded` flag. With `spool`, a change that happens
 * while PostgreSQL is unavailable is kept and written when it returns (only that instance has it).
 */
export const auditEidStateChange =
  (repos: Pick<Repositories, 'adminEvents' | 'transaction'>, spool?: AdminEventSpool) =>
  async (change: EidStateChange): Promise<void> => {
    const event = eidStateEvent(change);
    const write = () => repos.transaction((tx) => repos.adminEvents.append(event, tx));
    if (spool) await spool.writeOrSpool({ table: 'admin_events', event }, write);
    else await write();
  };

import type { Actor } from '../../access/actor';
import { ownAccountAudit, type CommandMeta } from '../../access/command';
import type { AdminEvent } from '../../storage/audit/admin-events';

/** Stored audit codes of the account holder's own changes (admin_events.action); never rename. */
export type SelfAction = 'me.changePassword' | 'me.resetPasswordWithEid' | 'me.closeOtherSessions';

/**
 * The admin_events row of a change people make to their own account: actor and target are the
 * same user, and the row carries the regions of their establishments so that a regional auditor
 * sees it. `details` never holds a password or a hash.
 */
export function selfEvent(
  actor: Actor,
  action: SelfAction,
  outcome: AdminEvent['outcome'],
  details: Record<string, unknown>,
  now: Date,
  meta: CommandMeta,
): AdminEvent {
  const own = ownAccountAudit(actor);
  return {
    occurredAt: now,
    actorUserId: actor.userId,
    actorUsername: actor.username,
    action,
    outcome,
    targetType: 'user',
    targetId: own.targetId!,
    targetUserId: actor.userId,
    details,
    establishmentId: actor.establishmentId,
    regionIds: own.regionIds!,
    ip: meta.ip,
    userAgent: meta.userAgent,
  };
}

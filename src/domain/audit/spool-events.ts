import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { appendLoginEvent, type LoginEvent } from '../../storage/audit/login-events';
import { appendAdminEvent, type AdminEvent } from '../../storage/audit/admin-events';

/** An audit row that has to be written even while PostgreSQL cannot take it. */
export type SpooledEvent =
  { table: 'login_events'; event: LoginEvent } | { table: 'admin_events'; event: AdminEvent };

/** One line of a spool file; `mayBeStored`: the failed write was a COMMIT that may have landed. */
export type SpoolLine = SpooledEvent & { mayBeStored: boolean };

/** Parses one spool line back (dates were written as ISO strings); throws on anything else. */
export function parseSpoolLine(text: string): SpoolLine {
  const line = JSON.parse(text) as SpoolLine;
  if (!['login_events', 'admin_events'].includes(line.table) || !line.event?.occurredAt)
    throw new Error('not a spooled audit event');
  const event = { ...line.event, occurredAt: new Date(line.event.occurredAt) };
  if (Number.isNaN(event.occurredAt.getTime())) throw new Error('not a spooled audit event');
  return { ...line, event } as SpoolLine;
}

/** Appends the event to its chain in `transaction`, as the original write would have. */
export function appendSpooled(
  sequelize: Sequelize,
  line: SpooledEvent,
  transaction: Transaction,
): Promise<void> {
  return line.table === 'login_events'
    ? appendLoginEvent(sequelize, line.event, transaction)
    : appendAdminEvent(sequelize, line.event, transaction);
}

/**
 * Whether a spooled event whose COMMIT went unanswered is in its table after all: a row with the
 * same instant (to the millisecond) and the same who, what and where. Only asked for those
 * events, so two genuinely distinct events are never mistaken for one.
 */
export async function isStored(
  sequelize: Sequelize,
  entry: SpooledEvent,
  transaction: Transaction,
): Promise<boolean> {
  const sql =
    entry.table === 'login_events'
      ? `SELECT 1 FROM login_events WHERE occurred_at = :occurredAt AND method = :method
           AND outcome = :outcome AND reason IS NOT DISTINCT FROM :reason
           AND user_id IS NOT DISTINCT FROM :userId AND username IS NOT DISTINCT FROM :username
           AND ip IS NOT DISTINCT FROM :ip AND user_agent IS NOT DISTINCT FROM :userAgent LIMIT 1`
      : `SELECT 1 FROM admin_events WHERE occurred_at = :occurredAt AND action = :action
           AND outcome = :outcome AND actor_user_id IS NOT DISTINCT FROM :actorUserId
           AND target_id IS NOT DISTINCT FROM :targetId AND ip IS NOT DISTINCT FROM :ip LIMIT 1`;
  const e = entry.event as unknown as Record<string, unknown>;
  const names = ['occurredAt', 'method', 'outcome', 'reason', 'userId', 'username', 'ip'];
  const replacements = Object.fromEntries(
    [...names, 'userAgent', 'action', 'actorUserId', 'targetId'].map((k) => [k, e[k] ?? null]),
  );
  const rows = await sequelize.query(sql, { replacements, type: QueryTypes.SELECT, transaction });
  return rows.length > 0;
}

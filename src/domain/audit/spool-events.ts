import type { SpooledEvent } from '../../storage/audit/trail-store';

export type { SpooledEvent };

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

import type { Actor } from '../access/actor';

/**
 * The actor of a CLI command: the operating-system user who ran it, as `cli:<user>` in the
 * audit (admin_events.actor_username; no HIS account, so actor_user_id is null), holding the
 * network-wide admin role: whoever can run the CLI on the server already holds the database.
 */
export const cliActor = (osUser: string): Actor => ({
  userId: 0,
  username: `cli:${osUser}`,
  grants: [{ role: 'admin', scope: { kind: 'global' } }],
  establishmentId: null,
  establishments: [],
  system: true,
});

/** CLI commands run from the server itself: no address or browser to record. */
export const CLI_META = { ip: null, userAgent: null } as const;

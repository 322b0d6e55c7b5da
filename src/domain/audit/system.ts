/** admin_events.actor_username of what the application itself decides (no person acted). */
export const SYSTEM_ACTOR = 'sistema';

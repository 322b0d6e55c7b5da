import type { MigrationContext } from '../src/db/migrator';

/**
 * Administration: one-time passwords that must be changed, optimistic concurrency on users,
 * the e-ID rollout date per región, and the columns an admin_events row needs to say who did
 * what to whom, from where, with which outcome (refused attempts are recorded too).
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    ALTER TABLE users
      ADD COLUMN must_change_password boolean NOT NULL DEFAULT false,
      ADD COLUMN version integer NOT NULL DEFAULT 0;

    ALTER TABLE regions ADD COLUMN eid_required_since date;

    ALTER TABLE admin_events
      ADD COLUMN outcome text NOT NULL DEFAULT 'success' CHECK (outcome IN ('success', 'denied')),
      ADD COLUMN target_type text,
      ADD COLUMN target_id text,
      ADD COLUMN establishment_id integer REFERENCES establishments(id),
      ADD COLUMN region_ids integer[] NOT NULL DEFAULT '{}',
      ADD COLUMN user_agent text;
    CREATE INDEX admin_events_actor_idx ON admin_events(actor_user_id, occurred_at DESC);
    CREATE INDEX admin_events_regions_idx ON admin_events USING gin (region_ids);
  `);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    DROP INDEX IF EXISTS admin_events_regions_idx, admin_events_actor_idx;
    ALTER TABLE admin_events DROP COLUMN outcome, DROP COLUMN target_type, DROP COLUMN target_id,
      DROP COLUMN establishment_id, DROP COLUMN region_ids, DROP COLUMN user_agent;
    ALTER TABLE regions DROP COLUMN eid_required_since;
    ALTER TABLE users DROP COLUMN must_change_password, DROP COLUMN version;
  `);
}

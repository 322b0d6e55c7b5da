import type { MigrationContext } from '../src/db/migrator';

/**
 * The e-ID adoption trend (src/storage/queries/adoption.ts) counts, for each of the last 12 months,
 * the users with a successful e-ID exchange in the three months before the month's end. Those
 * rows are a small part of login_events (tens of millions of rows): a partial index on just them,
 * ordered by time, turns fifteen months of history into an index-only range scan.
 *
 * Built CONCURRENTLY so logins keep being recorded while it builds on a large table (a plain
 * CREATE INDEX would block every insert into login_events for the duration). CONCURRENTLY cannot
 * run inside a transaction block, so it is its own statement. Should a build fail, the INVALID
 * index left behind is dropped by running the migration again (IF EXISTS below).
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query('DROP INDEX CONCURRENTLY IF EXISTS login_events_eid_success_idx');
  await sequelize.query(`
    CREATE INDEX CONCURRENTLY login_events_eid_success_idx
      ON login_events (occurred_at, user_id)
      WHERE outcome = 'info' AND reason IN ('eid_verified', 'eid_reauthenticated')`);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query('DROP INDEX CONCURRENTLY IF EXISTS login_events_eid_success_idx');
}

import type { MigrationContext } from '../src/db/migrator';

/**
 * The users list's name order carries the columns its filters test (INCLUDE), so walking it is
 * an index-only scan (src/storage/queries/user-search.ts, `head`): about 60 index entries per
 * page read instead of one heap page per user walked. With the plain (sort_name, id) index a
 * filtered walk of 2,000 users touched 2,000 to 2,800 buffers at 100,000 users and the shapes
 * missed their 10 ms p99 (bench/README.md).
 *
 * An index-only scan still visits the heap for entries on pages changed since the last vacuum:
 * every login writes last_login_at. Autovacuum therefore visits this table after 0.5 % of its
 * rows + 100 changed (the default 20 % + 50 lets a morning's logins undo the visibility map until
 * the evening); a vacuum skips the pages still all-visible, so at 8,000 to 100,000 users it takes
 * a fraction of a second. bench/users-search.ts measures the list at that trigger point too.
 * CONCURRENTLY: logins write the table while the index builds.
 */
const COVERING = `users_list_walk_idx ON users (sort_name, id)
  INCLUDE (status, last_eid_login_at, region_ids, establishment_ids, role_names, search_text)`;

export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query('DROP INDEX CONCURRENTLY IF EXISTS users_list_walk_idx');
  await sequelize.query(`CREATE INDEX CONCURRENTLY ${COVERING}`);
  await sequelize.query('DROP INDEX CONCURRENTLY IF EXISTS users_sort_name_idx');
  await sequelize.query(
    `ALTER TABLE users SET (autovacuum_vacuum_scale_factor = 0.005, autovacuum_vacuum_threshold = 100)`,
  );
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(
    'ALTER TABLE users RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold)',
  );
  await sequelize.query(
    'CREATE INDEX CONCURRENTLY IF NOT EXISTS users_sort_name_idx ON users (sort_name, id)',
  );
  await sequelize.query('DROP INDEX CONCURRENTLY IF EXISTS users_list_walk_idx');
}

import type { MigrationContext } from '../src/db/migrator';

/**
 * The users list sorts by name (its own index, 20261129-002), by last login and by the e-ID
 * badge (the last e-ID login): newest first, people who never logged in last, ties by id. These
 * indexes are those orders, so a page of either is an index walk, not a sort of every user.
 * CONCURRENTLY: logins write last_login_at while the index builds.
 */
const INDEXES = {
  users_last_login_order_idx: `(coalesce(last_login_at, '-infinity'::timestamptz)) DESC, id DESC`,
  users_last_eid_login_order_idx: `(coalesce(last_eid_login_at, '-infinity'::timestamptz)) DESC, id DESC`,
};

export async function up({ sequelize }: MigrationContext): Promise<void> {
  for (const [name, columns] of Object.entries(INDEXES)) {
    await sequelize.query(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
    await sequelize.query(`CREATE INDEX CONCURRENTLY ${name} ON users (${columns})`);
  }
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  for (const name of Object.keys(INDEXES))
    await sequelize.query(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
}

import type { MigrationContext } from '../src/db/migrator';

/**
 * The histories' user filter matches accounts whose username contains the typed text
 * (`username LIKE '%…%'`, src/storage/queries/login-history.ts and admin-history.ts). Without an
 * index that is a scan of every account: 8–9 ms at 8,000 accounts on the development machine,
 * more than the page it leads to (bench/README.md); with this one, about 1 ms for a rare name.
 * CONCURRENTLY, as the other indexes on users: logins write the table while it builds.
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query('DROP INDEX CONCURRENTLY IF EXISTS users_username_trgm_idx');
  await sequelize.query(
    'CREATE INDEX CONCURRENTLY users_username_trgm_idx ON users USING gin (username gin_trgm_ops)',
  );
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query('DROP INDEX CONCURRENTLY IF EXISTS users_username_trgm_idx');
}

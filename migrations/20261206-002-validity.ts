import type { MigrationContext } from '../src/db/migrator';

/**
 * Temporary staff (residents, interns, contract workers): an account, and each of its
 * establishment assignments, may be valid until a date (stored as the first instant after that
 * day in Asunción, as exemptions are). From then on the login is refused and sessions end; the
 * expiry is audited once, by the system, when `expiry_recorded_at` is still empty.
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    ALTER TABLE users
      ADD COLUMN valid_until timestamptz,
      ADD COLUMN expiry_recorded_at timestamptz`);
  await sequelize.query(`
    ALTER TABLE user_establishments
      ADD COLUMN valid_until timestamptz,
      ADD COLUMN expiry_recorded_at timestamptz`);
  // The expiry job asks for what ended and is not yet recorded: few rows, found by these.
  await sequelize.query(`
    CREATE INDEX users_expiry_pending_idx ON users (valid_until)
      WHERE valid_until IS NOT NULL AND expiry_recorded_at IS NULL`);
  await sequelize.query(`
    CREATE INDEX user_establishments_expiry_pending_idx ON user_establishments (valid_until)
      WHERE valid_until IS NOT NULL AND expiry_recorded_at IS NULL`);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query('DROP INDEX IF EXISTS user_establishments_expiry_pending_idx');
  await sequelize.query('DROP INDEX IF EXISTS users_expiry_pending_idx');
  await sequelize.query(
    'ALTER TABLE user_establishments DROP COLUMN valid_until, DROP COLUMN expiry_recorded_at',
  );
  await sequelize.query(
    'ALTER TABLE users DROP COLUMN valid_until, DROP COLUMN expiry_recorded_at',
  );
}

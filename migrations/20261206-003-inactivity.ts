import type { MigrationContext } from '../src/db/migrator';

/**
 * Inactivity (src/domain/users/inactivity.ts): when each assignment was last chosen at login (an
 * assignment unused for months is paused; the existing ones count as chosen now, so nothing
 * pauses on the day this ships), and when an administrator re-enabled an account disabled for
 * inactivity (its clock starts again then, or the next daily run would disable it again).
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    ALTER TABLE user_establishments ADD COLUMN last_chosen_at timestamptz NOT NULL DEFAULT now()`);
  await sequelize.query('ALTER TABLE users ADD COLUMN inactivity_reset_at timestamptz');
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query('ALTER TABLE users DROP COLUMN inactivity_reset_at');
  await sequelize.query('ALTER TABLE user_establishments DROP COLUMN last_chosen_at');
}

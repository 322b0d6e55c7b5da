import type { MigrationContext } from '../src/db/migrator';

/**
 * Row triggers do not fire on TRUNCATE, which would empty the audit tables and leave an
 * "intact" (empty) chain behind: refuse it with a statement trigger.
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    CREATE TRIGGER login_events_no_truncate BEFORE TRUNCATE ON login_events
      FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
    CREATE TRIGGER admin_events_no_truncate BEFORE TRUNCATE ON admin_events
      FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
  `);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    DROP TRIGGER IF EXISTS login_events_no_truncate ON login_events;
    DROP TRIGGER IF EXISTS admin_events_no_truncate ON admin_events;
  `);
}

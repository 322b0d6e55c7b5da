import type { MigrationContext } from '../src/db/migrator';

/**
 * A sign-in to an HIS module through the OpenID Provider is a login-history event (method
 * `module`): `module` names the client, `reason` the `acr` it got. The column is hashed only when
 * set, so the chain of the rows before it verifies unchanged.
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    ALTER TABLE login_events DROP CONSTRAINT login_events_method_check;
    ALTER TABLE login_events ADD CONSTRAINT login_events_method_check
      CHECK (method IN ('classic', 'eid', 'logout', 'switch', 'session', 'module'));
    ALTER TABLE login_events ADD COLUMN module text;
  `);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    ALTER TABLE login_events DROP COLUMN module;
    ALTER TABLE login_events DROP CONSTRAINT login_events_method_check;
    ALTER TABLE login_events ADD CONSTRAINT login_events_method_check
      CHECK (method IN ('classic', 'eid', 'logout', 'switch', 'session'));
  `);
}

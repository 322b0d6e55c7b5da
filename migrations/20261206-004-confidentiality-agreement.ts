import type { MigrationContext } from '../src/db/migrator';

/**
 * The confidentiality agreement (src/domain/agreements): its versions, published by global admins
 * and never changed afterwards (a new text is a new version), and each person's acceptance of a
 * version (when, in which establishment, from where). `users.agreement_version` is the latest
 * version the person accepted, read with the rest of the user into the cached identity, so the
 * page-view path can tell who must accept without reading PostgreSQL.
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    CREATE TABLE agreement_versions (
      version integer PRIMARY KEY,
      title text NOT NULL,
      body text NOT NULL,
      published_at timestamptz NOT NULL,
      published_by_user_id integer REFERENCES users (id) ON DELETE SET NULL,
      published_by_username text NOT NULL
    )`);
  await sequelize.query(`
    CREATE TABLE agreement_acceptances (
      user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      version integer NOT NULL REFERENCES agreement_versions (version),
      accepted_at timestamptz NOT NULL,
      establishment_id integer REFERENCES establishments (id) ON DELETE SET NULL,
      ip text,
      user_agent text,
      PRIMARY KEY (user_id, version)
    )`);
  await sequelize.query(
    'CREATE INDEX agreement_acceptances_version ON agreement_acceptances (version)',
  );
  await sequelize.query(
    'ALTER TABLE users ADD COLUMN agreement_version integer NOT NULL DEFAULT 0',
  );
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query('ALTER TABLE users DROP COLUMN agreement_version');
  await sequelize.query('DROP TABLE agreement_acceptances');
  await sequelize.query('DROP TABLE agreement_versions');
}

import type { MigrationContext } from '../src/db/migrator';

/**
 * The HIS modules that sign people in through HIS Acceso's OpenID Provider (src/areas/oidc):
 * each a confidential client with its exact redirect URIs, its post-logout URIs and its
 * back-channel logout URI. The secret is kept as the provider must compare it (as Keycloak keeps
 * client secrets); it is shown once at registration and rotated by a command.
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    CREATE TABLE oidc_clients (
      client_id text PRIMARY KEY,
      name text NOT NULL,
      client_secret text NOT NULL,
      redirect_uris text[] NOT NULL,
      post_logout_redirect_uris text[] NOT NULL DEFAULT '{}',
      backchannel_logout_uri text,
      enabled boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    )`);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query('DROP TABLE oidc_clients');
}

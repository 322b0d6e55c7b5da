import type { Sequelize, Transaction } from 'sequelize';
import { execute, select } from './sql';

/** An HIS module registered as a client of the OpenID Provider. */
export interface OidcClientRecord {
  clientId: string;
  name: string;
  clientSecret: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  backchannelLogoutUri: string | null;
  enabled: boolean;
  createdAt: Date;
}

const COLUMNS = `client_id AS "clientId", name, client_secret AS "clientSecret",
  redirect_uris AS "redirectUris", post_logout_redirect_uris AS "postLogoutRedirectUris",
  backchannel_logout_uri AS "backchannelLogoutUri", enabled, created_at AS "createdAt"`;

/** The OpenID Provider's clients (src/domain/modules). */
export function createOidcClientRepository(sequelize: Sequelize) {
  return {
    async find(clientId: string, transaction?: Transaction): Promise<OidcClientRecord | null> {
      const [row] = await select<OidcClientRecord>(
        sequelize,
        `SELECT ${COLUMNS} FROM oidc_clients WHERE client_id = $1${transaction ? ' FOR UPDATE' : ''}`,
        [clientId],
        transaction,
      );
      return row ?? null;
    },

    list: () =>
      select<OidcClientRecord>(sequelize, `SELECT ${COLUMNS} FROM oidc_clients ORDER BY name`),

    async insert(row: Omit<OidcClientRecord, 'enabled'>, transaction: Transaction): Promise<void> {
      await execute(
        sequelize,
        `INSERT INTO oidc_clients (client_id, name, client_secret, redirect_uris,
           post_logout_redirect_uris, backchannel_logout_uri, created_at, updated_at)
         VALUES ($1, $2, $3, $4::text[], $5::text[], $6, $7, $7)`,
        [
          row.clientId,
          row.name,
          row.clientSecret,
          row.redirectUris,
          row.postLogoutRedirectUris,
          row.backchannelLogoutUri,
          row.createdAt,
        ],
        transaction,
      );
    },

    /** Enables or disables the module, or replaces its secret. */
    async update(
      clientId: string,
      change: { enabled: boolean } | { clientSecret: string },
      at: Date,
      transaction: Transaction,
    ): Promise<void> {
      const [column, value] =
        'enabled' in change ? ['enabled', change.enabled] : ['client_secret', change.clientSecret];
      await execute(
        sequelize,
        `UPDATE oidc_clients SET ${column} = $2, updated_at = $3 WHERE client_id = $1`,
        [clientId, value, at],
        transaction,
      );
    },
  };
}

export type OidcClientRepository = ReturnType<typeof createOidcClientRepository>;

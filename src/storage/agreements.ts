import type { Sequelize, Transaction } from 'sequelize';
import { execute, select } from './sql';

/** A published version of the confidentiality agreement. */
export interface AgreementVersion {
  version: number;
  title: string;
  body: string;
  publishedAt: Date;
  publishedByUsername: string;
}

/** One person's acceptance of a version. */
export interface AgreementAcceptance {
  version: number;
  acceptedAt: Date;
  establishmentName: string | null;
  ip: string | null;
  userAgent: string | null;
}

const VERSION_COLUMNS = `version, title, body, published_at AS "publishedAt",
  published_by_username AS "publishedByUsername"`;

/** The confidentiality agreement's versions and who accepted which (src/domain/agreements). */
export function createAgreementRepository(sequelize: Sequelize) {
  return {
    /** The version in force (the latest published), or null while none was ever published. */
    async current(transaction?: Transaction): Promise<AgreementVersion | null> {
      const [row] = await select<AgreementVersion>(
        sequelize,
        `SELECT ${VERSION_COLUMNS} FROM agreement_versions ORDER BY version DESC LIMIT 1`,
        [],
        transaction,
      );
      return row ?? null;
    },

    /** Every version, newest first. */
    list: () =>
      select<AgreementVersion>(
        sequelize,
        `SELECT ${VERSION_COLUMNS} FROM agreement_versions ORDER BY version DESC`,
      ),

    /** Takes the publishing lock: two versions published at once get consecutive numbers. */
    async lockForPublish(transaction: Transaction): Promise<void> {
      await execute(sequelize, 'SELECT pg_advisory_xact_lock($1)', [7_130_020], transaction);
    },

    async publish(
      row: {
        version: number;
        title: string;
        body: string;
        publishedAt: Date;
        publishedByUserId: number | null;
        publishedByUsername: string;
      },
      transaction: Transaction,
    ): Promise<void> {
      await execute(
        sequelize,
        `INSERT INTO agreement_versions
           (version, title, body, published_at, published_by_user_id, published_by_username)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [
          row.version,
          row.title,
          row.body,
          row.publishedAt,
          row.publishedByUserId,
          row.publishedByUsername,
        ],
        transaction,
      );
    },

    /**
     * Records an acceptance and makes it the person's latest; false when they had already
     * accepted this version (a second click, another tab).
     */
    async accept(
      row: {
        userId: number;
        version: number;
        acceptedAt: Date;
        establishmentId: number | null;
        ip: string | null;
        userAgent: string | null;
      },
      transaction: Transaction,
    ): Promise<boolean> {
      const inserted = await execute(
        sequelize,
        `INSERT INTO agreement_acceptances
           (user_id, version, accepted_at, establishment_id, ip, user_agent)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
        [row.userId, row.version, row.acceptedAt, row.establishmentId, row.ip, row.userAgent],
        transaction,
      );
      await execute(
        sequelize,
        'UPDATE users SET agreement_version = greatest(agreement_version, $2) WHERE id = $1',
        [row.userId, row.version],
        transaction,
      );
      return inserted > 0;
    },

    /** The person's acceptances, newest first. */
    acceptancesOf: (userId: number) =>
      select<AgreementAcceptance>(
        sequelize,
        `SELECT a.version, a.accepted_at AS "acceptedAt", e.name AS "establishmentName", a.ip,
                a.user_agent AS "userAgent"
           FROM agreement_acceptances a LEFT JOIN establishments e ON e.id = a.establishment_id
          WHERE a.user_id = $1 ORDER BY a.version DESC`,
        [userId],
      ),

    /** How many active accounts accepted `version`, and how many have not yet. */
    async progress(version: number): Promise<{ accepted: number; pending: number }> {
      const [row] = await select<{ accepted: string; pending: string }>(
        sequelize,
        `SELECT count(*) FILTER (WHERE agreement_version >= $1) AS accepted,
                count(*) FILTER (WHERE agreement_version < $1) AS pending
           FROM users WHERE status = 'active'`,
        [version],
      );
      return { accepted: Number(row?.accepted ?? 0), pending: Number(row?.pending ?? 0) };
    },
  };
}

export type AgreementRepository = ReturnType<typeof createAgreementRepository>;

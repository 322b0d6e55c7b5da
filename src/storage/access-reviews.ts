import type { Sequelize, Transaction } from 'sequelize';
import { execute, select } from './sql';

/** A periodic access review. */
export interface AccessReview {
  id: number;
  title: string;
  /** The last day (YYYY-MM-DD, Asunción): unreviewed people are listed after it. */
  lastDay: string;
  /** At the close, the unreviewed lose their roles other than staff. */
  suspendUnreviewed: boolean;
  openedAt: Date;
  openedByUsername: string;
  closedAt: Date | null;
  closedByUsername: string | null;
}

export type ReviewDecisionKind = 'confirmed' | 'changed' | 'unreviewed';

/** One person's decision in a review, with their access as it was then. */
export interface ReviewDecision {
  userId: number;
  decision: ReviewDecisionKind;
  decidedAt: Date;
  decidedByUsername: string;
  regionIds: number[];
  establishments: string[];
  /** `role@scope` (`admin@region:3`, `staff@global`): src/domain/users/scope-value.ts. */
  roles: string[];
  /** The roles removed at the close (the review suspends the unreviewed). */
  suspendedRoles: string[];
}

/** A row of the result (the CSV): the decision and who the person is. */
export interface ReviewResultRow extends ReviewDecision {
  username: string;
  fullName: string;
  documentNumber: string;
}

/** How far a región got: its active people, and how many have a decision. */
export interface RegionProgress {
  /** null: people with no establishment (network-wide accounts). */
  regionId: number | null;
  regionName: string | null;
  total: number;
  decided: number;
}

const REVIEW_COLUMNS = `id, title, to_char(last_day, 'YYYY-MM-DD') AS "lastDay",
  suspend_unreviewed AS "suspendUnreviewed", opened_at AS "openedAt",
  opened_by_username AS "openedByUsername", closed_at AS "closedAt",
  closed_by_username AS "closedByUsername"`;

const DECISION_COLUMNS = `d.user_id AS "userId", d.decision, d.decided_at AS "decidedAt",
  d.decided_by_username AS "decidedByUsername", d.region_ids AS "regionIds", d.establishments,
  d.roles, d.suspended_roles AS "suspendedRoles"`;

/** A person's roles as `role@scope`, for the snapshot a decision keeps (SQL, one per user). */
export const ROLES_OF = (user: string) => `ARRAY(
  SELECT r.role || '@' || CASE WHEN r.establishment_id IS NOT NULL
                               THEN 'establishment:' || r.establishment_id
                               WHEN r.region_id IS NOT NULL THEN 'region:' || r.region_id
                               ELSE 'global' END
    FROM user_roles r WHERE r.user_id = ${user} ORDER BY r.role, r.id)`;

export const ESTABLISHMENTS_OF = (user: string) => `ARRAY(
  SELECT e.name FROM user_establishments ue JOIN establishments e ON e.id = ue.establishment_id
   WHERE ue.user_id = ${user} ORDER BY e.name)`;

/** Periodic access reviews and their decisions (src/domain/reviews). */
export function createAccessReviewRepository(sequelize: Sequelize) {
  const one = async (where: string, values: unknown[], transaction?: Transaction) => {
    const [row] = await select<AccessReview>(
      sequelize,
      `SELECT ${REVIEW_COLUMNS} FROM access_reviews ${where}`,
      values,
      transaction,
    );
    return row ?? null;
  };

  return {
    byId: (id: number, transaction?: Transaction) => one('WHERE id = $1', [id], transaction),

    /** The review in progress, or null. */
    current: (transaction?: Transaction) => one('WHERE closed_at IS NULL', [], transaction),

    /** Locks the review's row until the transaction ends (a decision against a close). */
    lock: (id: number, transaction: Transaction) =>
      one('WHERE id = $1 FOR UPDATE', [id], transaction),

    /** Every review, newest first. */
    list: () =>
      select<AccessReview>(
        sequelize,
        `SELECT ${REVIEW_COLUMNS} FROM access_reviews ORDER BY opened_at DESC, id DESC`,
      ),

    /** Takes the opening lock: two reviews opened at once are one after the other. */
    async lockForOpen(transaction: Transaction): Promise<void> {
      await execute(sequelize, 'SELECT pg_advisory_xact_lock($1)', [7_130_021], transaction);
    },

    async open(
      row: {
        title: string;
        lastDay: string;
        suspendUnreviewed: boolean;
        openedAt: Date;
        openedByUserId: number | null;
        openedByUsername: string;
      },
      transaction: Transaction,
    ): Promise<number> {
      const [created] = await select<{ id: number }>(
        sequelize,
        `INSERT INTO access_reviews
           (title, last_day, suspend_unreviewed, opened_at, opened_by_user_id, opened_by_username)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [
          row.title,
          row.lastDay,
          row.suspendUnreviewed,
          row.openedAt,
          row.openedByUserId,
          row.openedByUsername,
        ],
        transaction,
      );
      return created!.id;
    },

    /**
     * Records (or replaces) a person's decision, keeping their access as it is in this
     * transaction: establishments by name, roles, regiones.
     */
    async decide(
      row: {
        reviewId: number;
        userId: number;
        decision: Exclude<ReviewDecisionKind, 'unreviewed'>;
        decidedAt: Date;
        decidedByUserId: number | null;
        decidedByUsername: string;
        regionIds: number[];
      },
      transaction: Transaction,
    ): Promise<void> {
      await execute(
        sequelize,
        `INSERT INTO access_review_decisions
           (review_id, user_id, decision, decided_at, decided_by_user_id, decided_by_username,
            region_ids, establishments, roles)
         VALUES ($1, $2, $3, $4, $5, $6, $7::int[], ${ESTABLISHMENTS_OF('$2')}, ${ROLES_OF('$2')})
         ON CONFLICT (review_id, user_id) DO UPDATE SET
           decision = EXCLUDED.decision, decided_at = EXCLUDED.decided_at,
           decided_by_user_id = EXCLUDED.decided_by_user_id,
           decided_by_username = EXCLUDED.decided_by_username, region_ids = EXCLUDED.region_ids,
           establishments = EXCLUDED.establishments, roles = EXCLUDED.roles`,
        [
          row.reviewId,
          row.userId,
          row.decision,
          row.decidedAt,
          row.decidedByUserId,
          row.decidedByUsername,
          row.regionIds,
        ],
        transaction,
      );
    },

    /** Whether an administrator changed the person's access (a users.* command) since `since`. */
    async changedSince(userId: number, since: Date, transaction: Transaction): Promise<boolean> {
      const [row] = await select<{ changed: boolean }>(
        sequelize,
        `SELECT EXISTS (
           SELECT 1 FROM admin_events
            WHERE target_user_id = $1 AND occurred_at >= $2 AND outcome = 'success'
              AND action LIKE 'users.%' AND action <> 'users.create') AS changed`,
        [userId, since],
        transaction,
      );
      return row?.changed === true;
    },

    /** The decisions of these people in the review, by user id. */
    async decisionsOf(reviewId: number, userIds: number[]): Promise<Map<number, ReviewDecision>> {
      if (userIds.length === 0) return new Map();
      const rows = await select<ReviewDecision>(
        sequelize,
        `SELECT ${DECISION_COLUMNS} FROM access_review_decisions d
          WHERE d.review_id = $1 AND d.user_id = ANY($2::int[])`,
        [reviewId, userIds],
      );
      return new Map(rows.map((r) => [r.userId, r]));
    },

    /**
     * Closes the review: every active person without a decision is recorded as unreviewed (with
     * their access as it is now); with `suspend`, their roles other than staff (network-wide admin
     * roles excepted) are removed and kept in the decision. Returns who was left unreviewed and who lost which roles.
     */
    async close(
      row: { reviewId: number; closedAt: Date; closedByUsername: string; suspend: boolean },
      transaction: Transaction,
    ): Promise<{
      unreviewed: number;
      suspended: { userId: number; roles: string[]; regionIds: number[] }[];
    }> {
      const [inserted] = await select<{ n: string }>(
        sequelize,
        `WITH inserted AS (
           INSERT INTO access_review_decisions
             (review_id, user_id, decision, decided_at, decided_by_user_id, decided_by_username,
              region_ids, establishments, roles)
           SELECT $1, u.id, 'unreviewed', $2, NULL, $3, u.region_ids, ${ESTABLISHMENTS_OF('u.id')},
                  ${ROLES_OF('u.id')}
             FROM users u
            WHERE u.status = 'active'
              AND NOT EXISTS (SELECT 1 FROM access_review_decisions d
                               WHERE d.review_id = $1 AND d.user_id = u.id)
           RETURNING 1)
         SELECT count(*) AS n FROM inserted`,
        [row.reviewId, row.closedAt, row.closedByUsername],
        transaction,
      );
      const unreviewed = Number(inserted?.n ?? 0);
      let suspended: { userId: number; roles: string[]; regionIds: number[] }[] = [];
      if (row.suspend) {
        suspended = await select<{ userId: number; roles: string[]; regionIds: number[] }>(
          sequelize,
          `WITH removed AS (
             DELETE FROM user_roles r USING access_review_decisions d
              WHERE d.review_id = $1 AND d.decision = 'unreviewed' AND d.user_id = r.user_id
                AND r.role <> 'staff'
                -- A network-wide admin is listed, never suspended: the network keeps someone
                -- who can administer it (another global admin reviews them).
                AND NOT (r.role = 'admin' AND r.region_id IS NULL AND r.establishment_id IS NULL)
             RETURNING r.user_id, r.role || '@' || CASE
               WHEN r.establishment_id IS NOT NULL THEN 'establishment:' || r.establishment_id
               WHEN r.region_id IS NOT NULL THEN 'region:' || r.region_id
               ELSE 'global' END AS role
           ), grouped AS (
             SELECT user_id, array_agg(role ORDER BY role) AS roles FROM removed GROUP BY user_id
           ), kept AS (
             UPDATE access_review_decisions d SET suspended_roles = g.roles
               FROM grouped g WHERE d.review_id = $1 AND d.user_id = g.user_id
             RETURNING d.user_id, d.region_ids
           )
           SELECT g.user_id AS "userId", g.roles, k.region_ids AS "regionIds"
             FROM grouped g JOIN kept k ON k.user_id = g.user_id ORDER BY g.user_id`,
          [row.reviewId],
          transaction,
        );
      }
      await execute(
        sequelize,
        'UPDATE access_reviews SET closed_at = $2, closed_by_username = $3 WHERE id = $1',
        [row.reviewId, row.closedAt, row.closedByUsername],
        transaction,
      );
      return { unreviewed, suspended };
    },

    /**
     * Progress per región. While the review is open, every active person counts where they work
     * now; once closed, where they worked at their decision (the result does not move).
     */
    async progress(review: Pick<AccessReview, 'id' | 'closedAt'>): Promise<RegionProgress[]> {
      const people = review.closedAt
        ? `SELECT d.user_id AS id, d.region_ids, d.decision <> 'unreviewed' AS decided
             FROM access_review_decisions d WHERE d.review_id = $1`
        : `SELECT u.id, u.region_ids, EXISTS (
             SELECT 1 FROM access_review_decisions d
              WHERE d.review_id = $1 AND d.user_id = u.id) AS decided
             FROM users u WHERE u.status = 'active'`;
      const rows = await select<{
        regionId: number | null;
        regionName: string | null;
        total: string;
        decided: string;
      }>(
        sequelize,
        `WITH people AS (${people}),
              placed AS (
                SELECT p.id, p.decided, r AS region_id
                  FROM people p CROSS JOIN LATERAL unnest(
                    CASE WHEN cardinality(p.region_ids) = 0 THEN ARRAY[NULL]::int[]
                         ELSE p.region_ids END) AS r)
         SELECT pl.region_id AS "regionId", rg.name AS "regionName", count(*) AS total,
                count(*) FILTER (WHERE pl.decided) AS decided
           FROM placed pl LEFT JOIN regions rg ON rg.id = pl.region_id
          GROUP BY pl.region_id, rg.name
          ORDER BY rg.name NULLS LAST`,
        [review.id],
      );
      return rows.map((r) => ({ ...r, total: Number(r.total), decided: Number(r.decided) }));
    },

    /**
     * The result, for the CSV: every decision with who the person is, by name. With `regionIds`,
     * only people who worked in one of those regiones (a regional admin's export).
     */
    result: (reviewId: number, regionIds?: number[]) =>
      select<ReviewResultRow>(
        sequelize,
        `SELECT ${DECISION_COLUMNS}, u.username, u.full_name AS "fullName",
                u.document_number AS "documentNumber"
           FROM access_review_decisions d JOIN users u ON u.id = d.user_id
          WHERE d.review_id = $1 AND ($2::int[] IS NULL OR d.region_ids && $2::int[])
          ORDER BY u.full_name, u.id`,
        [reviewId, regionIds ?? null],
      ),

    /** The person's latest confirmation (any review), or null: "última revisión". */
    async lastConfirmationOf(
      userId: number,
    ): Promise<(ReviewDecision & { reviewTitle: string }) | null> {
      const [row] = await select<ReviewDecision & { reviewTitle: string }>(
        sequelize,
        `SELECT ${DECISION_COLUMNS}, a.title AS "reviewTitle"
           FROM access_review_decisions d JOIN access_reviews a ON a.id = d.review_id
          WHERE d.user_id = $1 AND d.decision <> 'unreviewed'
          ORDER BY d.decided_at DESC LIMIT 1`,
        [userId],
      );
      return row ?? null;
    },
  };
}

export type AccessReviewRepository = ReturnType<typeof createAccessReviewRepository>;

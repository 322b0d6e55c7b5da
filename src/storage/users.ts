import { Op, type Transaction } from 'sequelize';
import { execute, select } from './sql';
import type { Models } from '../db/models';
import type { Role, UserStatus } from '../shared/roles';

/** A user row as feature code sees it: plain data, never a model instance. */
export interface UserRecord {
  id: number;
  username: string;
  documentNumber: string;
  fullName: string;
  email: string | null;
  passwordHash: string | null;
  status: UserStatus;
  lastEidLoginAt: Date | null;
  lastLoginAt: Date | null;
  lastEstablishmentId: number | null;
  eidExemptUntil: Date | null;
  eidExemptReason: string | null;
  mustChangePassword: boolean;
  /** The first instant after the account's last valid day; null: no end. */
  validUntil: Date | null;
  /** Re-enabled after a disable for inactivity: its inactivity counts from here. */
  inactivityResetAt?: Date | null;
  /** The latest confidentiality agreement version the person accepted (0: none). */
  agreementVersion?: number;
  version: number;
  createdAt: Date;
}

/** A role grant: global, or scoped to a región or to one establishment. */
export interface RoleGrantRecord {
  id: number;
  role: Role;
  regionId: number | null;
  establishmentId: number | null;
}

export type UserPatch = Partial<Omit<UserRecord, 'id' | 'username' | 'version' | 'createdAt'>>;

export type NewUserRecord = Pick<UserRecord, 'username' | 'documentNumber' | 'fullName'> &
  Partial<
    Pick<
      UserRecord,
      'email' | 'passwordHash' | 'lastEidLoginAt' | 'mustChangePassword' | 'validUntil'
    >
  >;

const plain = <T>(row: { get(o: { plain: true }): unknown } | null): T | null =>
  row ? (row.get({ plain: true }) as T) : null;

/** Users, their role grants and their establishment assignments. Every write takes a transaction. */
export function createUserRepository({ User, UserRole, UserEstablishment }: Models) {
  const sequelize = User.sequelize!;
  return {
    findById: async (id: number, transaction?: Transaction) =>
      plain<UserRecord>(await User.findByPk(id, { transaction })),

    /** The row, locked until the transaction ends: commands read-then-write through this. */
    lockById: async (id: number, transaction: Transaction) =>
      plain<UserRecord>(await User.findByPk(id, { transaction, lock: transaction.LOCK.UPDATE })),

    findByUsername: async (username: string, transaction?: Transaction) =>
      plain<UserRecord>(
        await User.findOne({ where: { username: username.trim().toLowerCase() }, transaction }),
      ),

    findByDocument: async (documentNumber: string, transaction?: Transaction) =>
      plain<UserRecord>(await User.findOne({ where: { documentNumber }, transaction })),

    create: async (input: NewUserRecord, transaction: Transaction) =>
      plain<UserRecord>(await User.create(input, { transaction }))!,

    /** Applies the patch and bumps the version (the optimistic-concurrency stamp). */
    async update(id: number, patch: UserPatch, transaction?: Transaction): Promise<void> {
      await User.update(
        { ...patch, version: sequelize.literal('version + 1') as unknown as number },
        { where: { id }, transaction },
      );
    },

    /**
     * Stamps what the person's own activity changes (logins, establishment switch): no version
     * bump, so an administrator editing the user meanwhile is not told of a conflict.
     */
    async recordActivity(
      id: number,
      patch: Partial<Pick<UserRecord, 'lastLoginAt' | 'lastEstablishmentId' | 'lastEidLoginAt'>>,
      transaction?: Transaction,
    ): Promise<void> {
      await User.update(patch, { where: { id }, transaction });
    },

    /**
     * The returning e-ID login in one statement: the binding of (issuer, subject) is stamped as
     * used and, if its user still has that cédula, is active and not expired, and is the one expected (`demand`,
     * a forced re-authentication), the user's last e-ID login is stamped too and the user
     * returned. Null otherwise (no binding yet, another cédula, disabled, another person): the
     * caller then takes the long way, which says why.
     */
    async stampReturningEidLogin(
      binding: { issuer: string; subject: string; documentNumber: string },
      now: Date,
      expectedUserId: number | null,
    ): Promise<UserRecord | null> {
      const [row] = await select<UserRecord>(
        sequelize,
        `WITH b AS (
           UPDATE eid_identities SET last_used_at = $3
            WHERE issuer = $1 AND subject = $2 RETURNING user_id
         )
         UPDATE users u SET last_eid_login_at = $3, updated_at = $3 FROM b
          WHERE u.id = b.user_id AND u.document_number = $4 AND u.status = 'active'
            AND (u.valid_until IS NULL OR u.valid_until > $3)
            AND ($5::integer IS NULL OR u.id = $5)
         RETURNING u.id, u.username, u.document_number AS "documentNumber",
           u.full_name AS "fullName", u.email, u.password_hash AS "passwordHash", u.status,
           u.last_eid_login_at AS "lastEidLoginAt", u.last_login_at AS "lastLoginAt",
           u.last_establishment_id AS "lastEstablishmentId",
           u.eid_exempt_until AS "eidExemptUntil", u.eid_exempt_reason AS "eidExemptReason",
           u.must_change_password AS "mustChangePassword", u.valid_until AS "validUntil",
           u.version, u.created_at AS "createdAt"`,
        [binding.issuer, binding.subject, now, binding.documentNumber, expectedUserId],
      );
      return row ?? null;
    },

    /** Sets (or clears) when the account ends; its expiry is audited again if it ends again. */
    async setValidity(id: number, validUntil: Date | null, transaction: Transaction) {
      await User.update(
        {
          validUntil,
          expiryRecordedAt: null,
          version: sequelize.literal('version + 1') as unknown as number,
        },
        { where: { id }, transaction },
      );
    },

    /** The person chose (or an administrator reactivated) the assignment: it is in use again. */
    async markAssignmentChosen(
      userId: number,
      establishmentId: number,
      now: Date,
      transaction?: Transaction,
    ): Promise<void> {
      await UserEstablishment.update(
        { lastChosenAt: now },
        { where: { userId, establishmentId }, transaction },
      );
    },

    /** When each of the user's assignments was last chosen (by establishment id). */
    async assignmentsLastChosen(userId: number): Promise<Map<number, Date>> {
      const rows = await UserEstablishment.findAll({ where: { userId } });
      return new Map(rows.map((r) => [r.establishmentId, r.lastChosenAt]));
    },

    /**
     * Active accounts whose last activity (last login, creation, or the re-enabling that reset
     * their clock: the latest) is before `before`, oldest first, up to `limit`.
     */
    inactiveSince: (before: Date, limit: number) =>
      select<{
        id: number;
        username: string;
        fullName: string;
        lastActivity: Date;
        regionIds: number[];
      }>(
        sequelize,
        `SELECT id, username, full_name AS "fullName", region_ids AS "regionIds",
           greatest(coalesce(last_login_at, created_at), coalesce(inactivity_reset_at, created_at))
             AS "lastActivity"
           FROM users
          WHERE status = 'active'
            AND greatest(coalesce(last_login_at, created_at),
                         coalesce(inactivity_reset_at, created_at)) < $1
          ORDER BY 5 LIMIT $2`,
        [before, limit],
      ),

    /** The accounts holding these cédulas, with their places and grants (a bulk import's basis). */
    byCedulas: (cedulas: string[]) =>
      select<{
        id: number;
        username: string;
        documentNumber: string;
        fullName: string;
        email: string | null;
        validUntil: Date | null;
        establishmentIds: number[];
        grants: { role: Role; regionId: number | null; establishmentId: number | null }[];
      }>(
        sequelize,
        `SELECT u.id, u.username, u.document_number AS "documentNumber", u.full_name AS "fullName",
           u.email, u.valid_until AS "validUntil", u.establishment_ids AS "establishmentIds",
           coalesce((SELECT json_agg(json_build_object('role', r.role, 'regionId', r.region_id,
               'establishmentId', r.establishment_id)) FROM user_roles r WHERE r.user_id = u.id),
             '[]') AS grants
           FROM users u WHERE u.document_number = ANY($1::text[])`,
        [cedulas],
      ),

    /** One staff import at a time: what it planned (usernames, cédulas) holds until its commit. */
    async lockForImport(transaction: Transaction): Promise<void> {
      await execute(sequelize, 'SELECT pg_advisory_xact_lock($1)', [7_130_010], transaction);
    },

    /** Every username in use (a bulk import proposes new ones that are not). */
    allUsernames: async (): Promise<Set<string>> =>
      new Set(
        (await select<{ username: string }>(sequelize, 'SELECT username FROM users', [])).map(
          (r) => r.username,
        ),
      ),

    /** Inserts accounts in bulk (a file of new staff); returns their ids, in order. */
    async createMany(
      rows: {
        username: string;
        documentNumber: string;
        fullName: string;
        email: string | null;
        passwordHash: string | null;
        mustChangePassword: boolean;
        validUntil: Date | null;
      }[],
      transaction: Transaction,
    ): Promise<number[]> {
      if (rows.length === 0) return [];
      const ids = await select<{ id: number }>(
        sequelize,
        `INSERT INTO users (username, document_number, full_name, email, password_hash,
           must_change_password, valid_until)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
           $6::boolean[], $7::timestamptz[])
         RETURNING id`,
        [
          rows.map((r) => r.username),
          rows.map((r) => r.documentNumber),
          rows.map((r) => r.fullName),
          rows.map((r) => r.email),
          rows.map((r) => r.passwordHash),
          rows.map((r) => r.mustChangePassword),
          rows.map((r) => r.validUntil),
        ],
        transaction,
      );
      return ids.map((r) => r.id);
    },

    /** Assigns establishments in bulk: (user, establishment) pairs not already assigned. */
    async assignMany(pairs: [number, number][], transaction: Transaction): Promise<void> {
      if (pairs.length === 0) return;
      await execute(
        sequelize,
        `INSERT INTO user_establishments (user_id, establishment_id)
         SELECT * FROM unnest($1::int[], $2::int[]) ON CONFLICT DO NOTHING`,
        [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
        transaction,
      );
    },

    /** Grants roles in bulk (a region scope or none). */
    async grantMany(
      grants: { userId: number; role: Role; regionId: number | null }[],
      transaction: Transaction,
    ): Promise<void> {
      if (grants.length === 0) return;
      await execute(
        sequelize,
        `INSERT INTO user_roles (user_id, role, region_id)
         SELECT * FROM unnest($1::int[], $2::text[], $3::int[])`,
        [grants.map((g) => g.userId), grants.map((g) => g.role), grants.map((g) => g.regionId)],
        transaction,
      );
    },

    /** When each of the user's assignments ends (by establishment id; null: no end). */
    async assignmentEnds(userId: number): Promise<Map<number, Date | null>> {
      const rows = await UserEstablishment.findAll({ where: { userId } });
      return new Map(rows.map((r) => [r.establishmentId, r.validUntil ?? null]));
    },

    /** Sets (or clears) when one assignment ends; returns what it was. */
    async setAssignmentValidity(
      userId: number,
      establishmentId: number,
      validUntil: Date | null,
      transaction: Transaction,
    ): Promise<Date | null> {
      const row = await UserEstablishment.findOne({
        where: { userId, establishmentId },
        transaction,
        lock: transaction.LOCK.UPDATE,
      });
      const before = row?.validUntil ?? null;
      await UserEstablishment.update(
        { validUntil, expiryRecordedAt: null },
        { where: { userId, establishmentId }, transaction },
      );
      return before;
    },

    /**
     * Marks up to `limit` accounts whose validity ended at or before `now` and whose expiry is
     * not recorded yet, and returns them: exactly one caller marks each (the UPDATE's row lock),
     * so its expiry is audited once whatever the number of instances.
     */
    async markExpiredAccounts(now: Date, limit: number, transaction: Transaction) {
      return select<{ id: number; username: string; validUntil: Date; regionIds: number[] }>(
        sequelize,
        `UPDATE users u SET expiry_recorded_at = $1
          WHERE u.id IN (SELECT id FROM users WHERE valid_until <= $1 AND expiry_recorded_at IS NULL
                          ORDER BY valid_until LIMIT $2 FOR UPDATE SKIP LOCKED)
          RETURNING u.id, u.username, u.valid_until AS "validUntil", u.region_ids AS "regionIds"`,
        [now, limit],
        transaction,
      );
    },

    /** As {@link markExpiredAccounts}, for establishment assignments. */
    async markExpiredAssignments(now: Date, limit: number, transaction: Transaction) {
      return select<{
        userId: number;
        username: string;
        establishmentId: number;
        code: string;
        name: string;
        regionId: number;
        validUntil: Date;
      }>(
        sequelize,
        `WITH due AS (
           SELECT user_id, establishment_id FROM user_establishments
            WHERE valid_until <= $1 AND expiry_recorded_at IS NULL
            ORDER BY valid_until LIMIT $2 FOR UPDATE SKIP LOCKED
         ), marked AS (
           UPDATE user_establishments ue SET expiry_recorded_at = $1 FROM due
            WHERE ue.user_id = due.user_id AND ue.establishment_id = due.establishment_id
           RETURNING ue.user_id, ue.establishment_id, ue.valid_until
         )
         SELECT m.user_id AS "userId", u.username, m.establishment_id AS "establishmentId",
           e.code, e.name, e.region_id AS "regionId", m.valid_until AS "validUntil"
           FROM marked m JOIN users u ON u.id = m.user_id
           JOIN establishments e ON e.id = m.establishment_id`,
        [now, limit],
        transaction,
      );
    },

    grants: async (userId: number, transaction?: Transaction) =>
      (await UserRole.findAll({ where: { userId }, order: [['id', 'ASC']], transaction })).map(
        (r) => plain<RoleGrantRecord & { userId: number }>(r)!,
      ),

    addGrant: async (
      userId: number,
      grant: Omit<RoleGrantRecord, 'id'>,
      transaction: Transaction,
    ) => plain<RoleGrantRecord>(await UserRole.create({ userId, ...grant }, { transaction }))!,

    removeGrant: (userId: number, grantId: number, transaction: Transaction) =>
      UserRole.destroy({ where: { userId, id: grantId }, transaction }),

    /** Ids of the establishments assigned to the user (active or not). */
    assignedEstablishmentIds: async (userId: number, transaction?: Transaction) =>
      (await UserEstablishment.findAll({ where: { userId }, transaction })).map(
        (r) => r.establishmentId,
      ),

    assignEstablishments: async (
      userId: number,
      establishmentIds: number[],
      transaction: Transaction,
    ) => {
      await UserEstablishment.bulkCreate(
        establishmentIds.map((establishmentId) => ({ userId, establishmentId })),
        { transaction, ignoreDuplicates: true },
      );
    },

    unassignEstablishment: (userId: number, establishmentId: number, transaction: Transaction) =>
      UserEstablishment.destroy({ where: { userId, establishmentId }, transaction }),

    /** Users assigned to any of these establishments (to refresh their cached identity). */
    idsAssignedTo: async (establishmentIds: number[], transaction?: Transaction) =>
      (
        await UserEstablishment.findAll({
          where: { establishmentId: { [Op.in]: establishmentIds } },
          attributes: ['userId'],
          transaction,
        })
      ).map((r) => r.userId),

    /**
     * Active users assigned to the establishment who have no other active one: those who could
     * no longer log in if it were deactivated.
     */
    async countOnlyAt(establishmentId: number): Promise<number> {
      const [row] = await select<{ n: string }>(
        sequelize,
        `SELECT count(*) AS n FROM user_establishments ue
           JOIN users u ON u.id = ue.user_id AND u.status = 'active'
          WHERE ue.establishment_id = $1
            AND NOT EXISTS (
              SELECT 1 FROM user_establishments other
                JOIN establishments e ON e.id = other.establishment_id AND e.active
               WHERE other.user_id = ue.user_id AND other.establishment_id <> $1)`,
        [establishmentId],
      );
      return Number(row?.n ?? 0);
    },

    /** Per región: active users assigned to one of its establishments, and those never on e-ID. */
    async countsByRegion(): Promise<Map<number, { users: number; neverUsedEid: number }>> {
      const rows = await select<{ region_id: number; users: string; never: string }>(
        sequelize,
        `SELECT e.region_id, count(DISTINCT u.id) AS users,
                count(DISTINCT u.id) FILTER (WHERE u.last_eid_login_at IS NULL) AS never
           FROM users u
           JOIN user_establishments ue ON ue.user_id = u.id
           JOIN establishments e ON e.id = ue.establishment_id
          WHERE u.status = 'active'
          GROUP BY e.region_id`,
      );
      return new Map(
        rows.map((r) => [r.region_id, { users: Number(r.users), neverUsedEid: Number(r.never) }]),
      );
    },

    /** Users who never logged in with the e-ID among those assigned to a región (or all). */
    async countNeverUsedEid(regionId: number | null): Promise<number> {
      const [row] = await select<{ n: string }>(
        sequelize,
        `SELECT count(*) AS n FROM users u
          WHERE u.status = 'active' AND u.last_eid_login_at IS NULL
            AND ($1::integer IS NULL OR EXISTS (
              SELECT 1 FROM user_establishments ue JOIN establishments e ON e.id = ue.establishment_id
               WHERE ue.user_id = u.id AND e.region_id = $1))`,
        [regionId],
      );
      return Number(row?.n ?? 0);
    },
  };
}

export type UserRepository = ReturnType<typeof createUserRepository>;

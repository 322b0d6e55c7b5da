import { Op, type Transaction } from 'sequelize';
import { select } from './sql';
import type { Models } from '../db/models';

export interface EstablishmentRecord {
  id: number;
  code: string;
  name: string;
  regionId: number;
  active: boolean;
}

/** An establishment as assigned to one person: with the assignment's own end, if any. */
export interface AssignedEstablishment extends EstablishmentRecord {
  /** The first instant after the assignment's last valid day; null: no end. */
  assignmentValidUntil: Date | null;
  /** When the person last chose it at login (or it was assigned, or reactivated). */
  lastChosenAt: Date;
}

export interface RegionRecord {
  id: number;
  code: string;
  name: string;
  eidRequiredSince: string | null;
}

const plain = <T>(row: { get(o: { plain: true }): unknown } | null): T | null =>
  row ? (row.get({ plain: true }) as T) : null;

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name, 'es');

/** Establishments and regiones sanitarias. Every write takes a transaction. */
export function createEstablishmentRepository({
  Establishment,
  Region,
  UserEstablishment,
}: Models) {
  const toRecord = (row: InstanceType<Models['Establishment']>) => plain<EstablishmentRecord>(row)!;
  return {
    findById: async (id: number, transaction?: Transaction) =>
      plain<EstablishmentRecord>(await Establishment.findByPk(id, { transaction })),

    lockById: async (id: number, transaction: Transaction) =>
      plain<EstablishmentRecord>(
        await Establishment.findByPk(id, { transaction, lock: transaction.LOCK.UPDATE }),
      ),

    findByCode: async (code: string, transaction?: Transaction) =>
      plain<EstablishmentRecord>(await Establishment.findOne({ where: { code }, transaction })),

    findByCodes: async (codes: string[], transaction?: Transaction) =>
      (await Establishment.findAll({ where: { code: { [Op.in]: codes } }, transaction })).map(
        toRecord,
      ),

    findByIds: async (ids: number[], transaction?: Transaction) =>
      (await Establishment.findAll({ where: { id: { [Op.in]: ids } }, transaction })).map(toRecord),

    /** These establishments, share-locked until the transaction ends (not moved or deactivated). */
    lockByIds: async (ids: number[], transaction: Transaction) =>
      (
        await Establishment.findAll({
          where: { id: { [Op.in]: ids } },
          transaction,
          lock: transaction.LOCK.SHARE,
        })
      ).map(toRecord),

    /** Every establishment, by name (934 in the network: small enough to list whole). */
    listAll: async (transaction?: Transaction) =>
      (await Establishment.findAll({ transaction })).map(toRecord).sort(byName),

    /**
     * The active establishments assigned to a user, by name, each with its assignment's end (an
     * ended assignment is still listed: whoever reads decides against their clock).
     */
    async listAssigned(
      userId: number,
      transaction?: Transaction,
    ): Promise<AssignedEstablishment[]> {
      const rows = await UserEstablishment.findAll({
        where: { userId },
        include: [{ model: Establishment, as: 'establishment', where: { active: true } }],
        transaction,
      });
      return rows
        .map((row) => ({
          ...toRecord((row as unknown as { establishment: never }).establishment),
          assignmentValidUntil: row.validUntil ?? null,
          lastChosenAt: row.lastChosenAt,
        }))
        .sort(byName);
    },

    /** The deactivated establishments still assigned to a user, by name. */
    async listAssignedInactive(userId: number): Promise<EstablishmentRecord[]> {
      const rows = await UserEstablishment.findAll({
        where: { userId },
        include: [{ model: Establishment, as: 'establishment', where: { active: false } }],
      });
      return rows
        .map((row) => toRecord((row as unknown as { establishment: never }).establishment))
        .sort(byName);
    },

    create: async (input: Omit<EstablishmentRecord, 'id' | 'active'>, transaction: Transaction) =>
      toRecord(await Establishment.create(input, { transaction })),

    /** Inserts several establishments in one statement (the CSV import). */
    createMany: async (
      inputs: Omit<EstablishmentRecord, 'id' | 'active'>[],
      transaction: Transaction,
    ) => (await Establishment.bulkCreate(inputs, { transaction })).map(toRecord),

    /**
     * Blocks other writers of establishments until the transaction ends (readers go on): an
     * import plans against the rows it then changes, so nobody may change them in between.
     */
    async lockForImport(transaction: Transaction): Promise<void> {
      await Establishment.sequelize!.query(
        'LOCK TABLE establishments IN SHARE ROW EXCLUSIVE MODE',
        { transaction },
      );
    },

    async update(
      id: number,
      patch: Partial<Omit<EstablishmentRecord, 'id'>>,
      transaction: Transaction,
    ): Promise<void> {
      await Establishment.update(patch, { where: { id }, transaction });
    },

    regions: {
      findById: async (id: number, transaction?: Transaction) =>
        plain<RegionRecord>(await Region.findByPk(id, { transaction })),
      findByCode: async (code: string, transaction?: Transaction) =>
        plain<RegionRecord>(await Region.findOne({ where: { code }, transaction })),
      lockById: async (id: number, transaction: Transaction) =>
        plain<RegionRecord>(
          await Region.findByPk(id, { transaction, lock: transaction.LOCK.UPDATE }),
        ),
      /** Every región, locked until the transaction ends (the network-wide rollout date). */
      lockAll: async (transaction: Transaction) =>
        (
          await Region.findAll({
            transaction,
            lock: transaction.LOCK.UPDATE,
            order: [['id', 'ASC']],
          })
        ).map((r) => plain<RegionRecord>(r)!),
      async setEidRequiredSinceAll(date: string | null, transaction: Transaction): Promise<void> {
        await Region.update({ eidRequiredSince: date }, { where: {}, transaction });
      },
      /**
       * The earliest e-ID rollout date among the regiones of the user's active establishments,
       * a región without its own date counting with `networkDefault`; null when none applies.
       */
      async eidRequiredSinceFor(
        userId: number,
        networkDefault: string | null,
      ): Promise<string | null> {
        const [row] = await select<{ since: string | null }>(
          Region.sequelize!,
          `SELECT to_char(min(COALESCE(r.eid_required_since, $2::date)), 'YYYY-MM-DD') AS since
             FROM user_establishments ue
             JOIN establishments e ON e.id = ue.establishment_id AND e.active
             JOIN regions r ON r.id = e.region_id
            WHERE ue.user_id = $1`,
          [userId, networkDefault],
        );
        return row?.since ?? null;
      },
      listAll: async (transaction?: Transaction) =>
        (await Region.findAll({ transaction })).map((r) => plain<RegionRecord>(r)!).sort(byName),
      /** The región with this code, created when new (concurrent creators get the same row). */
      async ensure(input: { code: string; name: string }, transaction: Transaction) {
        const [row, created] = await Region.findOrCreate({
          where: { code: input.code },
          defaults: input,
          transaction,
        });
        return { region: plain<RegionRecord>(row)!, created };
      },
      async update(
        id: number,
        patch: Partial<Omit<RegionRecord, 'id'>>,
        transaction: Transaction,
      ): Promise<void> {
        await Region.update(patch, { where: { id }, transaction });
      },
    },
  };
}

export type EstablishmentRepository = ReturnType<typeof createEstablishmentRepository>;

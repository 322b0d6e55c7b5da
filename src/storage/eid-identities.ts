import type { Transaction } from 'sequelize';
import type { Models } from '../db/models';

/** An (issuer, subject) pair bound to one HIS user. */
export interface EidBinding {
  id: number;
  issuer: string;
  subject: string;
  userId: number;
}

const plain = (row: { get(o: { plain: true }): unknown } | null) =>
  row ? (row.get({ plain: true }) as EidBinding) : null;

/** The e-ID bindings (eid_identities). */
export function createIdentityRepository({ EidIdentity }: Models) {
  return {
    find: async (issuer: string, subject: string) =>
      plain(await EidIdentity.findOne({ where: { issuer, subject } })),
    findForUser: async (issuer: string, userId: number) =>
      plain(await EidIdentity.findOne({ where: { issuer, userId } })),
    /** Binds the pair; a concurrent first login binding it first raises UniqueConstraintError. */
    bind: async (binding: Omit<EidBinding, 'id'>, now: Date, transaction?: Transaction) =>
      plain(await EidIdentity.create({ ...binding, lastUsedAt: now }, { transaction }))!,
    touch: async (id: number, now: Date) => {
      await EidIdentity.update({ lastUsedAt: now }, { where: { id } });
    },
    /** Removes the user's bindings (their cédula changed: the old subject is not them). */
    unbindUser: (userId: number, transaction: Transaction) =>
      EidIdentity.destroy({ where: { userId }, transaction }),
  };
}

export type IdentityRepository = ReturnType<typeof createIdentityRepository>;

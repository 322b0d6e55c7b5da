import { UniqueConstraintError } from 'sequelize';
import { EidIdentity as EidIdentityModel, User } from '../../db/models';
import { findUserByDocument } from '../../users/user-repository';
import type { EidIdentity } from './provider';

/** Stored reason codes (login_events.reason); never rename. */
export type LinkRefusal = 'eid_unknown_document' | 'eid_identity_mismatch' | 'account_disabled';

export type LinkResult = { user: User } | { refusal: LinkRefusal; user: User | null };

/**
 * Finds the HIS user of an e-ID identity: by its (issuer, subject) pair when already bound,
 * otherwise by normalised cédula, binding the pair at first use. Once bound, a user answers
 * only to that subject of that issuer.
 */
export async function linkIdentity(identity: EidIdentity, now: Date): Promise<LinkResult> {
  const where = { issuer: identity.issuer, subject: identity.subject };
  let binding = await EidIdentityModel.findOne({ where });
  let user: User | null;
  if (binding) {
    user = await User.findByPk(binding.userId);
    if (!user) return { refusal: 'eid_unknown_document', user: null };
    if (user.documentNumber !== identity.documentNumber)
      return { refusal: 'eid_identity_mismatch', user };
  } else {
    user = await findUserByDocument(identity.documentNumber);
    if (!user) return { refusal: 'eid_unknown_document', user: null };
    const other = await EidIdentityModel.findOne({
      where: { issuer: identity.issuer, userId: user.id },
    });
    if (other) return { refusal: 'eid_identity_mismatch', user };
    try {
      binding = await EidIdentityModel.create({ ...where, userId: user.id, lastUsedAt: now });
    } catch (err) {
      // Two first logins racing: the other one bound it; use that binding if it is ours.
      if (!(err instanceof UniqueConstraintError)) throw err;
      binding = await EidIdentityModel.findOne({ where });
      if (!binding || binding.userId !== user.id) return { refusal: 'eid_identity_mismatch', user };
    }
  }
  if (user.status !== 'active') return { refusal: 'account_disabled', user };
  await binding.update({ lastUsedAt: now });
  return { user };
}

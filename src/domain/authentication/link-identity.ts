import { hasExpired } from '../users/validity';
import { UniqueConstraintError } from 'sequelize';
import type { Repositories } from '../../storage/repositories';
import type { UserRecord } from '../../storage/users';
import type { EidIdentity } from '../../eid/provider';

/** Stored reason codes (login_events.reason); never rename. */
export type LinkRefusal =
  'eid_unknown_document' | 'eid_identity_mismatch' | 'account_disabled' | 'account_expired';

export type LinkResult = { user: UserRecord } | { refusal: LinkRefusal; user: UserRecord | null };

/**
 * Finds the HIS user of an e-ID identity: by its (issuer, subject) pair when already bound,
 * otherwise by normalised cédula, binding the pair at first use. Once bound, a user answers
 * only to that subject of that issuer.
 */
export async function linkIdentity(
  { users, identities }: Repositories,
  identity: EidIdentity,
  now: Date,
): Promise<LinkResult> {
  const { issuer, subject } = identity;
  let binding = await identities.find(issuer, subject);
  let user: UserRecord | null;
  if (binding) {
    user = await users.findById(binding.userId);
    if (!user) return { refusal: 'eid_unknown_document', user: null };
    if (user.documentNumber !== identity.documentNumber)
      return { refusal: 'eid_identity_mismatch', user };
  } else {
    user = await users.findByDocument(identity.documentNumber);
    if (!user) return { refusal: 'eid_unknown_document', user: null };
    if (await identities.findForUser(issuer, user.id))
      return { refusal: 'eid_identity_mismatch', user };
    try {
      binding = await identities.bind({ issuer, subject, userId: user.id }, now);
    } catch (err) {
      // Two first logins racing: the other one bound it; use that binding if it is ours.
      if (!(err instanceof UniqueConstraintError)) throw err;
      binding = await identities.find(issuer, subject);
      if (!binding || binding.userId !== user.id) return { refusal: 'eid_identity_mismatch', user };
    }
  }
  if (user.status !== 'active') return { refusal: 'account_disabled', user };
  if (hasExpired(user.validUntil, now)) return { refusal: 'account_expired', user };
  await identities.touch(binding.id, now);
  return { user };
}

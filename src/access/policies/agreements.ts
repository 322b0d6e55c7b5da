import { isAdmin, isGlobalAdmin } from '../actor';
import { gateOnly } from './rule';

export const agreementRules = {
  /** The confidentiality agreement's page: every administrator reads its text and progress. */
  'agreement.read': gateOnly(isAdmin),
  /** A new version of the agreement: network-wide administrators only (everyone accepts it). */
  'agreement.publish': gateOnly(isGlobalAdmin),
};

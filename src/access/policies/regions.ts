import { isAdmin, isGlobalAdmin } from '../actor';
import { gateOnly } from './rule';

export const regionRules = {
  'regions.list': gateOnly(isAdmin),
  'regions.manage': gateOnly(isGlobalAdmin),
  /** The date from which the e-ID is mandatory, per región or network-wide (Res. MITIC 553/2024). */
  'regions.rollout': gateOnly(isGlobalAdmin),
};

import { isGlobalAdmin } from '../actor';
import { gateOnly } from './rule';

/** The HIS modules signing people in through the OpenID Provider: network-wide admins. */
export const moduleRules = {
  'modules.list': gateOnly(isGlobalAdmin),
  'modules.register': gateOnly(isGlobalAdmin),
  'modules.disable': gateOnly(isGlobalAdmin),
  'modules.enable': gateOnly(isGlobalAdmin),
  'modules.rotateSecret': gateOnly(isGlobalAdmin),
};

import { scopesOf } from '../actor';
import { gateOnly } from './rule';

export const auditRules = {
  /** Auditors read histories (within their scope); they change nothing. */
  'audit.read': gateOnly((actor) => scopesOf(actor, 'auditor').length > 0),
};

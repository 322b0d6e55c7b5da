import type { Role } from '../../shared/roles';
import type { ReviewDecisionKind } from '../../storage/access-reviews';

/** What a review decision says on the screens, in the CSV and in the audit details. */
export const DECISION_LABELS: Readonly<Record<ReviewDecisionKind, string>> = {
  confirmed: 'Confirmado',
  changed: 'Modificado y confirmado',
  unreviewed: 'Sin revisar',
};

/**
 * A role as a decision keeps it, `admin@region:3` (src/storage/access-reviews.ts): the role and
 * its scope value (`global`, `region:ID`, `establishment:ID`), for the caller to name.
 */
export function parseRoleCode(code: string): { role: Role; scope: string } {
  const [role, scope = 'global'] = String(code).split('@');
  return { role: role as Role, scope };
}

import { scopesOf, type Actor } from '../../access/actor';
import { coversPlace, type Place } from '../../access/scope';
import type { AuditScope } from '../../storage/queries/history-types';

export type { AuditScope };

/** The auditor's reach over `all` the network's establishments (from the repository). */
export function auditScopeOf(actor: Actor, all: Place[]): AuditScope {
  const scopes = scopesOf(actor, 'auditor');
  if (scopes.some((s) => s.kind === 'global')) return { kind: 'global' };
  const establishmentIds = all
    .filter((place) => scopes.some((s) => coversPlace(s, place)))
    .map((place) => place.id);
  const regionIds = scopes.flatMap((s) => (s.kind === 'global' ? [] : [s.regionId]));
  return {
    kind: 'limited',
    establishmentIds: [...new Set(establishmentIds)].sort((a, b) => a - b),
    regionIds: [...new Set(regionIds)].sort((a, b) => a - b),
  };
}

/** Whether the scope reaches this establishment (what the filters may offer). */
export const scopeReaches = (scope: AuditScope, establishmentId: number): boolean =>
  scope.kind === 'global' || scope.establishmentIds.includes(establishmentId);

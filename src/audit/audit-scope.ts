import { scopesOf, type Actor } from '../access/actor';
import { coversPlace, type Place } from '../access/scope';

/**
 * What an auditor may read, as SQL needs it: everything, or the establishments and regiones
 * sanitarias their auditor roles reach.
 *
 * - `establishmentIds`: every establishment (active or not: history outlives them) inside one
 *   of the auditor's región or establishment scopes. Login history rows are matched on these.
 * - `regionIds`: the regiones of those scopes; for an establishment scope, the región of that
 *   establishment. admin_events rows carry only regiones (`region_ids`), so an auditor of one
 *   establishment sees the administrative actions of its whole región: an approximation towards
 *   more visibility, accepted because those rows describe accounts and places, not patients.
 */
export type AuditScope =
  { kind: 'global' } | { kind: 'limited'; establishmentIds: number[]; regionIds: number[] };

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

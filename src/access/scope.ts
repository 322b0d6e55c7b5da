import type { Role } from '../shared/roles';

/** Where a role applies: the whole network, one región sanitaria, or one establishment. */
export type Scope =
  | { kind: 'global' }
  | { kind: 'region'; regionId: number }
  | { kind: 'establishment'; establishmentId: number; regionId: number };

export interface Grant {
  role: Role;
  scope: Scope;
}

/** An establishment as the rules see it: where it is. */
export interface Place {
  id: number;
  regionId: number;
}

export const GLOBAL: Scope = { kind: 'global' };

/** Whether `scope` reaches the establishment. */
export function coversPlace(scope: Scope, place: Place): boolean {
  if (scope.kind === 'global') return true;
  if (scope.kind === 'region') return place.regionId === scope.regionId;
  return place.id === scope.establishmentId;
}

/** Whether `outer` reaches everything `inner` does (a scope never widens through a grant). */
export function coversScope(outer: Scope, inner: Scope): boolean {
  if (outer.kind === 'global') return true;
  if (inner.kind === 'global') return false;
  if (outer.kind === 'region') return inner.regionId === outer.regionId;
  return inner.kind === 'establishment' && inner.establishmentId === outer.establishmentId;
}

export function sameScope(a: Scope, b: Scope): boolean {
  return coversScope(a, b) && coversScope(b, a);
}

/** Spanish description of a scope for screens and audit details. */
export function describeScope(
  scope: Scope,
  names: { region(id: number): string; establishment(id: number): string },
): string {
  if (scope.kind === 'global') return 'toda la red';
  if (scope.kind === 'region') return `Región ${names.region(scope.regionId)}`;
  return names.establishment(scope.establishmentId);
}

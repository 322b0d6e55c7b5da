import { scopesOf, type Actor } from '../../access/actor';
import { coversPlace, coversScope, type Scope } from '../../access/scope';
import type { EstablishmentRecord, RegionRecord } from '../../storage/establishments';
import type { UserSearchScope } from '../../storage/queries/user-search';

/**
 * What an administrator reaches, as the admin screens offer it: whose users they list, the
 * establishments and regiones they may filter by, assign or move to, and the role scopes they
 * may grant. The same rules the commands check (src/access/policies), applied to lists.
 */

/**
 * Whose users the actor may list, as the rule `managesUser` decides it: everyone for a global
 * admin; otherwise the users assigned to an establishment of one of their admin scopes.
 */
export function searchScopeOf(actor: Actor): UserSearchScope {
  const scopes = scopesOf(actor, 'admin');
  if (scopes.some((s) => s.kind === 'global')) return { kind: 'global' };
  return {
    kind: 'limited',
    regionIds: scopes.flatMap((s) => (s.kind === 'region' ? [s.regionId] : [])),
    establishmentIds: scopes.flatMap((s) =>
      s.kind === 'establishment' ? [s.establishmentId] : [],
    ),
  };
}

/** Establishments the actor's admin scopes reach (what they may filter by and assign). */
export const establishmentsInScope = <E extends EstablishmentRecord>(actor: Actor, all: E[]): E[] =>
  all.filter((e) => scopesOf(actor, 'admin').some((s) => coversPlace(s, e)));

/** Regiones wholly inside the actor's admin scopes (an establishment admin has none). */
export const regionsInScope = (actor: Actor, all: RegionRecord[]): RegionRecord[] =>
  all.filter((r) =>
    scopesOf(actor, 'admin').some((s) => coversScope(s, { kind: 'region', regionId: r.id })),
  );

/** Establishments by región, for `<optgroup>`s: regiones by name, establishments by name. */
export function groupByRegion(
  establishments: EstablishmentRecord[],
  regions: RegionRecord[],
): { region: string; establishments: EstablishmentRecord[] }[] {
  return regions
    .map((r) => ({
      region: r.name,
      establishments: establishments.filter((e) => e.regionId === r.id),
    }))
    .filter((g) => g.establishments.length > 0);
}

/** One choice of where an admin or auditor role applies, as the creation form offers it. */
export interface ScopeOption {
  /** `global`, `region:ID` or `establishment:ID`: what the form sends. */
  value: string;
  label: string;
  scope: Scope;
}

/** The role scopes the actor may grant: only those their own admin scopes cover. */
export function grantableScopes(
  actor: Actor,
  regions: RegionRecord[],
  establishments: EstablishmentRecord[],
): ScopeOption[] {
  const covered = (scope: Scope) => scopesOf(actor, 'admin').some((s) => coversScope(s, scope));
  const regionName = new Map(regions.map((r) => [r.id, r.name]));
  const options: ScopeOption[] = [
    { value: 'global', label: 'Toda la red', scope: { kind: 'global' } },
    ...regions.map((r) => ({
      value: `region:${r.id}`,
      label: `Región ${r.name}`,
      scope: { kind: 'region', regionId: r.id } as Scope,
    })),
    ...establishments.map((e) => ({
      value: `establishment:${e.id}`,
      label: `${e.name} (${regionName.get(e.regionId) ?? 'sin región'})`,
      scope: { kind: 'establishment', establishmentId: e.id, regionId: e.regionId } as Scope,
    })),
  ];
  return options.filter((o) => covered(o.scope));
}

/** Regiones holding at least one establishment the actor reaches (list filters, región list). */
export function visibleRegions(
  actor: Actor,
  regions: RegionRecord[],
  establishments: EstablishmentRecord[],
): RegionRecord[] {
  const scopes = scopesOf(actor, 'admin');
  if (scopes.some((s) => s.kind === 'global')) return regions;
  const reached = new Set(establishmentsInScope(actor, establishments).map((e) => e.regionId));
  return regions.filter(
    (r) =>
      reached.has(r.id) || scopes.some((s) => coversScope(s, { kind: 'region', regionId: r.id })),
  );
}

/**
 * Regiones an establishment may be moved to by the actor: its own región always; others only
 * with a scope over both (the rule `establishments.update` decides the same on submit).
 */
export function destinationRegions(
  actor: Actor,
  regions: RegionRecord[],
  currentRegionId: number | null,
): RegionRecord[] {
  const whole = (regionId: number) =>
    scopesOf(actor, 'admin').some((s) => coversScope(s, { kind: 'region', regionId }));
  return regions.filter(
    (r) =>
      r.id === currentRegionId ||
      ((currentRegionId === null || whole(currentRegionId)) && whole(r.id)),
  );
}

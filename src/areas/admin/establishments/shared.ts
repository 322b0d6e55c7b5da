import { scopesOf, type Actor } from '../../../access/actor';
import { coversPlace, coversScope } from '../../../access/scope';
import type { EstablishmentRecord, RegionRecord } from '../../../storage/establishments';

/** Establishments the actor's admin scopes reach: what their lists show. */
export const reachableEstablishments = <E extends EstablishmentRecord>(actor: Actor, all: E[]) =>
  all.filter((e) => scopesOf(actor, 'admin').some((s) => coversPlace(s, e)));

/** Regiones holding at least one establishment the actor reaches (list filters, región list). */
export function visibleRegions(
  actor: Actor,
  regions: RegionRecord[],
  establishments: EstablishmentRecord[],
): RegionRecord[] {
  const scopes = scopesOf(actor, 'admin');
  if (scopes.some((s) => s.kind === 'global')) return regions;
  const reached = new Set(reachableEstablishments(actor, establishments).map((e) => e.regionId));
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

/** A positive integer route parameter, or null (the route then answers 404). */
export function idParam(value: unknown): number | null {
  const id = typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : 0;
  return id > 0 ? id : null;
}

import { scopesOf, type Actor } from '../../access/actor';
import type { Place } from '../../access/scope';
import type { Repositories } from '../../storage/repositories';
import type { EstablishmentRecord, RegionRecord } from '../../storage/establishments';
import { auditScopeOf, scopeReaches, type AuditScope } from '../../domain/audit/audit-scope';
import type { DetailNames } from './details-view';

/** What every audit page and export starts from: the auditor's scope and the places to offer. */
export interface HistoryContext {
  scope: AuditScope;
  places: Place[];
  placeById: Map<number, Place>;
  /** Establishments in scope, by región (for `<optgroup>`s), regiones and establishments by name. */
  establishmentGroups: { region: string; establishments: EstablishmentRecord[] }[];
  /** Regiones the auditor may filter by: all for a network-wide auditor, else their own. */
  regionOptions: RegionRecord[];
  regionName: Map<number, string>;
  /** Places by id, for the details of admin_events rows (names, not numbers). */
  names: DetailNames;
}

/** Loads the network's places (934 establishments: small enough to read whole) for the actor. */
export async function loadHistoryContext(
  repos: Repositories,
  actor: Actor,
): Promise<HistoryContext> {
  const [regions, establishments] = await Promise.all([
    repos.establishments.regions.listAll(),
    repos.establishments.listAll(),
  ]);
  const places = establishments.map(({ id, regionId }) => ({ id, regionId }));
  const regionName = new Map(regions.map((r) => [r.id, r.name]));
  const establishmentName = new Map(establishments.map((e) => [e.id, e.name]));
  const scope = auditScopeOf(actor, places);
  const inScope = establishments.filter((e) => scopeReaches(scope, e.id));
  const ownRegions = new Set(
    scopesOf(actor, 'auditor').flatMap((s) => (s.kind === 'region' ? [s.regionId] : [])),
  );
  return {
    scope,
    places,
    placeById: new Map(places.map((p) => [p.id, p])),
    establishmentGroups: regions
      .map((r) => ({
        region: r.name,
        establishments: inScope.filter((e) => e.regionId === r.id),
      }))
      .filter((g) => g.establishments.length > 0),
    regionOptions: scope.kind === 'global' ? regions : regions.filter((r) => ownRegions.has(r.id)),
    regionName,
    names: {
      establishment: (id) => establishmentName.get(id),
      region: (id) => regionName.get(id),
    },
  };
}

/** The regiones an export's audit row carries: what a regional auditor may see of it. */
export function exportRegionIds(
  ctx: HistoryContext,
  filters: { establishmentId?: number; regionId?: number },
): number[] {
  if (ctx.scope.kind === 'limited') return ctx.scope.regionIds;
  const ids = new Set<number>();
  if (filters.regionId !== undefined) ids.add(filters.regionId);
  const place =
    filters.establishmentId === undefined ? undefined : ctx.placeById.get(filters.establishmentId);
  if (place) ids.add(place.regionId);
  return [...ids];
}

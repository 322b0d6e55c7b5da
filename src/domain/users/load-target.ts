import type { Transaction } from 'sequelize';
import type { Repositories } from '../../storage/repositories';
import type { UserRecord } from '../../storage/users';
import type { EstablishmentRecord } from '../../storage/establishments';
import type { UserTarget } from '../../access/policies/users';
import type { Grant, Scope } from '../../access/scope';
import { notFound } from '../../shared/errors';

/** A role grant with its row id (what "Quitar" names). */
export type GrantWithId = Grant & { id: number };

/** A user with everything the rules and the audit need about them. */
export interface LoadedUser {
  user: UserRecord;
  /** What `can()` decides on: where the user works and what they hold. */
  target: Omit<UserTarget, 'grants'> & { grants: GrantWithId[] };
  /** Every establishment assigned to the user (active or not), by name. */
  establishments: EstablishmentRecord[];
  /** The regiones sanitarias of those establishments: who may audit a change to this user. */
  regionIds: number[];
}

const scopeOf = (
  g: { regionId: number | null; establishmentId: number | null },
  regionOf: Map<number, number>,
): Scope => {
  if (g.establishmentId)
    return {
      kind: 'establishment',
      establishmentId: g.establishmentId,
      regionId: regionOf.get(g.establishmentId) ?? 0,
    };
  return g.regionId ? { kind: 'region', regionId: g.regionId } : { kind: 'global' };
};

/**
 * Loads a user as a change sees them. With `lock` the user's row is locked FOR UPDATE until the
 * transaction ends, so two administrators changing the same user take turns, and each decides on
 * what the other committed. Unknown user: the not-found error.
 */
export async function loadUserTarget(
  repos: Repositories,
  userId: number,
  options: { transaction?: Transaction; lock?: boolean } = {},
): Promise<LoadedUser> {
  const { transaction } = options;
  const user =
    options.lock && transaction
      ? await repos.users.lockById(userId, transaction)
      : await repos.users.findById(userId, transaction);
  if (!user) throw notFound();
  const [assignedIds, grantRows] = await Promise.all([
    repos.users.assignedEstablishmentIds(userId, transaction),
    repos.users.grants(userId, transaction),
  ]);
  const grantPlaceIds = grantRows.flatMap((g) => (g.establishmentId ? [g.establishmentId] : []));
  const ids = [...new Set([...assignedIds, ...grantPlaceIds])];
  const places = ids.length ? await repos.establishments.findByIds(ids, transaction) : [];
  const regionOf = new Map(places.map((p) => [p.id, p.regionId]));
  const assigned = new Set(assignedIds);
  const establishments = places
    .filter((p) => assigned.has(p.id))
    .sort((a, b) => a.name.localeCompare(b.name, 'es'));
  return {
    user,
    target: {
      id: user.id,
      places: establishments.map(({ id, regionId }) => ({ id, regionId })),
      grants: grantRows.map((g) => ({ id: g.id, role: g.role, scope: scopeOf(g, regionOf) })),
    },
    establishments,
    regionIds: [...new Set(establishments.map((p) => p.regionId))],
  };
}

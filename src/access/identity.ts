import type { Repositories } from '../storage/repositories';
import type { UserStatus } from '../shared/roles';
import type { Actor } from './actor';
import type { Grant } from './scope';

/** An assigned, active establishment as the header, the switch and the rules need it. */
export interface IdentityPlace {
  id: number;
  code: string;
  name: string;
  regionId: number;
  /** When the assignment ends (ISO instant: the first after its last day); absent: no end. */
  validUntil?: string | null;
}

/**
 * Everything a page view needs about its user: cached in Redis (one key per user) so the
 * authenticated path never reads PostgreSQL, and rewritten whenever any of it changes.
 */
export interface Identity {
  userId: number;
  username: string;
  fullName: string;
  documentNumber: string;
  status: UserStatus;
  lastEidLoginAt: string | null;
  mustChangePassword: boolean;
  /** When the account ends (ISO instant: the first after its last day); null: no end. */
  validUntil?: string | null;
  /** The latest confidentiality agreement version the person accepted (0 or absent: none). */
  agreementVersion?: number;
  grants: Grant[];
  establishments: IdentityPlace[];
}

/** Reads the identity from PostgreSQL (the cache's cold path); null for an unknown user. */
export async function loadIdentity(repos: Repositories, userId: number): Promise<Identity | null> {
  const user = await repos.users.findById(userId);
  if (!user) return null;
  const [grants, establishments] = await Promise.all([
    repos.users.grants(userId),
    repos.establishments.listAssigned(userId),
  ]);
  const scoped = grants.flatMap((g) => (g.establishmentId ? [g.establishmentId] : []));
  const places = scoped.length ? await repos.establishments.findByIds(scoped) : [];
  const regionOf = new Map(places.map((p) => [p.id, p.regionId]));
  return {
    userId: user.id,
    username: user.username,
    fullName: user.fullName,
    documentNumber: user.documentNumber,
    status: user.status,
    lastEidLoginAt: user.lastEidLoginAt?.toISOString() ?? null,
    mustChangePassword: user.mustChangePassword,
    validUntil: user.validUntil?.toISOString() ?? null,
    agreementVersion: user.agreementVersion ?? 0,
    grants: grants.map((g) => ({
      role: g.role,
      scope: g.establishmentId
        ? {
            kind: 'establishment',
            establishmentId: g.establishmentId,
            regionId: regionOf.get(g.establishmentId) ?? 0,
          }
        : g.regionId
          ? { kind: 'region', regionId: g.regionId }
          : { kind: 'global' },
    })),
    establishments: establishments.map(({ id, code, name, regionId, assignmentValidUntil }) => ({
      id,
      code,
      name,
      regionId,
      validUntil: assignmentValidUntil?.toISOString() ?? null,
    })),
  };
}

/** The actor of a request: the identity plus the session's current establishment. */
export function actorFrom(identity: Identity, establishmentId: number | null): Actor {
  return {
    userId: identity.userId,
    username: identity.username,
    grants: identity.grants,
    establishmentId,
    establishments: identity.establishments.map(({ id, regionId }) => ({ id, regionId })),
  };
}

/** `staff`, `admin:region:3`, `auditor:establishment:12`: the role and where it applies. */
export function grantLabel(grant: Grant): string {
  const { role, scope } = grant;
  if (scope.kind === 'global') return role;
  if (scope.kind === 'region') return `${role}:region:${scope.regionId}`;
  return `${role}:establishment:${scope.establishmentId}`;
}

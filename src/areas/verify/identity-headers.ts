import type { Identity, IdentityPlace } from '../../access/identity';
import { grantLabel } from '../../access/identity';

export { grantLabel };

/**
 * The headers `GET /auth/verify` answers with, for nginx `auth_request_set` (or a forward-auth
 * proxy) to hand to the HIS module behind it. A stored contract: never rename them.
 */
export const IDENTITY_HEADERS = {
  userId: 'X-HIS-User-Id',
  username: 'X-HIS-Username',
  document: 'X-HIS-Document',
  name: 'X-HIS-Name',
  establishment: 'X-HIS-Establishment',
  establishmentId: 'X-HIS-Establishment-Id',
  roles: 'X-HIS-Roles',
} as const;

/**
 * Header values are ASCII: every text value is percent-encoded UTF-8 (RFC 3986, as
 * `encodeURIComponent`), so a name such as "Ñandutí Peña" arrives as `%C3%91andut%C3%AD%20Pe%C3%B1a`
 * and letters, digits, `-`, `.` and `_` arrive unchanged. Roles are joined with commas.
 */
export function identityHeaders(
  identity: Identity,
  establishment: IdentityPlace,
): Record<string, string> {
  return {
    [IDENTITY_HEADERS.userId]: String(identity.userId),
    [IDENTITY_HEADERS.username]: encodeURIComponent(identity.username),
    [IDENTITY_HEADERS.document]: encodeURIComponent(identity.documentNumber),
    [IDENTITY_HEADERS.name]: encodeURIComponent(identity.fullName),
    [IDENTITY_HEADERS.establishment]: encodeURIComponent(establishment.code),
    [IDENTITY_HEADERS.establishmentId]: String(establishment.id),
    [IDENTITY_HEADERS.roles]: identity.grants.map(grantLabel).join(','),
  };
}

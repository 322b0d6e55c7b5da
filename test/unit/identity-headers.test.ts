import { grantLabel, identityHeaders } from '../../src/areas/verify/identity-headers';
import type { Identity } from '../../src/access/identity';
import type { Grant } from '../../src/access/scope';

const identity = (over: Partial<Identity> = {}): Identity => ({
  userId: 42,
  username: 'mgonzalez',
  fullName: 'María González',
  documentNumber: '1234567',
  status: 'active',
  lastEidLoginAt: null,
  mustChangePassword: false,
  grants: [{ role: 'staff', scope: { kind: 'global' } }],
  establishments: [{ id: 7, code: 'HR-ITA', name: 'Hospital Regional de Itá', regionId: 3 }],
  ...over,
});
const place = { id: 7, code: 'HR-ITA', name: 'Hospital Regional de Itá', regionId: 3 };

describe('grantLabel: a role and where it applies, as X-HIS-Roles lists it', () => {
  it.each<[Grant, string]>([
    [{ role: 'staff', scope: { kind: 'global' } }, 'staff'],
    [{ role: 'admin', scope: { kind: 'region', regionId: 3 } }, 'admin:region:3'],
    [
      { role: 'auditor', scope: { kind: 'establishment', establishmentId: 12, regionId: 3 } },
      'auditor:establishment:12',
    ],
  ])('when the grant is %j then the label is %s', (grant, label) => {
    expect(grantLabel(grant)).toBe(label);
  });
});

describe('identityHeaders', () => {
  it('when the identity has several roles then they are joined with commas in grant order', () => {
    const headers = identityHeaders(
      identity({
        grants: [
          { role: 'staff', scope: { kind: 'global' } },
          { role: 'admin', scope: { kind: 'region', regionId: 3 } },
        ],
      }),
      place,
    );
    expect(headers['X-HIS-Roles']).toBe('staff,admin:region:3');
    expect(headers['X-HIS-User-Id']).toBe('42');
    expect(headers['X-HIS-Establishment']).toBe('HR-ITA');
    expect(headers['X-HIS-Establishment-Id']).toBe('7');
  });

  it('when the name has accents, spaces or line breaks then every header value is printable ASCII and decodes back', () => {
    const name = 'Ñandutí Peña\r\nX-HIS-User-Id: 1';
    const headers = identityHeaders(identity({ fullName: name }), place);
    for (const value of Object.values(headers)) expect(value).toMatch(/^[\x21-\x7e]*$/);
    expect(decodeURIComponent(headers['X-HIS-Name']!)).toBe(name);
  });

  it('when the user has no role then X-HIS-Roles is empty rather than absent', () => {
    expect(identityHeaders(identity({ grants: [] }), place)['X-HIS-Roles']).toBe('');
  });
});

import { can, gate, type Action } from '../../src/access/policies';
import {
  coversPlace,
  coversScope,
  type Grant,
  type Place,
  type Scope,
} from '../../src/access/scope';
import type { Actor } from '../../src/access/actor';
import type { UserTarget } from '../../src/access/policies/users';

// Two regiones sanitarias, two establishments each.
const R1 = 1;
const R2 = 2;
const E11: Place = { id: 11, regionId: R1 };
const E12: Place = { id: 12, regionId: R1 };
const E21: Place = { id: 21, regionId: R2 };

const global: Scope = { kind: 'global' };
const region = (regionId: number): Scope => ({ kind: 'region', regionId });
const est = (p: Place): Scope => ({
  kind: 'establishment',
  establishmentId: p.id,
  regionId: p.regionId,
});

const actor = (userId: number, ...grants: Grant[]): Actor => ({
  userId,
  username: `u${userId}`,
  grants,
  establishmentId: E11.id,
  establishments: [E11, E12],
});
const admin = (scope: Scope): Grant => ({ role: 'admin', scope });

const globalAdmin = actor(1, admin(global));
const regionAdmin = actor(2, admin(region(R1)));
const establishmentAdmin = actor(3, admin(est(E11)));
const staff = actor(4, { role: 'staff', scope: global });
const auditor = actor(5, { role: 'auditor', scope: region(R1) });
const anonymous = actor(0);

const user = (id: number, places: Place[], grants: Grant[] = []): UserTarget => ({
  id,
  places,
  grants,
});
const inR1 = user(100, [E12]);
const inR2 = user(101, [E21]);
const inBoth = user(102, [E11, E21]);
const nowhere = user(103, []);

describe('scopes', () => {
  it.each([
    [global, E21, true],
    [region(R1), E12, true],
    [region(R1), E21, false],
    [est(E11), E11, true],
    [est(E11), E12, false],
  ])('when scope %j meets place %j then covered is %s', (scope, place, expected) => {
    expect(coversPlace(scope, place)).toBe(expected);
  });

  it.each([
    [global, global, true],
    [region(R1), global, false],
    [region(R1), region(R1), true],
    [region(R1), region(R2), false],
    [region(R1), est(E12), true],
    [region(R1), est(E21), false],
    [est(E11), est(E11), true],
    [est(E11), region(R1), false],
  ])('when %j is asked to grant %j then allowed is %s', (outer, inner, expected) => {
    expect(coversScope(outer, inner)).toBe(expected);
  });
});

describe('gates: who may attempt what at all', () => {
  const table: [string, Actor, Action, boolean][] = [
    ['anonymous', anonymous, 'authenticated', false],
    ['staff', staff, 'authenticated', true],
    ['staff', staff, 'users.list', false],
    ['auditor', auditor, 'users.list', false],
    ['auditor', auditor, 'audit.read', true],
    ['staff', staff, 'audit.read', false],
    ['regional admin', regionAdmin, 'users.list', true],
    ['regional admin', regionAdmin, 'audit.read', false],
    ['regional admin', regionAdmin, 'establishments.create', false],
    ['regional admin', regionAdmin, 'establishments.import', false],
    ['regional admin', regionAdmin, 'regions.rollout', false],
    ['global admin', globalAdmin, 'establishments.import', true],
    ['global admin', globalAdmin, 'regions.rollout', true],
    ['anyone', anonymous, 'public', true],
  ];
  it.each(table)('when %s attempts %s then %s', (_who, a, action, expected) => {
    expect(gate(a, action)).toBe(expected);
  });
});

describe('users', () => {
  const table: [string, Actor, Action, unknown, boolean][] = [
    ['global admin reads a user of R2', globalAdmin, 'users.read', inR2, true],
    ['global admin reads a user with no establishment', globalAdmin, 'users.read', nowhere, true],
    ['regional admin reads a user of R1', regionAdmin, 'users.read', inR1, true],
    ['regional admin reads a user of R2', regionAdmin, 'users.read', inR2, false],
    ['regional admin reads a user of both regions', regionAdmin, 'users.read', inBoth, true],
    [
      'regional admin reads a user with no establishment',
      regionAdmin,
      'users.read',
      nowhere,
      false,
    ],
    [
      'establishment admin reads a user of another establishment',
      establishmentAdmin,
      'users.read',
      inR1,
      false,
    ],
    ['staff reads anyone', staff, 'users.read', inR1, false],
    ['auditor updates anyone', auditor, 'users.update', inR1, false],
    ['admin disables themselves', regionAdmin, 'users.disable', user(2, [E11]), false],
    ['admin disables another of R1', regionAdmin, 'users.disable', inR1, true],
    ['admin resets own password here', globalAdmin, 'users.resetPassword', user(1, [E11]), false],
  ];
  it.each(table)('when %s then %s', (_what, a, action, target, expected) => {
    expect(can(a, action, target as never)).toBe(expected);
  });

  const grants: [string, Actor, UserTarget, Scope, boolean][] = [
    ['global admin grants global', globalAdmin, inR2, global, true],
    ['regional admin grants in own region', regionAdmin, inR1, region(R1), true],
    ['regional admin grants an establishment of own region', regionAdmin, inR1, est(E12), true],
    ['regional admin grants global (wider)', regionAdmin, inR1, global, false],
    ['regional admin grants another region', regionAdmin, inR1, region(R2), false],
    ['regional admin grants to a user of another region', regionAdmin, inR2, region(R1), false],
    [
      'establishment admin grants the region',
      establishmentAdmin,
      user(9, [E11]),
      region(R1),
      false,
    ],
    ['admin grants to themselves', regionAdmin, user(2, [E11]), est(E11), false],
  ];
  it.each(grants)('when %s then %s', (_what, a, target, scope, expected) => {
    const grant: Grant = { role: 'admin', scope };
    expect(can(a, 'users.grantRole', { user: target, grant })).toBe(expected);
    expect(can(a, 'users.revokeRole', { user: target, grant })).toBe(expected);
  });

  it.each([
    ['own region', regionAdmin, inR1, E11, true],
    ['another region', regionAdmin, inR1, E21, false],
    ['a user of another region', regionAdmin, inR2, E11, false],
    ['global admin anywhere', globalAdmin, inR2, E12, true],
  ] as const)(
    'when assigning an establishment of %s then %s',
    (_what, a, target, place, expected) => {
      expect(can(a, 'users.assignEstablishment', { user: target, place })).toBe(expected);
    },
  );

  it.each([
    ['global admin with no establishment', globalAdmin, [], true],
    ['regional admin with none', regionAdmin, [], false],
    ['regional admin inside R1', regionAdmin, [E11, E12], true],
    ['regional admin with one outside', regionAdmin, [E11, E21], false],
  ] as const)('when %s creates a user then %s', (_what, a, places, expected) => {
    const grant: Grant = { role: 'staff', scope: global };
    expect(can(a, 'users.create', { places: [...places], grant })).toBe(expected);
  });
});

describe('establishments and sessions', () => {
  it.each([
    ['regional admin edits own region', regionAdmin, { place: E12 }, true],
    ['regional admin edits another region', regionAdmin, { place: E21 }, false],
    ['regional admin moves one out of the region', regionAdmin, { place: E12, moveTo: E21 }, false],
    ['global admin moves anything', globalAdmin, { place: E12, moveTo: E21 }, true],
  ] as const)('when %s then %s', (_what, a, target, expected) => {
    expect(can(a, 'establishments.update', target)).toBe(expected);
  });

  it.each([
    ['an assigned establishment', E12, true],
    ['one not assigned', E21, false],
  ])('when switching to %s then %s', (_what, place, expected) => {
    expect(can(staff, 'sessions.switchEstablishment', place)).toBe(expected);
  });
});

describe('user detail changes: no power over wider roles, nothing on oneself', () => {
  const globalAuditorInR1 = user(110, [E12], [{ role: 'auditor', scope: global }]);
  const regionAdminInR1 = user(111, [E12], [admin(region(R1))]);
  const globalStaffInR1 = user(112, [E12], [{ role: 'staff', scope: global }]);
  const auditorOfR1 = user(113, [E12], [{ role: 'auditor', scope: region(R1) }]);
  const otherGlobalAdmin = user(114, [E12], [admin(global)]);
  const staffInBoth = user(115, [E12, E21], [{ role: 'staff', scope: global }]);
  const changes: Action[] = [
    'users.update',
    'users.disable',
    'users.enable',
    'users.unlock',
    'users.resetPassword',
    'users.exempt',
    'users.endSessions',
  ];
  const table: [string, Actor, UserTarget, boolean][] = [
    ['regional admin changes a network-wide auditor of R1', regionAdmin, globalAuditorInR1, false],
    // A peer cannot reset a peer (and log in as them): only a strictly wider scope.
    ['regional admin changes another admin of R1', regionAdmin, regionAdminInR1, false],
    ['global admin changes an admin of R1', globalAdmin, regionAdminInR1, true],
    ['regional admin changes an auditor of R1', regionAdmin, auditorOfR1, true],
    ['global admin changes another global admin', globalAdmin, otherGlobalAdmin, false],
    // The whole account reaches every establishment the person works in.
    ['regional admin changes staff who also works in R2', regionAdmin, staffInBoth, false],
    ['global admin changes staff who works in R1 and R2', globalAdmin, staffInBoth, true],
    ['regional admin changes network-wide staff of R1', regionAdmin, globalStaffInR1, true],
    ['global admin changes a network-wide auditor', globalAdmin, globalAuditorInR1, true],
    ['establishment admin changes a regional admin', establishmentAdmin, regionAdminInR1, false],
  ];
  for (const action of changes) {
    it.each(table)(`when %s (${action}) then %s`, (_what, a, target, expected) => {
      expect(can(a, action, target as never)).toBe(expected);
    });
  }

  it('when a person works in R1 and R2 then their R1 admin still sees them and may remove or add an R1 establishment, not an R2 one', () => {
    expect(can(regionAdmin, 'users.read', staffInBoth)).toBe(true);
    expect(can(regionAdmin, 'users.unassignEstablishment', { user: staffInBoth, place: E12 })).toBe(
      true,
    );
    expect(can(regionAdmin, 'users.assignEstablishment', { user: staffInBoth, place: E11 })).toBe(
      true,
    );
    expect(can(regionAdmin, 'users.unassignEstablishment', { user: staffInBoth, place: E21 })).toBe(
      false,
    );
    const staffRole: Grant = { role: 'staff', scope: global };
    expect(can(regionAdmin, 'users.grantRole', { user: staffInBoth, grant: staffRole })).toBe(
      false,
    );
  });

  it('when a regional admin acts on a peer admin of R1 then even an R1 establishment is refused', () => {
    expect(
      can(regionAdmin, 'users.assignEstablishment', { user: regionAdminInR1, place: E11 }),
    ).toBe(false);
  });

  it('when a regional admin reads a network-wide auditor of R1 then allowed (seeing is not changing)', () => {
    expect(can(regionAdmin, 'users.read', globalAuditorInR1)).toBe(true);
  });

  it.each([
    ['users.exempt', true],
    ['users.resetPassword', true],
    ['users.disable', true],
    ['users.update', false],
    ['users.endSessions', false],
  ] as const)('when an admin does %s on themselves then refused is %s', (action, refused) => {
    expect(can(globalAdmin, action, user(1, [E11], [admin(global)]))).toBe(!refused);
  });

  it.each([
    ['assign', 'users.assignEstablishment'],
    ['unassign', 'users.unassignEstablishment'],
  ] as const)(
    'when a regional admin would %s a place for a network-wide auditor then refused',
    (_what, action) => {
      expect(can(regionAdmin, action, { user: globalAuditorInR1, place: E11 })).toBe(false);
      expect(can(regionAdmin, action, { user: globalStaffInR1, place: E11 })).toBe(true);
    },
  );

  it.each([
    ['staff', global, true],
    ['auditor', global, false],
    ['admin', region(R2), false],
    ['auditor', est(E12), true],
  ] as const)(
    'when a regional admin grants or revokes %s in %j for a user of R1 then allowed is %s',
    (role, scope, expected) => {
      const grant: Grant = { role, scope };
      expect(can(regionAdmin, 'users.grantRole', { user: inR1, grant })).toBe(expected);
      expect(can(regionAdmin, 'users.revokeRole', { user: inR1, grant })).toBe(expected);
    },
  );

  it('when a regional admin revokes a role of a network-wide auditor then refused', () => {
    const grant: Grant = { role: 'staff', scope: region(R1) };
    expect(can(regionAdmin, 'users.revokeRole', { user: globalAuditorInR1, grant })).toBe(false);
  });
});

describe('users.create: the initial role never wider than the creator', () => {
  const auditorIn = (scope: Scope): Grant => ({ role: 'auditor', scope });
  const table: [string, Actor, Place[], Grant, boolean][] = [
    ['global admin, staff anywhere', globalAdmin, [E21], { role: 'staff', scope: global }, true],
    ['global admin, global admin role', globalAdmin, [E21], admin(global), true],
    ['regional admin, staff in R1', regionAdmin, [E12], { role: 'staff', scope: global }, true],
    ['regional admin, admin of R1', regionAdmin, [E12], admin(region(R1)), true],
    ['regional admin, auditor of an R1 place', regionAdmin, [E12], auditorIn(est(E12)), true],
    ['regional admin, global admin role', regionAdmin, [E12], admin(global), false],
    ['regional admin, global auditor role', regionAdmin, [E12], auditorIn(global), false],
    ['regional admin, admin of R2', regionAdmin, [E12], admin(region(R2)), false],
    [
      'regional admin, staff placed in R2',
      regionAdmin,
      [E21],
      { role: 'staff', scope: global },
      false,
    ],
    [
      'establishment admin, admin of its región',
      establishmentAdmin,
      [E11],
      admin(region(R1)),
      false,
    ],
    ['establishment admin, admin of itself', establishmentAdmin, [E11], admin(est(E11)), true],
    [
      'establishment admin, staff elsewhere in R1',
      establishmentAdmin,
      [E12],
      { role: 'staff', scope: global },
      false,
    ],
    ['auditor, staff in R1', auditor, [E11], { role: 'staff', scope: global }, false],
  ];
  it.each(table)('when %s then %s', (_what, a, places, grant, expected) => {
    expect(can(a, 'users.create', { places, grant })).toBe(expected);
  });
});

describe('establishment edits, moves between regiones and (de)activation', () => {
  const E11moved = (regionId: number): Place => ({ id: E11.id, regionId });
  it.each([
    [
      'an establishment admin renames their own',
      establishmentAdmin,
      { place: E11, moveTo: E11 },
      true,
    ],
    [
      'an establishment admin moves their own to another región',
      establishmentAdmin,
      { place: E11, moveTo: E11moved(R2) },
      false,
    ],
    [
      'an establishment admin edits another of the región',
      establishmentAdmin,
      { place: E12 },
      false,
    ],
    ['a regional admin keeps it in the región', regionAdmin, { place: E11, moveTo: E11 }, true],
    [
      'a regional admin moves one of theirs out',
      regionAdmin,
      { place: E11, moveTo: E11moved(R2) },
      false,
    ],
    [
      'a regional admin pulls one in from another región',
      regionAdmin,
      { place: E21, moveTo: { id: E21.id, regionId: R1 } },
      false,
    ],
    [
      'a global admin moves one between regiones',
      globalAdmin,
      { place: E11, moveTo: E11moved(R2) },
      true,
    ],
    ['staff edits one of theirs', staff, { place: E11 }, false],
    ['an auditor edits one of their región', auditor, { place: E11 }, false],
  ] as const)('when %s then %s', (_what, a, target, expected) => {
    expect(can(a, 'establishments.update', target)).toBe(expected);
  });

  it.each([
    ['a regional admin, own región', regionAdmin, E12, true],
    ['a regional admin, another región', regionAdmin, E21, false],
    ['an establishment admin, their own', establishmentAdmin, E11, true],
    ['an establishment admin, a neighbour', establishmentAdmin, E12, false],
    ['a global admin, anywhere', globalAdmin, E21, true],
    ['staff', staff, E11, false],
  ] as const)('when %s (de)activates then %s', (_what, a, place, expected) => {
    expect(can(a, 'establishments.deactivate', { place })).toBe(expected);
    expect(can(a, 'establishments.activate', { place })).toBe(expected);
  });

  it.each([
    ['a regional admin', regionAdmin, 'regions.list', true],
    ['an auditor', auditor, 'regions.list', false],
    ['a regional admin', regionAdmin, 'regions.manage', false],
    ['a global admin', globalAdmin, 'regions.manage', true],
    ['an establishment admin', establishmentAdmin, 'establishments.list', true],
    ['staff', staff, 'establishments.list', false],
    ['an establishment admin', establishmentAdmin, 'establishments.create', false],
    ['an auditor', auditor, 'establishments.activate', false],
  ] as const)('when %s asks for %s then the gate says %s', (_who, a, action, expected) => {
    expect(gate(a, action)).toBe(expected);
  });
});

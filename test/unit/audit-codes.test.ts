import { ACTION_LABELS } from '../../src/domain/audit/labels';
import { RULES } from '../../src/access/policies';
import { assignEstablishment } from '../../src/domain/users/commands/assign-establishment';
import { clearExemption } from '../../src/domain/users/commands/clear-exemption';
import { createUserCommand } from '../../src/domain/users/commands/create-user';
import { disableUser } from '../../src/domain/users/commands/disable';
import { enableUser } from '../../src/domain/users/commands/enable';
import { endAllSessions } from '../../src/domain/users/commands/end-all-sessions';
import { endSession } from '../../src/domain/users/commands/end-session';
import { grantRole } from '../../src/domain/users/commands/grant-role';
import { resetPassword } from '../../src/domain/users/commands/reset-password';
import { revokeRole } from '../../src/domain/users/commands/revoke-role';
import { setExemption } from '../../src/domain/users/commands/set-exemption';
import { unassignEstablishment } from '../../src/domain/users/commands/unassign-establishment';
import { unlockUser } from '../../src/domain/users/commands/unlock';
import { updateProfile } from '../../src/domain/users/commands/update-profile';
import { addRegion } from '../../src/domain/establishments/commands/add-region';
import { createEstablishment } from '../../src/domain/establishments/commands/create-establishment';
import { importEstablishments } from '../../src/domain/establishments/commands/import-establishments';
import { renameRegion } from '../../src/domain/establishments/commands/rename-region';
import {
  activateEstablishment,
  deactivateEstablishment,
} from '../../src/domain/establishments/commands/set-establishment-active';
import { setRollout } from '../../src/domain/establishments/commands/set-rollout';
import { updateEstablishment } from '../../src/domain/establishments/commands/update-establishment';
import { closeOtherSessions } from '../../src/domain/sessions/commands/close-other-sessions';
import { changePassword } from '../../src/domain/passwords/commands/change-password';
import { resetPasswordWithEid } from '../../src/domain/passwords/commands/reset-with-eid';

/**
 * Every command that writes admin_events, built with empty dependencies (building one does no
 * I/O): what its audit code is, and whether an auditor can tell its rows from every other's.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const none = {} as any;
const ADMIN_COMMANDS = [
  assignEstablishment,
  clearExemption,
  createUserCommand,
  disableUser,
  enableUser,
  endAllSessions,
  endSession,
  grantRole,
  resetPassword,
  revokeRole,
  setExemption,
  unassignEstablishment,
  unlockUser,
  updateProfile,
  addRegion,
  createEstablishment,
  importEstablishments,
  renameRegion,
  activateEstablishment,
  deactivateEstablishment,
  setRollout,
  updateEstablishment,
  closeOtherSessions,
  changePassword,
  resetPasswordWithEid,
].map((build) => build(none));

describe('audit codes', () => {
  it('when two commands do different things then their rows carry different codes', () => {
    const codes = ADMIN_COMMANDS.map((c) => c.auditCode);
    const shared = codes.filter((code, i) => codes.indexOf(code) !== i);
    expect(shared).toEqual([]);
    expect(codes).toHaveLength(25);
  });

  it('when a command stores a code then auditors see it with a Spanish label', () => {
    expect(
      ADMIN_COMMANDS.filter((c) => !(c.auditCode in ACTION_LABELS)).map((c) => c.auditCode),
    ).toEqual([]);
  });

  it('when an act shared its policy with another then it has a code of its own (old rows keep theirs)', () => {
    const codes = (c: { action: string; auditCode: string }) => [c.action, c.auditCode];
    expect(
      [clearExemption, setExemption, addRegion, renameRegion].map((build) => codes(build(none))),
    ).toEqual([
      ['users.exempt', 'users.clearExemption'],
      ['users.exempt', 'users.exempt'],
      ['regions.manage', 'regions.create'],
      ['regions.manage', 'regions.rename'],
    ]);
    expect(endSession(none).auditCode).toBe('users.endSession');
    expect(endAllSessions(none).auditCode).toBe('users.endAllSessions');
    // The codes stored before keep their labels.
    for (const old of ['users.endSessions', 'regions.manage'])
      expect(ACTION_LABELS[old]).toEqual(expect.any(String));
  });

  it('when a command names its policy then that policy exists (the route takes it from the command)', () => {
    expect(ADMIN_COMMANDS.filter((c) => !(c.action in RULES)).map((c) => c.action)).toEqual([]);
  });
});

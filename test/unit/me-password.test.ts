import { passwordMode } from '../../src/domain/passwords/commands/change-password';
import { acceptedPasswordFields, newPasswordErrors } from '../../src/domain/passwords/new-password';
import { hashPassword, verifyPassword } from '../../src/domain/passwords/hashing';

const owner = {
  fullName: 'María Elena González',
  username: 'mgonzalez',
  documentNumber: '4123456',
};
const STRONG = 'tortuga violeta bajo la lluvia';
// "ñ" as one code point (NFC) and as "n" + combining tilde (NFD).
const NFC = 'la cigüeña baila sobre el tejado';
const NFD = NFC.normalize('NFD');

describe('passwordMode', () => {
  it.each([
    [true, false, 'classic', 'change'],
    [true, false, 'eid', 'change'],
    [true, true, 'classic', 'forced'],
    [true, true, 'eid', 'forced'],
    [false, false, 'eid', 'first'],
    [false, false, 'classic', 'eid_required'],
  ] as const)(
    'when the account has a password: %s, a one-time one: %s, and the session came from %s then the mode is %s',
    (hasPassword, mustChangePassword, method, mode) => {
      expect(passwordMode({ hasPassword, mustChangePassword }, method)).toBe(mode);
    },
  );
});

describe('acceptedPasswordFields', () => {
  const typed = { currentPassword: 'vieja', newPassword: STRONG, confirmation: STRONG };

  it('when only the current password was wrong then the new pair is kept', () => {
    expect(acceptedPasswordFields(typed, { currentPassword: 'x' })).toEqual({
      newPassword: STRONG,
      confirmation: STRONG,
    });
  });

  it('when the new password was refused then only the current one is kept', () => {
    expect(acceptedPasswordFields(typed, { newPassword: 'x' })).toEqual({
      currentPassword: 'vieja',
    });
  });

  it('when the confirmation differs then neither of the pair is kept', () => {
    expect(acceptedPasswordFields(typed, { confirmation: 'x' })).toEqual({
      currentPassword: 'vieja',
    });
  });

  it('when fields are missing or not text then nothing is made up', () => {
    expect(acceptedPasswordFields({ currentPassword: ['a'] }, {})).toEqual({});
    expect(acceptedPasswordFields(undefined, {})).toEqual({});
  });
});

describe('newPasswordErrors', () => {
  it('when both fields are empty then each says what to type', () => {
    expect(newPasswordErrors({ newPassword: '', confirmation: '' }, owner)).toEqual({
      newPassword: 'Ingrese la nueva contraseña.',
      confirmation: 'Repita la nueva contraseña.',
    });
  });

  it('when the password is acceptable and repeated then there is no error', () => {
    expect(newPasswordErrors({ newPassword: STRONG, confirmation: STRONG }, owner)).toEqual({});
  });

  it('when the confirmation differs then only the confirmation has an error', () => {
    expect(newPasswordErrors({ newPassword: STRONG, confirmation: 'otra' }, owner)).toEqual({
      confirmation: 'La confirmación no coincide con la nueva contraseña.',
    });
  });

  it('when the password is the one being replaced then it is refused whatever its strength', () => {
    expect(newPasswordErrors({ newPassword: STRONG, confirmation: STRONG }, owner, true)).toEqual({
      newPassword: 'La nueva contraseña debe ser distinta de la actual.',
    });
  });

  it('when the confirmation is the same text in another Unicode form then it matches', () => {
    expect(newPasswordErrors({ newPassword: NFC, confirmation: NFD }, owner)).toEqual({});
  });
});

describe('password hashing in NFC', () => {
  it('when a password was typed in NFD then its NFC spelling verifies, and the other way round', async () => {
    expect(await verifyPassword(await hashPassword(NFD), NFC)).toBe(true);
    expect(await verifyPassword(await hashPassword(NFC), NFD)).toBe(true);
    expect(await verifyPassword(await hashPassword(NFC), STRONG)).toBe(false);
  });
});

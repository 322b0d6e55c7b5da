import fc from 'fast-check';
import {
  checkNewPassword,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  type PasswordOwner,
} from '../../src/domain/passwords/policy';
import { generateOneTimePassword } from '../../src/domain/passwords/one-time';

const maria: PasswordOwner = {
  fullName: 'María Elena González de los Santos',
  username: 'mgonzalez',
  documentNumber: '1.234.567',
};
const juan: PasswordOwner = {
  fullName: 'Juan Pérez',
  username: 'jperez',
  documentNumber: '4.518.273',
};
const codeOf = (password: string, owner: PasswordOwner = maria) =>
  checkNewPassword(password, owner)?.code ?? null;

describe('checkNewPassword: length in code points', () => {
  const phrase = 'cuatro caballos verdes saltan el arroyo '.repeat(4);
  it.each([
    { label: '11 characters', password: 'caballoazul', expected: 'too_short' },
    { label: '12 good characters', password: 'kw7zb qt9xhf', expected: null },
    { label: 'a strong passphrase', password: 'cuatro caballos verdes saltan', expected: null },
    { label: '129 characters', password: phrase.slice(0, 129), expected: 'too_long' },
    { label: '128 strong characters', password: phrase.slice(0, 128), expected: null },
  ])('when the password is $label then the result is $expected', ({ password, expected }) => {
    expect(codeOf(password)).toBe(expected);
  });

  it('when 4 emoji and 7 letters (15 UTF-16 units) are given then it is too short', () => {
    const password = '🐎🌵🔥🦜kw7zbqt';
    expect(password.length).toBeGreaterThanOrEqual(PASSWORD_MIN_LENGTH);
    expect(codeOf(password)).toBe('too_short');
  });

  it('when 4 emoji and 8 letters (12 code points) are given then it is accepted', () => {
    expect(codeOf('🐎🌵🔥🦜kw7zbqt9')).toBeNull();
  });

  it('when 128 emoji (256 UTF-16 units) are given then they are not too long, 129 are', () => {
    expect(codeOf('🐎🌵🔥🦜'.repeat(32))).not.toBe('too_long');
    expect(codeOf('🐎🌵🔥🦜'.repeat(32) + '🐎')).toBe('too_long');
  });
});

describe('checkNewPassword: common and guessable passwords', () => {
  it.each(['password1234', 'contraseña123', '123456789012', 'qwertyuiopas', 'abcdefghijkl'])(
    'when the password is "%s" then it is refused as common',
    (password) => {
      expect(codeOf(password, juan)).toBe('common');
    },
  );

  it.each(['aaaaaaaaaaaa', 'P@ssw0rd2024!'])(
    'when the password is "%s" then it is refused',
    (p) => {
      expect(codeOf(p)).toMatch(/^(common|weak)$/);
    },
  );

  it.each(['cuatro caballos verdes saltan', 'la casa de mi madre', 'mi perro come mandarinas'])(
    'when an all-lowercase passphrase without digits "%s" is given then it passes (no composition rules)',
    (password) => {
      expect(codeOf(password)).toBeNull();
    },
  );
});

describe('checkNewPassword: built from the person’s own data', () => {
  it.each([
    ['surname without accent plus year', 'Gonzalez2026!!'],
    ['surname with accent, upper case', 'GONZÁLEZ-2026-!!'],
    ['first names joined', 'mariaelena2024'],
    ['surname in l33t', 'G0nz4l3z!2026'],
    ['username plus digits', 'mgonzalez2026!'],
    ['cédula with dots', '1.234.567-abcd'],
    ['cédula without dots inside letters', 'abcd1234567xyz'],
    ['second surname and first name', 'SantosMaria#99'],
  ])('when the password is the %s ("%s") then it is personal', (_label, password) => {
    expect(codeOf(password)).toBe('personal');
  });

  it('when a long passphrase merely mentions the surname then it passes', () => {
    expect(codeOf('la doctora gonzalez atiende los lunes')).toBeNull();
  });

  it('when the same password belongs to someone else then it is not personal', () => {
    expect(codeOf('1.234.567-abcd', juan)).not.toBe('personal');
    expect(codeOf('Gonzalez2026!!', juan)).not.toBe('personal');
  });

  it('when a sequence is also the cédula then the personal rule wins', () => {
    expect(codeOf('123456789012', maria)).toBe('personal');
  });

  it('when the name particle "de" appears in a passphrase then it does not count as the name', () => {
    expect(codeOf('de vez en cuando de noche llueve')).toBeNull();
  });
});

describe('checkNewPassword: messages', () => {
  it.each([
    ['short', 'too_short', /al menos 12 caracteres/],
    ['x'.repeat(129), 'too_long', /como máximo 128 caracteres/],
    ['Gonzalez2026!!', 'personal', /nombre, su usuario o su cédula/],
    ['password1234', 'common', /demasiado común/],
  ])('when "%s" is refused as %s then the message is in Spanish', (password, code, message) => {
    const problem = checkNewPassword(password, maria);
    expect(problem?.code).toBe(code);
    expect(problem?.message).toMatch(message);
  });

  it('when any string is checked then the length codes follow code points and every problem has a message', () => {
    const known = new Set(['too_short', 'too_long', 'personal', 'common', 'weak']);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 140 }), (password) => {
        const problem = checkNewPassword(password, maria);
        const length = [...password.normalize('NFC')].length;
        expect(problem?.code === 'too_short').toBe(length < PASSWORD_MIN_LENGTH);
        expect(problem?.code === 'too_long').toBe(length > PASSWORD_MAX_LENGTH);
        if (problem) {
          expect(known.has(problem.code)).toBe(true);
          expect(problem.message).toMatch(/^[A-ZÁÉÍÓÚÑ].*\.$/);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('generateOneTimePassword', () => {
  const FORMAT = /^[a-km-np-z2-9]{4}(-[a-km-np-z2-9]{4}){3}$/;

  it('when generated then it is four groups of four from the unambiguous alphabet', () => {
    for (let i = 0; i < 50; i += 1) {
      const otp = generateOneTimePassword();
      expect(otp).toMatch(FORMAT);
      expect(otp).not.toMatch(/[0O1lIo]/);
    }
  });

  it('when 1,000 are generated then all are distinct, long enough and use the whole alphabet', () => {
    const otps = Array.from({ length: 1000 }, generateOneTimePassword);
    expect(new Set(otps).size).toBe(1000);
    expect(otps.every((otp) => [...otp].length >= PASSWORD_MIN_LENGTH)).toBe(true);
    const symbols = new Set(otps.join('').replaceAll('-', ''));
    expect([...symbols].sort().join('')).toBe('23456789abcdefghijkmnpqrstuvwxyz');
  });

  it('when generated then it passes the policy for its holder', () => {
    for (let i = 0; i < 20; i += 1) {
      expect(checkNewPassword(generateOneTimePassword(), maria)).toBeNull();
    }
  });
});

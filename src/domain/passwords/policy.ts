import type { ZxcvbnFactory, ZxcvbnResult } from '@zxcvbn-ts/core';
import { normalizeCedula } from '../../shared/cedula';

/** Why a new password is refused. The codes are a stable contract (logs, tests, views). */
export type PasswordProblem = {
  code: 'too_short' | 'too_long' | 'personal' | 'common' | 'weak';
  /** Spanish, safe to show next to the password field. */
  message: string;
};

/** The account holder's own data, which a password must not be built from. */
export type PasswordOwner = { fullName: string; username: string; documentNumber: string };

/** Limits in Unicode code points (ASVS 5.0 V6.2.1 and V6.2.9, NIST 800-63B §3.1.1.2). */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

const MESSAGES: Record<PasswordProblem['code'], string> = {
  too_short: `Use al menos ${PASSWORD_MIN_LENGTH} caracteres.`,
  too_long: `Use como máximo ${PASSWORD_MAX_LENGTH} caracteres.`,
  personal: 'La contraseña no puede basarse en su nombre, su usuario o su cédula.',
  common:
    'Esa contraseña es demasiado común. Elija otra, por ejemplo una frase de varias palabras.',
  weak: 'Esa contraseña es fácil de adivinar. Use una frase más larga, de varias palabras.',
};
const problem = (code: PasswordProblem['code']): PasswordProblem => ({
  code,
  message: MESSAGES[code],
});

// zxcvbn's matchers grow much faster than linearly with length and with l33t candidates (a
// 128-digit input took over a second): it sees only the first 64 code points, which already
// decide between a guessable and a strong password, and at most 10 l33t substitutions.
const ZXCVBN_INPUT_CODE_POINTS = 64;
let checker: ZxcvbnFactory | undefined;

/** Builds zxcvbn with its dictionaries (about 150,000 words) on first use, once. */
function strengthChecker(): ZxcvbnFactory {
  if (checker) return checker;
  /* eslint-disable @typescript-eslint/no-require-imports -- lazy: the dictionaries are large */
  const core = require('@zxcvbn-ts/core') as typeof import('@zxcvbn-ts/core');
  const common =
    require('@zxcvbn-ts/language-common') as typeof import('@zxcvbn-ts/language-common');
  const spanish =
    require('@zxcvbn-ts/language-es-es') as typeof import('@zxcvbn-ts/language-es-es');
  /* eslint-enable @typescript-eslint/no-require-imports */
  checker = new core.ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...spanish.dictionary },
    graphs: common.adjacencyGraphs,
    l33tMaxSubstitutions: 10,
    maxLength: 2 * ZXCVBN_INPUT_CODE_POINTS,
  });
  return checker;
}

/** Lower case without accents: "María González" → "maria gonzalez". */
const fold = (text: string): string => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
// Digits and symbols commonly typed for letters; "1" is read both as "i" and as "l".
const unLeet = (text: string, one: string): string =>
  text.replace(/[013457@$]/g, (c) => (c === '1' ? one : 'oeastas'.charAt('03457@$'.indexOf(c))));
const NAME_PARTICLES = new Set(['de', 'del', 'la', 'las', 'los', 'y', 'da', 'dos', 'van', 'von']);

/**
 * The explicit "own data" rule, on top of zxcvbn's user inputs (which only lower the score):
 * - the cédula's digits (5 or more) appear in the password's digits, separators ignored
 *   ("1.234.567-abcd", "abcd1234567");
 * - or the name parts (3+ letters, particles like "de" aside) and the username's letters make up
 *   at least half of the password's letters, accents and case folded, read as typed and with
 *   common l33t digits as letters ("Gonzalez2026!!", "mariaelena2024", "G0nz4l3z!").
 * A long passphrase that merely contains a name ("la doctora gonzalez atiende los lunes") passes.
 */
function isBuiltFromOwnData(password: string, owner: PasswordOwner): boolean {
  const folded = fold(password);
  const cedula = normalizeCedula(owner.documentNumber);
  if (cedula && cedula.length >= 5 && folded.replace(/\D/g, '').includes(cedula)) return true;
  const words = [
    ...fold(owner.fullName).split(/\P{L}+/u),
    fold(owner.username).replace(/\P{L}/gu, ''),
  ]
    .filter((word) => word.length >= 3 && !NAME_PARTICLES.has(word))
    .sort((a, b) => b.length - a.length);
  return [folded, unLeet(folded, 'i'), unLeet(folded, 'l')].some((variant) => {
    const letters = variant.replace(/\P{L}/gu, '');
    const rest = words.reduce((left, word) => left.replaceAll(word, ''), letters);
    return letters.length > 0 && 2 * (letters.length - rest.length) >= letters.length;
  });
}

/** What zxcvbn is told about the person, so that matches against it score as trivially guessable. */
function userInputs(owner: PasswordOwner): string[] {
  const parts = [owner.fullName, fold(owner.fullName)].flatMap((name) => name.split(/\s+/));
  const cedula = normalizeCedula(owner.documentNumber);
  return [...parts, owner.username, ...(cedula ? [cedula] : [])].filter((s) => s.length >= 3);
}

/** "common" when dictionary words and known patterns make up most of it, "weak" otherwise. */
function classifyGuessable(result: ZxcvbnResult): PasswordProblem {
  const isUserInput = (m: ZxcvbnResult['sequence'][number]) =>
    m.pattern === 'dictionary' && m.dictionaryName === 'userInputs';
  if (result.sequence.some(isUserInput)) return problem('personal');
  const unmatched = result.sequence
    .filter((m) => m.pattern === 'bruteforce')
    .reduce((sum, m) => sum + m.token.length, 0);
  return problem(2 * unmatched < result.password.length ? 'common' : 'weak');
}

/**
 * Checks a new password against the policy (OWASP ASVS 5.0, NIST 800-63B): 12 to 128 Unicode
 * code points (NFC), no composition rules, not built from the owner's name, username or cédula,
 * not a common password or word, and zxcvbn score of at least 3 (about 10^8 guesses).
 * Returns the first problem found, or null when the password is acceptable. Pure; the first call
 * loads the dictionaries (a few hundred milliseconds), later calls take milliseconds.
 */
export function checkNewPassword(password: string, owner: PasswordOwner): PasswordProblem | null {
  const codePoints = [...password.normalize('NFC')];
  if (codePoints.length < PASSWORD_MIN_LENGTH) return problem('too_short');
  if (codePoints.length > PASSWORD_MAX_LENGTH) return problem('too_long');
  if (isBuiltFromOwnData(password, owner)) return problem('personal');
  const input = codePoints.slice(0, ZXCVBN_INPUT_CODE_POINTS).join('');
  const result = strengthChecker().check(input, userInputs(owner));
  return result.score >= 3 ? null : classifyGuessable(result);
}

import { randomInt } from 'node:crypto';

// 32 symbols (5 bits each): a-z without l and o, digits 2-9; nothing to confuse with 0/O/1/l/I,
// and lower case only so that it can be read aloud without "mayúscula".
const OTP_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';
const OTP_GROUPS = 4;
const OTP_GROUP_LENGTH = 4;

/**
 * A random one-time password for an administrator to read aloud or hand over on paper, e.g.
 * "kqzt-8vbn-w4pa-3hxe": 16 symbols drawn uniformly (crypto.randomInt) from 32, that is
 * 16 × 5 = 80 bits of entropy. The hyphens are layout only. The holder must change it at first use.
 */
export function generateOneTimePassword(): string {
  const group = () =>
    Array.from({ length: OTP_GROUP_LENGTH }, () =>
      OTP_ALPHABET.charAt(randomInt(OTP_ALPHABET.length)),
    ).join('');
  return Array.from({ length: OTP_GROUPS }, group).join('-');
}

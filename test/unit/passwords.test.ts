import { parseOptions } from '@node-rs/argon2';
import { ARGON2_OPTIONS, hashPassword, verifyPassword } from '../../src/domain/passwords/hashing';

describe('passwords', () => {
  it('when a password is hashed then it is argon2id with OWASP parameters and verifies', async () => {
    const stored = await hashPassword('una-clave-larga');
    expect(stored.startsWith('$argon2id$v=19$m=19456,t=2,p=1$')).toBe(true);
    expect(parseOptions(stored)).toMatchObject(ARGON2_OPTIONS);
    expect(await verifyPassword(stored, 'una-clave-larga')).toBe(true);
    expect(await verifyPassword(stored, 'otra-clave')).toBe(false);
  });

  it('when there is no stored hash then nothing verifies, whatever the password', async () => {
    expect(await verifyPassword(null, '')).toBe(false);
    expect(await verifyPassword(null, 'una-clave-larga')).toBe(false);
  });
});

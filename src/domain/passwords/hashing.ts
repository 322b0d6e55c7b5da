import { hash, verify } from '@node-rs/argon2';

/** OWASP's minimum for argon2id: 19 MiB, 2 iterations, 1 lane (the library's default algorithm). */
export const ARGON2_OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/**
 * Passwords are hashed and verified in Unicode NFC, as the policy measures them: "ñ" typed as one
 * code point or as "n" + combining tilde (some keyboards, copy-paste) is the same password.
 */
export const hashPassword = (password: string): Promise<string> =>
  hash(password.normalize('NFC'), ARGON2_OPTIONS);

/**
 * A hash of a random password nobody knows, with {@link ARGON2_OPTIONS}: verifying against it
 * costs what a real verification costs, from the very first request, with no work at start-up.
 */
const DUMMY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$HCs5FkhIettkJfZ7puSLMw$9l4VIwfvFGcWItRUCun9SU4rnvJu/TqlDbqSwwZMbE8';

/**
 * Verifies a password. With no stored hash (unknown user, e-ID-only account) it still verifies
 * against a dummy hash so that the response takes the same time, and returns false.
 */
export async function verifyPassword(
  storedHash: string | null,
  password: string,
): Promise<boolean> {
  const ok = await verify(storedHash ?? DUMMY_HASH, password.normalize('NFC')).catch(() => false);
  return storedHash !== null && ok;
}

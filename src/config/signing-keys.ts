import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';

/**
 * An Ed25519 key from one line of configuration: the base64 of its DER (PKCS#8 for a private key,
 * SPKI for a public one), as `npm run cli -- audit:keygen` prints them.
 */
function key(kind: 'private' | 'public', value: string): KeyObject | null {
  try {
    const der = Buffer.from(value, 'base64');
    const k =
      kind === 'private'
        ? createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
        : createPublicKey({ key: der, format: 'der', type: 'spki' });
    return k.asymmetricKeyType === 'ed25519' ? k : null;
  } catch {
    return null;
  }
}

const ERROR = 'must be the base64 of an Ed25519 key (npm run cli -- audit:keygen prints one)';

/** AUDIT_CHECKPOINT_KEY: the checkpoints' signing key; unset: no checkpoints. */
export const privateKeySchema = z
  .string()
  .optional()
  .refine((v) => v === undefined || key('private', v.trim()) !== null, { error: ERROR })
  .transform((v) => (v === undefined ? null : key('private', v.trim())));

/** AUDIT_CHECKPOINT_PUBLIC_KEYS: earlier keys' public halves, comma-separated (rotation). */
export const publicKeysSchema = z
  .string()
  .default('')
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .refine((list) => list.every((v) => key('public', v) !== null), { error: ERROR })
  .transform((list) => list.map((v) => key('public', v)!));

import { randomBytes } from 'node:crypto';
import {
  base64url,
  SignJWT,
  type CryptoKey,
  type JWTHeaderParameters,
  type JWTPayload,
} from 'jose';
import type { Mode } from './misbehaviour';

/** Which protocol a token is for: MITIC has no nonce, so the nonce modes leave it alone. */
export type Protocol = 'mitic' | 'oidc';

const CLAIM_MODES: ReadonlySet<Mode> = new Set(['wrong_iss', 'wrong_aud', 'expired']);
const NONCE_MODES: ReadonlySet<Mode> = new Set(['wrong_nonce', 'missing_nonce']);
const SIGNATURE_MODES: ReadonlySet<Mode> = new Set(['bad_signature', 'alg_none']);

/** Whether the mode changes the token itself (the others act on the endpoint, or not at all). */
export function modeAltersToken(mode: Mode, protocol: Protocol): boolean {
  if (NONCE_MODES.has(mode)) return protocol === 'oidc';
  return CLAIM_MODES.has(mode) || SIGNATURE_MODES.has(mode);
}

/**
 * Returns the claims with the one defect the mode asks for. Everything else stays valid, so the
 * client's test sees exactly one failing check.
 */
export function tamperClaims(mode: Mode, claims: JWTPayload, nowInSeconds: number): JWTPayload {
  const out = { ...claims };
  switch (mode) {
    case 'wrong_iss':
      out.iss = 'https://emisor-desconocido.example';
      break;
    case 'wrong_aud':
      out.aud = 'otro-cliente';
      break;
    case 'expired':
      // Ten minutes back: beyond any sane clock tolerance.
      out.iat = nowInSeconds - 900;
      out.exp = nowInSeconds - 600;
      break;
    case 'wrong_nonce':
      out.nonce = randomBytes(16).toString('base64url');
      break;
    case 'missing_nonce':
      delete out.nonce;
      break;
    default:
      break;
  }
  return out;
}

/**
 * Signs the payload with the real key, then breaks the signature when the mode asks for it:
 * `bad_signature` flips every signature byte, `alg_none` sends an unsigned token.
 */
export async function signForMode(
  mode: Mode,
  header: JWTHeaderParameters,
  payload: JWTPayload,
  key: CryptoKey | Uint8Array,
): Promise<string> {
  if (mode === 'alg_none') {
    const encode = (value: object) => base64url.encode(JSON.stringify(value));
    // An unsigned token names no key.
    const unsigned: Record<string, unknown> = { ...header, alg: 'none' };
    delete unsigned.kid;
    return `${encode(unsigned)}.${encode(payload)}.`;
  }
  const jwt = await new SignJWT(payload).setProtectedHeader(header).sign(key);
  if (mode !== 'bad_signature') return jwt;
  const [head, body, signature] = jwt.split('.') as [string, string, string];
  const corrupted = base64url.decode(signature).map((byte) => byte ^ 0xff);
  return `${head}.${body}.${base64url.encode(corrupted)}`;
}

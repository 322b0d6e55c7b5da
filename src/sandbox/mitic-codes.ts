import { randomBytes } from 'node:crypto';

/** MITIC's authorization codes are short-lived; the sandbox uses the OIDC default (60 s). */
export const MITIC_CODE_TTL_IN_MS = 60_000;

/** Single-use authorization codes of the MITIC protocol, held in memory. */
export interface CodeStore {
  issue(cedula: string, clientId: string): string;
  /** The code's cédula, once: a second redeem, another client or an expired code gives null. */
  redeem(code: string, clientId: string): string | null;
}

/** Creates an empty store; `now` is injected so expiry is testable without waiting. */
export function createCodeStore(now: () => number): CodeStore {
  const codes = new Map<string, { cedula: string; clientId: string; expiresAt: number }>();

  // Expired entries are dropped on each issue, which bounds the map without a timer to clean up.
  const sweep = () => {
    const t = now();
    for (const [code, entry] of codes) if (entry.expiresAt <= t) codes.delete(code);
  };

  return {
    issue(cedula, clientId) {
      sweep();
      const code = randomBytes(24).toString('base64url');
      codes.set(code, { cedula, clientId, expiresAt: now() + MITIC_CODE_TTL_IN_MS });
      return code;
    },
    redeem(code, clientId) {
      const entry = codes.get(code);
      codes.delete(code);
      if (!entry || entry.clientId !== clientId || entry.expiresAt <= now()) return null;
      return entry.cedula;
    },
  };
}

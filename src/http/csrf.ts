import { csrfSync } from 'csrf-sync';
import type { Request } from 'express';

/**
 * Synchronizer-token CSRF protection: the token lives in the server-side session and every POST
 * carries it in the hidden `_csrf` field.
 */
export function createCsrf() {
  const { csrfSynchronisedProtection, generateToken } = csrfSync({
    getTokenFromRequest: (req: Request) =>
      (req.body as Record<string, unknown> | undefined)?._csrf as string | undefined,
    errorConfig: { code: 'csrf_invalid', statusCode: 403, message: 'csrf_invalid' },
  });
  return { protect: csrfSynchronisedProtection, generateToken };
}

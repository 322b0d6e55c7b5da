import type { Request } from 'express';

/** Who is asking, for the audit: client IP (proxy-aware per TRUST_PROXY) and user agent. */
export function requestMeta(req: Request): { ip: string | null; userAgent: string | null } {
  const ip = req.ip ? req.ip.replace(/^::ffff:/, '') : null;
  const userAgent = req.get('user-agent')?.slice(0, 512) ?? null;
  return { ip, userAgent };
}

import { isIP } from 'node:net';
import type { Request } from 'express';

/** An IP address as stored (IPv4-mapped IPv6 shown as IPv4), or null for anything that is not one. */
export function normaliseIp(value: string | undefined): string | null {
  if (!value) return null;
  const ip = value.trim().replace(/^::ffff:(?=\d{1,3}(?:\.\d{1,3}){3}$)/i, '');
  return isIP(ip) ? ip : null;
}

/**
 * The client's address for the audit, the login limits and the session list. `req.ip` follows
 * TRUST_PROXY: from a trusted proxy it is the X-Forwarded-For entry that proxy added, and Express
 * passes that entry on unchecked. A value that is not an IP address ("<script>", "unknown", a
 * forged hostname) is never stored: the socket peer (the proxy itself) is recorded instead, which
 * is true and still points at where the request came from.
 */
export function clientIp(req: Request): string | null {
  return normaliseIp(req.ip) ?? normaliseIp(req.socket?.remoteAddress);
}

/**
 * Who is asking, for the audit: client IP (proxy-aware per TRUST_PROXY) and user agent; and,
 * when an admin acts without the e-ID step-up because the provider is down, that flag.
 */
export function requestMeta(req: Request): {
  ip: string | null;
  userAgent: string | null;
  stepUpSkipped?: true;
} {
  const userAgent = req.get('user-agent')?.slice(0, 512) ?? null;
  const skipped = req.res?.locals.stepUpSkipped === true;
  return { ip: clientIp(req), userAgent, ...(skipped ? { stepUpSkipped: true as const } : {}) };
}

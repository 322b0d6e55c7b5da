import { isIP } from 'node:net';
import { z } from 'zod';

/** One CIDR range: an address and its prefix length. */
export interface Network {
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

function parseNetwork(entry: string): Network | null {
  const [address = '', prefix, extra] = entry.split('/');
  const version = isIP(address);
  if (!version || extra !== undefined || prefix === undefined || !/^\d{1,3}$/.test(prefix))
    return null;
  const bits = Number(prefix);
  if (bits > (version === 4 ? 32 : 128)) return null;
  return { address, prefix: bits, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/**
 * LOGIN_TRUSTED_NETWORKS: the establishments' own networks (their NAT addresses) as CIDR ranges,
 * comma-separated ("181.120.10.0/24,2800:a0::/48"); empty for none. Sources in them get the
 * higher per-source login limits (src/config/login-limits.ts).
 */
export const networksSchema = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean),
  )
  .refine((entries) => entries.every((e) => parseNetwork(e) !== null), {
    error: 'use CIDR ranges (address/prefix), comma-separated, e.g. 181.120.10.0/24',
  })
  .transform((entries) => entries.map((e) => parseNetwork(e)!));

import { isIP } from 'node:net';
import { z } from 'zod';

/** proxy-addr's names for address ranges. */
const RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
/** Values that mean "no proxy in front": X-Forwarded-For is then ignored altogether. */
const NONE = new Set(['none', 'false']);

/** One entry: a range name, an address, or address/prefix (or address/netmask). */
function isProxyEntry(entry: string): boolean {
  if (RANGE_NAMES.has(entry)) return true;
  const [address = '', mask, extra] = entry.split('/');
  const version = isIP(address);
  if (!version || extra !== undefined) return false;
  if (mask === undefined) return true;
  if (/^\d{1,3}$/.test(mask)) return Number(mask) <= (version === 4 ? 32 : 128);
  return version === 4 && isIP(mask) === 4;
}

/**
 * TRUST_PROXY: the proxies whose X-Forwarded-For is believed, as a comma-separated list of
 * addresses, CIDR ranges or the names loopback, linklocal, uniquelocal; `none` for none.
 * `true` and hop counts are refused: they trust whatever the client itself puts in the header
 * (its audited address, and the per-IP login limit, would be its own choice). Parsed to the list
 * Express takes (an empty list trusts nobody).
 */
export const trustProxySchema = z
  .string()
  .default('loopback')
  .transform((value) => value.split(',').map((entry) => entry.trim().toLowerCase()))
  .refine(
    (entries) =>
      (entries.length === 1 && NONE.has(entries[0]!)) ||
      entries.every((entry) => isProxyEntry(entry)),
    {
      error:
        'use addresses, CIDR ranges or loopback/linklocal/uniquelocal, comma-separated, or none (true and hop counts trust any client)',
    },
  )
  .transform((entries) => (NONE.has(entries[0]!) ? [] : entries));

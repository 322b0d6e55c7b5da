import { BlockList, isIP } from 'node:net';
import type { Network } from '../../config/networks';

/** The eight 16-bit groups of an IPv6 address (an embedded IPv4 tail counts as two). */
function groupsOf(ip: string): number[] {
  const [head = '', tail] = ip.split('::');
  const part = (text: string) =>
    text
      ? text.split(':').flatMap((g) => {
          if (!g.includes('.')) return [parseInt(g, 16)];
          const [a = 0, b = 0, c = 0, d = 0] = g.split('.').map(Number);
          return [(a << 8) | b, (c << 8) | d];
        })
      : [];
  const first = part(head);
  const last = tail === undefined ? [] : part(tail);
  return [...first, ...Array<number>(8 - first.length - last.length).fill(0), ...last];
}

/**
 * What one attempt is counted against: an IPv4 address as it is; an IPv6 address by its /64,
 * the block one subscriber (one household, one office) gets, so that the 2^64 addresses of one
 * attacker are one source and not as many fresh limits. Null (no address known) is one source.
 */
export function sourceOf(ip: string | null): string {
  if (!ip) return 'unknown';
  const address = ip.split('%')[0]!;
  if (isIP(address) !== 6) return address;
  return `${groupsOf(address)
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

/** Whether an address lies in one of the networks (LOGIN_TRUSTED_NETWORKS). */
export function networkMatcher(networks: Network[]): (ip: string | null) => boolean {
  if (networks.length === 0) return () => false;
  const list = new BlockList();
  for (const n of networks) list.addSubnet(n.address, n.prefix, n.family);
  return (ip) => {
    const address = ip?.split('%')[0];
    const version = address ? isIP(address) : 0;
    return version !== 0 && list.check(address!, version === 4 ? 'ipv4' : 'ipv6');
  };
}

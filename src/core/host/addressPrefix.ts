import { isIPv4, isIPv6 } from 'node:net';

/**
 * The network an address belongs to, for limits that must not be dodged by rotating
 * addresses: its /24 for IPv4, its /64 for IPv6 (one machine can hold any number of addresses
 * in its /64, and a few hundred IPv4 aliases in its /24). IPv4-mapped IPv6 (`::ffff:10.0.0.5`,
 * how a dual-stack socket reports IPv4 peers) counts as the IPv4 address. Anything else (an
 * empty or odd string) is its own network.
 */
export function addressPrefix(address: string): string {
  const v4 = ipv4Of(address);
  if (v4 !== null) return `${v4.split('.').slice(0, 3).join('.')}.0/24`;
  const bare = address.split('%')[0] ?? address;
  if (!isIPv6(bare)) return address;
  return `${expandIPv6(bare).slice(0, 4).join(':')}::/64`;
}

/** The dotted IPv4 address, also out of an IPv4-mapped IPv6 one; null for anything else. */
export function ipv4Of(address: string): string | null {
  if (isIPv4(address)) return address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped && isIPv4(mapped[1]!) ? mapped[1]! : null;
}

/** The eight 16-bit groups of an IPv6 address, as lowercase hex without leading zeros. */
function expandIPv6(address: string): string[] {
  const [head = '', tail] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  // A trailing embedded IPv4 (`::1.2.3.4`) is two groups; it cannot change the /64.
  const groups = [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return groups.slice(0, 8).map((g) => (parseInt(g, 16) || 0).toString(16));
}

/**
 * Which machine, and which network, a connection comes from, as the admission limits count
 * them. One hostile laptop can hold many addresses (IPv4 aliases, any number of IPv6
 * addresses in its /64), but all of them sit in one prefix of the segment it is on, so every
 * limit is kept per address and per prefix.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** Where a connection comes from: its address and the prefix that address belongs to. */
export interface Origin {
  /** The remote address, IPv4-mapped IPv6 written as plain IPv4, without a zone id. */
  address: string;
  /** `a.b.c.0/24` for IPv4, the first four groups then `::/64` for IPv6. */
  prefix: string;
}

const MAPPED = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i;

/**
 * The origin of a socket's remote address as Node reports it. A dual-stack listener reports
 * IPv4 peers as `::ffff:a.b.c.d`: that is the IPv4 machine, and counts with its /24. Anything
 * unparseable (Node reports `undefined` for a socket that is already gone) becomes its own
 * group, so it can never share a count with a real address.
 */
export function originOf(remoteAddress: string | undefined): Origin {
  const raw = (remoteAddress ?? '').split('%')[0]!;
  const mapped = MAPPED.exec(raw);
  const address = mapped ? mapped[1]! : raw.toLowerCase();
  if (isIPv4(address)) {
    return { address, prefix: `${address.slice(0, address.lastIndexOf('.'))}.0/24` };
  }
  if (isIPv6(address)) {
    const groups = expandIPv6(address);
    return { address, prefix: `${groups.slice(0, 4).join(':')}::/64` };
  }
  return { address: `?${address}`, prefix: `?${address}` };
}

/** The eight groups of a valid IPv6 address, each as lowercase hex without leading zeros. */
function expandIPv6(address: string): string[] {
  let text = address;
  // An IPv4 tail (::1.2.3.4, 64:ff9b::1.2.3.4) is the last two groups.
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = rest ? rest.split(':') : [];
  const zeros = rest === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((group) => parseInt(group, 16).toString(16));
}

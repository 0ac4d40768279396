import { isIPv6 } from 'node:net';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

/** This machine's addresses, as os.networkInterfaces lists them (a parameter, for tests). */
type Interfaces = NodeJS.Dict<NetworkInterfaceInfo[]>;

/**
 * Every address of this machine a socket can be bound to: IPv4 and IPv6, loopback included,
 * without zone ids; link-local IPv6 left out (it needs a zone to be reached, and a URL cannot
 * portably carry one).
 */
export function localAddresses(interfaces: Interfaces = networkInterfaces()): string[] {
  const out: string[] = [];
  for (const list of Object.values(interfaces)) {
    for (const iface of list ?? []) {
      if (iface.family === 'IPv6' && iface.address.toLowerCase().startsWith('fe80:')) continue;
      if (!out.includes(iface.address)) out.push(iface.address);
    }
  }
  return out;
}

/** Whether `address` is the wildcard that listens on every address of its family. */
export function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

/**
 * The addresses a server bound to `bound` (what server.address() says: one address, or `::` /
 * `0.0.0.0` for all) answers on, IPv4 first: the non-loopback ones, then loopback, then IPv6
 * likewise. A dual-stack `::` listens on IPv4 too.
 */
export function listeningAddresses(bound: string, interfaces: Interfaces = networkInterfaces()): string[] {
  if (!isWildcard(bound)) return [bound];
  const all = localAddresses(interfaces);
  const loopback = (a: string) => a === '::1' || a.startsWith('127.');
  const v4 = all.filter((a) => !isIPv6(a));
  const v6 = bound === '::' ? all.filter((a) => isIPv6(a)) : [];
  const order = (list: string[]) => [...list.filter((a) => !loopback(a)), ...list.filter(loopback)];
  return [...order(v4), ...order(v6)];
}

/** `wss://ADDRESS:PORT/`-style origin for printing: IPv6 in brackets, as URLs write it. */
export function wssOrigin(address: string, port: number): string {
  return isIPv6(address) ? `wss://[${address}]:${port}` : `wss://${address}:${port}`;
}

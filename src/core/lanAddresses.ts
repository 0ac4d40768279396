import { networkInterfaces } from 'node:os';

/** This machine's IPv4 addresses that others on the LAN can reach (no loopback), read fresh. */
export function lanIPv4Addresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const iface of list ?? []) {
      if (iface.family === 'IPv4' && !iface.internal && !out.includes(iface.address)) out.push(iface.address);
    }
  }
  return out;
}

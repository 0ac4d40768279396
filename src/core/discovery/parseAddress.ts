import net from 'node:net';
import type { Endpoint } from '../../shared/api';

const HOST_LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/**
 * Parses a user-typed room address: `10.0.0.5:4000`, `[fe80::1%eth0]:4000` or
 * `myhost.local:4000`. Returns null when it is malformed or the port is outside 1-65535; the
 * port is required because rooms listen on ephemeral ports.
 */
export function parseAddress(text: string): Endpoint | null {
  const input = text.trim();
  let host: string;
  let portText: string;
  const bracketed = /^\[([^\]]+)\]:(\d{1,5})$/.exec(input);
  if (bracketed) {
    host = bracketed[1]!;
    portText = bracketed[2]!;
    if (!net.isIPv6(host)) return null;
  } else {
    const colon = input.lastIndexOf(':');
    if (colon <= 0) return null;
    host = input.slice(0, colon);
    portText = input.slice(colon + 1);
    if (!/^\d{1,5}$/.test(portText)) return null;
    // An unbracketed IPv6 address is ambiguous ("fe80::1:4000"), so it is refused.
    if (host.includes(':')) return null;
    if (!net.isIPv4(host) && !isHostName(host)) return null;
  }
  const port = Number(portText);
  if (port < 1 || port > 65535) return null;
  return { host, port };
}

function isHostName(host: string): boolean {
  if (host.length > 253) return false;
  // A dotted-quad that isIPv4 rejected (e.g. 10.0.0.256) is a typo, not a host name.
  if (/^[\d.]+$/.test(host)) return false;
  return host.split('.').every((label) => HOST_LABEL.test(label));
}

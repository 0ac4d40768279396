import net from 'node:net';
import type { Endpoint } from '../../shared/api';

/**
 * Where a discovered service can be reached, best first: the address its answer came from (it
 * demonstrably routes to us), then its A records, then its AAAA records. bonjour-service
 * advertises every interface of the host, including ones we cannot reach, hence the order.
 * Link-local IPv6 without a zone cannot be dialled, so it is skipped.
 */
export function endpointsFor(
  port: number,
  referer: string | undefined,
  addresses: readonly unknown[],
): Endpoint[] {
  const hosts: string[] = [];
  const add = (host: unknown) => {
    if (typeof host !== 'string' || host.length === 0 || hosts.includes(host)) return;
    if (net.isIPv4(host)) hosts.push(host);
    else if (net.isIPv6(host) && (!/^fe[89ab]/i.test(host) || host.includes('%'))) hosts.push(host);
  };
  add(referer);
  for (const a of addresses) if (typeof a === 'string' && net.isIPv4(a)) add(a);
  for (const a of addresses) if (typeof a === 'string' && net.isIPv6(a)) add(a);
  return hosts.map((host) => ({ host, port }));
}

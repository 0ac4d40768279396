import { connect, type NetConnectOpts, type Socket } from 'node:net';
import type { Endpoint } from '../../shared/api';

import { formatEndpoint as formatAddress } from '../../shared/endpoint';

export { formatAddress };

/** What the ws client needs to reach an endpoint. */
export interface WsTarget {
  url: string;
  /** Set for link-local IPv6 with a zone (fe80::1%eth0), which URLs cannot express. */
  createConnection?: typeof connect;
}

/**
 * The URL for an endpoint. Discovery can hand us link-local IPv6 addresses with a zone id;
 * WHATWG URLs reject zones, so the URL names the bare address and the socket is opened to the
 * full one.
 */
export function wsTarget(endpoint: Endpoint): WsTarget {
  const zone = endpoint.host.indexOf('%');
  if (zone < 0 || !endpoint.host.includes(':')) return { url: `ws://${formatAddress(endpoint)}/` };
  const bare = { host: endpoint.host.slice(0, zone), port: endpoint.port };
  return {
    url: `ws://${formatAddress(bare)}/`,
    // ws puts the URL path in `path`, which net.connect would take for a unix socket: unset it.
    createConnection: ((opts: NetConnectOpts): Socket =>
      connect({ ...opts, path: undefined, host: endpoint.host } as NetConnectOpts)) as typeof connect,
  };
}

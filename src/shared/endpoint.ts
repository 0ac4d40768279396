import type { Endpoint } from './api';

/** `host:port`, with IPv6 addresses in brackets as URLs write them. */
export function formatEndpoint({ host, port }: Endpoint): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Raw multicast DNS for the discovery attacks: multicast-dns (the library inside
 * bonjour-service), which sends any record we like. Refuses to start outside a test-made
 * network namespace (the same guard as Discovery), so forged mDNS never reaches a real LAN.
 */
import { createRequire } from 'node:module';
import { assertMdnsAllowed } from '../../../src/core/discovery/netnsGuard';

/** A resource record as multicast-dns takes and gives it. */
export interface MdnsRecord {
  name: string;
  type: 'PTR' | 'SRV' | 'TXT' | 'A' | 'AAAA';
  ttl?: number;
  flush?: boolean;
  data: unknown;
}

/** A parsed mDNS packet. */
export interface MdnsPacket {
  type: 'query' | 'response';
  questions?: { name: string; type: string }[];
  answers?: MdnsRecord[];
  additionals?: MdnsRecord[];
}

/** The parts of a multicast-dns socket the attacks use. */
export interface Mdns {
  respond(
    packet: { answers: MdnsRecord[]; additionals?: MdnsRecord[] },
    cb?: (err?: Error | null) => void,
  ): void;
  query(packet: { questions: { name: string; type: string }[] }, cb?: (err?: Error | null) => void): void;
  on(event: 'response', fn: (packet: MdnsPacket, rinfo: { address: string; size: number }) => void): void;
  on(event: 'error' | 'warning', fn: (err: Error) => void): void;
  destroy(cb?: () => void): void;
}

/** An mDNS socket on the interface with `address` (bound to 0.0.0.0, joined to the group there). */
export function openMdns(address: string): Mdns {
  assertMdnsAllowed();
  const factory = createRequire(import.meta.url)('multicast-dns') as (opts: object) => Mdns;
  const m = factory({ interface: address, bind: '0.0.0.0', loopback: false });
  m.on('error', () => {});
  m.on('warning', () => {});
  return m;
}

/** TXT data as multicast-dns wants it: one buffer per `key=value`. */
export function txtData(txt: Record<string, string>): Buffer[] {
  return Object.entries(txt).map(([k, v]) => Buffer.from(`${k}=${v}`));
}

/** The DNS-SD name of Parley's service type (bonjour's type `parley`). */
export const PARLEY_SERVICE = '_parley._tcp.local';

/** The four records that announce one service instance at `address`:`port`. */
export function serviceRecords(
  instance: string,
  hostName: string,
  address: string,
  port: number,
  txt: Record<string, string>,
  ttl: number,
): MdnsRecord[] {
  const fqdn = `${instance}.${PARLEY_SERVICE}`;
  return [
    { name: PARLEY_SERVICE, type: 'PTR', ttl, data: fqdn },
    { name: fqdn, type: 'SRV', ttl, flush: true, data: { port, target: hostName, priority: 0, weight: 0 } },
    { name: fqdn, type: 'TXT', ttl, flush: true, data: txtData(txt) },
    { name: hostName, type: 'A', ttl, flush: true, data: address },
  ];
}

/**
 * The lobby's bookkeeping, without any network: one entry per (room id, certificate
 * fingerprint), the sightings that announce it, which of its addresses answered as it, and how
 * the entries become the list a lobby shows. Discovery.ts feeds it sightings and probe results.
 */
import type { Endpoint } from '../../shared/api';

/** A room in the lobby, as discovery saw it. */
export interface DiscoveredRoom {
  id: string;
  name: string;
  host: string;
  members: number;
  /** Protocol version the room answered with. */
  v: number;
  /** SHA-256 fingerprint of the certificate this entry's probes were pinned to, and answered with. */
  fingerprint: string;
  /** Present and true when joining takes a passcode (TXT `pc`, or the room's info). */
  passcode?: boolean;
  /**
   * Another entry with this room id and another certificate answered earlier and is still listed:
   * this one may be an impostor (or the room's host got a new certificate). Never merged into it.
   */
  suspect: boolean;
  /**
   * Best first: addresses that answered as this room with this certificate (most recent first),
   * then the other announced ones (the most recently announced first).
   */
  endpoints: Endpoint[];
}

/** One announcement of an entry: a service name, heard on one interface from one address. */
export interface Sighting<L = unknown> {
  link: L;
  fqdn: string;
  /** The address the mDNS answer came from; '' if unknown. */
  referer: string;
  endpoints: Endpoint[];
  seq: number;
}

export interface Entry<L = unknown> {
  /** `id|fingerprint`: two certificates for one id are two entries. */
  key: string;
  id: string;
  name: string;
  host: string;
  members: number;
  v: number;
  fingerprint: string;
  passcode: boolean;
  sightings: Map<string, Sighting<L>>;
  /** Endpoint key (`host|port`) to the endpoint and when it last answered as this entry. */
  verified: Map<string, { endpoint: Endpoint; at: number }>;
  /** Order of first sighting (the oldest entry that never answered is pushed out first). */
  seenSeq: number;
  /** Order of the first answer; null until a probe answered (an entry is listed only then). */
  listedSeq: number | null;
  misses: number;
  probing: boolean;
  /** When the next probe is due (ms since the epoch); 0: at once. */
  dueAt: number;
  /** Probes still to make before a goodbye is disbelieved (0: no goodbye pending). */
  goodbyeChecks: number;
}

export function entryKey(id: string, fingerprint: string): string {
  return `${id}|${fingerprint}`;
}

export function endpointKey(e: Endpoint): string {
  return `${e.host.toLowerCase()}|${e.port}`;
}

/** The entry's endpoints, best first (see DiscoveredRoom.endpoints), deduplicated. */
export function endpointsOf(entry: Entry): Endpoint[] {
  const seen = new Set<string>();
  const out: Endpoint[] = [];
  const add = (e: Endpoint) => {
    const k = endpointKey(e);
    if (seen.has(k)) return;
    seen.add(k);
    out.push({ host: e.host, port: e.port });
  };
  for (const v of [...entry.verified.values()].sort((a, b) => b.at - a.at)) add(v.endpoint);
  for (const s of [...entry.sightings.values()].sort((a, b) => b.seq - a.seq)) s.endpoints.forEach(add);
  return out;
}

/**
 * The listed entries (those that answered), sorted by name then id. Of the entries sharing a
 * room id, the one listed first is taken as the room; every later one is marked suspect.
 */
export function lobbyOf(entries: Iterable<Entry>): DiscoveredRoom[] {
  const listed = [...entries].filter((e) => e.listedSeq !== null);
  const eldest = new Map<string, Entry>();
  for (const e of listed) {
    const other = eldest.get(e.id);
    if (!other || e.listedSeq! < other.listedSeq!) eldest.set(e.id, e);
  }
  const rooms = listed.map((entry): DiscoveredRoom => {
    const { id, name, host, members, v, fingerprint, passcode } = entry;
    return {
      id,
      name,
      host,
      members,
      v,
      fingerprint,
      ...(passcode && { passcode }),
      suspect: eldest.get(id) !== entry,
      endpoints: endpointsOf(entry),
    };
  });
  return rooms.sort(
    (a, b) =>
      a.name.localeCompare(b.name) ||
      compare(a.id, b.id) ||
      Number(a.suspect) - Number(b.suspect) ||
      compare(a.fingerprint, b.fingerprint),
  );
}

/**
 * The entry to push out to make room for a newcomer among `candidates`: the oldest that never
 * answered. Null when every one has answered: an answering room is never pushed out by
 * announcements, however many arrive.
 */
export function evictable<L>(candidates: Iterable<Entry<L>>): Entry<L> | null {
  let oldest: Entry<L> | null = null;
  for (const e of candidates) {
    if (e.listedSeq !== null) continue;
    if (!oldest || e.seenSeq < oldest.seenSeq) oldest = e;
  }
  return oldest;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

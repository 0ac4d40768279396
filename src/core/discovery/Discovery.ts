/**
 * Finds rooms on the LAN and advertises ours, over mDNS/DNS-SD (`_parley._tcp.local`).
 *
 * bonjour-service does the DNS-SD; this class adds what a lobby needs on top of it:
 *  - one bonjour instance per IPv4 interface (bonjour-service serves one interface per instance);
 *  - one lobby entry per room id, however many interfaces, addresses or services announce it;
 *  - re-queries, because a browser can miss services that were up before it started;
 *  - liveness probes over HTTPS, pinned to the advertised certificate fingerprint, because bonjour never drops a host that died without a goodbye;
 *  - member-count updates without withdrawing the advertisement (see MdnsInstance.updateTxt).
 * No exception from network input escapes: problems go to the 'error' event, if anyone listens.
 */
import { lanIPv4Addresses } from '../lanAddresses';
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import type Bonjour from 'bonjour-service';
import type { Endpoint } from '../../shared/api';
import { PROTOCOL_VERSION, SERVICE_TYPE, type RoomInfo } from '../../shared/protocol';
import { fetchInfoTls } from '../identity/fetchInfoTls';
import { endpointsFor } from './endpoints';
import { fetchRoomInfo } from './fetchRoomInfo';
import { MdnsInstance, asError } from './MdnsInstance';
import { assertMdnsAllowed } from './netnsGuard';
import { RoomAdvertisement, type Advertisement } from './RoomAdvertisement';
import { parseTxt, truncateUtf8 } from './txt';

/** A room in the lobby. */
/** The most rooms a lobby tracks; a flood of announcements beyond it is ignored. */
const MAX_ROOMS = 256;

export interface DiscoveredRoom {
  id: string;
  name: string;
  host: string;
  members: number;
  /** Protocol version the room advertises. */
  v: number;
  /**
   * SHA-256 fingerprint of the host's certificate as advertised (TXT `fp`); null when the
   * advertisement carried none (a room of an older protocol version).
   */
  fingerprint: string | null;
  /** Present and true when joining takes a passcode (TXT `pc`, or the room's info). */
  passcode?: boolean;
  /** Best first: the address the mDNS answer came from, then the room's other addresses. */
  endpoints: Endpoint[];
}

export interface DiscoveryOptions {
  /** IPv4 addresses to use, one bonjour instance each; default: every non-internal IPv4 interface. */
  interfaces?: string[];
  /** How often every listed room is asked whether it is still there; default 3000 ms. */
  probeIntervalMs?: number;
  /** How long one liveness probe may take; default 2000 ms. */
  probeTimeoutMs?: number;
}

export type { Advertisement } from './RoomAdvertisement';

export interface DiscoveryEvents {
  rooms: [rooms: DiscoveredRoom[]];
  error: [err: Error];
}

/** Re-queries shortly after start (a browser misses what answered before it listened), then slowly. */
const EARLY_REQUERIES_MS = [200, 1000, 3000];
const REQUERY_INTERVAL_MS = 15_000;
/** Probe rounds in a row a room may fail before it leaves the lobby. */
const MISSES_TO_DROP = 2;
/** How often the interface list is re-read (default interfaces only): cables, Wi-Fi, DHCP. */
const INTERFACE_POLL_MS = 3000;
/** How many "dropped for not answering" room ids we remember. */
const MAX_FAILED_IDS = 1000;
/** TXT values are cut to this many bytes (see txt.ts); used to tell a cut name from a renamed one. */
const TXT_VALUE_BYTES = 250;

/** One interface address in use: its bonjour instance and, while browsing, its browser. */
interface Link {
  id: number;
  address: string;
  instance: MdnsInstance;
  browser: Browser | null;
}

interface Sighting {
  link: Link;
  fqdn: string;
  endpoints: Endpoint[];
  seq: number;
}

interface Entry {
  id: string;
  name: string;
  host: string;
  members: number;
  v: number;
  fingerprint: string | null;
  passcode: boolean;
  sightings: Map<string, Sighting>;
  misses: number;
  /** False while a room that was dropped for not answering shows up again, until it answers. */
  listed: boolean;
  probing: boolean;
}

type Service = Bonjour.Service;
type Browser = Bonjour.Browser;

export class Discovery extends EventEmitter<DiscoveryEvents> {
  private readonly interfaces: string[] | undefined;
  private readonly probeIntervalMs: number;
  private readonly probeTimeoutMs: number;
  /** Our SRV target: random, so it never collides with the OS's own `<hostname>.local`. */
  private readonly hostName = `parley-${randomBytes(6).toString('hex')}.local`;

  private readonly links = new Map<string, Link>();
  private linksReady = false;
  private linkSeq = 0;
  private browsing = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly ads = new Set<RoomAdvertisement>();
  private readonly entries = new Map<string, Entry>();
  /** Sighting key (`link id|fqdn`) to the room id its TXT named. */
  private readonly sightingRoom = new Map<string, string>();
  /** Room ids dropped for not answering, so that a reappearance waits for a probe answer. */
  private readonly failed = new Set<string>();
  private lastEmitted = '[]';
  private generation = 0;
  private seq = 0;

  constructor(opts: DiscoveryOptions = {}) {
    super();
    assertMdnsAllowed();
    this.interfaces = opts.interfaces;
    this.probeIntervalMs = opts.probeIntervalMs ?? 3000;
    this.probeTimeoutMs = opts.probeTimeoutMs ?? 2000;
  }

  /** Begins browsing for rooms; 'rooms' fires on every change of the list. */
  start(): void {
    assertMdnsAllowed();
    if (this.browsing) return;
    this.browsing = true;
    this.ensureLinks();
    for (const link of this.links.values()) this.startBrowser(link, false);
    for (const delay of EARLY_REQUERIES_MS) this.after(delay, () => this.requery());
    this.every(REQUERY_INTERVAL_MS, () => this.requery());
    const generation = this.generation;
    this.every(this.probeIntervalMs, () => this.probeRound(generation));
  }

  /** The current lobby (a fresh array). */
  get rooms(): DiscoveredRoom[] {
    return this.snapshot();
  }

  /** Asks the network again for every room (e.g. when the user opens the lobby). */
  requery(): void {
    debug(`requery on ${[...this.links.keys()].join(', ') || 'no interface'}`);
    for (const link of this.links.values()) this.guard(() => link.browser?.update());
  }

  /** Advertises a room on every interface until the returned Advertisement is stopped. */
  advertise(ad: {
    id: string;
    name: string;
    host: string;
    port: number;
    members: number;
    /** SHA-256 fingerprint of the host's certificate, advertised as TXT `fp`. */
    fingerprint: string;
    /** Joining takes a passcode (TXT `pc=1`). */
    passcode?: boolean;
  }): Advertisement {
    assertMdnsAllowed();
    this.ensureLinks();
    const advertisement = new RoomAdvertisement(this.hostName, ad, (a) => this.ads.delete(a));
    for (const link of this.links.values()) advertisement.attach(link.instance);
    this.ads.add(advertisement);
    debug(`advertise ${ad.id} on ${[...this.links.keys()].join(', ') || 'no interface'}`);
    return advertisement;
  }

  /** Withdraws every advertisement (goodbyes awaited), stops browsing and closes the sockets. */
  async stop(): Promise<void> {
    this.generation++;
    this.browsing = false;
    this.linksReady = false;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.all([...this.ads].map((ad) => ad.stop()));
    const links = [...this.links.values()];
    this.links.clear();
    for (const link of links) this.guard(() => link.browser?.stop());
    await Promise.all(links.map((link) => link.instance.destroy()));
    // No 'rooms' event here: a stopped Discovery reports nothing more; `rooms` is simply empty.
    this.entries.clear();
    this.sightingRoom.clear();
    this.lastEmitted = '[]';
  }

  // ---- interfaces ----------------------------------------------------------------------------

  private ensureLinks(): void {
    if (this.linksReady) return;
    this.linksReady = true;
    this.syncInterfaces();
    // Explicit addresses need no polling: multicast-dns retries joining them every 5 s by itself.
    if (!this.interfaces) this.every(INTERFACE_POLL_MS, () => this.syncInterfaces());
  }

  /**
   * Follows the interface list. Node lists only interfaces that are up and running, so an app
   * started before the network (or whose cable was out) would otherwise never find anything.
   */
  private syncInterfaces(): void {
    const wanted = new Set(this.interfaces ?? lanIPv4Addresses());
    let changed = false;
    for (const link of [...this.links.values()]) {
      if (wanted.has(link.address)) continue;
      this.links.delete(link.address);
      this.guard(() => link.browser?.stop());
      for (const ad of this.ads) ad.detach(link.instance);
      void link.instance.destroy();
      for (const key of [...this.sightingRoom.keys()]) {
        if (key.startsWith(`${link.id}|`)) this.removeSighting(key);
      }
      changed = true;
    }
    for (const address of wanted) {
      if (this.links.has(address)) continue;
      debug(`interface ${address} up`);
      const link: Link = {
        id: ++this.linkSeq,
        address,
        instance: new MdnsInstance(address, (err) => this.fail(err)),
        browser: null,
      };
      this.links.set(address, link);
      for (const ad of this.ads) ad.attach(link.instance);
      if (this.browsing) this.startBrowser(link, true);
    }
    if (changed) this.publish();
  }

  private startBrowser(link: Link, requerySoon: boolean): void {
    const browser = link.instance.browse(SERVICE_TYPE);
    browser.on('up', (service) => this.guard(() => this.onSeen(link, service)));
    browser.on('txt-update', (service) => this.guard(() => this.onSeen(link, service)));
    browser.on('srv-update', (service) => this.guard(() => this.onSeen(link, service)));
    browser.on('down', (service) => this.guard(() => this.onGone(service.fqdn)));
    link.browser = browser;
    if (requerySoon) {
      for (const delay of EARLY_REQUERIES_MS) this.after(delay, () => link.browser?.update());
    }
  }

  // ---- browsing ------------------------------------------------------------------------------

  private onSeen(link: Link, service: Service): void {
    debug(`seen ${service.fqdn} on ${link.address} from ${service.referer?.address ?? '?'}`);
    if (this.links.get(link.address) !== link) return;
    const fqdn = service.fqdn.toLowerCase();
    const key = `${link.id}|${fqdn}`;
    const txt = parseTxt(service as { rawTxt?: unknown; txt?: unknown });
    // The SRV port is outside data too: anything but a real port makes the sighting useless.
    const port =
      Number.isInteger(service.port) && service.port >= 1 && service.port <= 65535 ? service.port : 0;
    const endpoints = port ? endpointsFor(port, service.referer?.address, service.addresses ?? []) : [];
    const previous = this.sightingRoom.get(key);
    if (previous !== undefined && (txt === null || previous !== txt.id)) this.removeSighting(key);
    if (txt === null || endpoints.length === 0) {
      this.publish();
      return;
    }

    let entry = this.entries.get(txt.id);
    const isNew = entry === undefined;
    // Anyone on the LAN can announce rooms; past a sane number the rest are ignored, so nobody
    // can make every app probe thousands of addresses.
    if (entry === undefined && this.entries.size >= MAX_ROOMS) return;
    if (entry === undefined) {
      entry = {
        id: txt.id,
        name: txt.name,
        host: txt.host,
        members: txt.n,
        v: txt.v,
        fingerprint: txt.fp ?? null,
        passcode: txt.pc === '1',
        sightings: new Map(),
        misses: 0,
        listed: !this.failed.has(txt.id),
        probing: false,
      };
      this.entries.set(txt.id, entry);
    } else {
      // A probe may have brought the full name; a TXT carrying the same name cut short is not news.
      if (truncateUtf8(entry.name, TXT_VALUE_BYTES) !== txt.name) entry.name = txt.name;
      if (truncateUtf8(entry.host, TXT_VALUE_BYTES) !== txt.host) entry.host = txt.host;
      entry.members = txt.n;
      entry.v = txt.v;
      entry.fingerprint = txt.fp ?? null;
      entry.passcode = txt.pc === '1';
    }
    entry.sightings.set(key, { link, fqdn, endpoints, seq: ++this.seq });
    this.sightingRoom.set(key, txt.id);
    if (isNew && !entry.listed) this.probe(entry, this.generation);
    this.publish();
  }

  /** A goodbye: the service is withdrawn on every interface it was seen on. */
  private onGone(fqdn: string): void {
    const lower = fqdn.toLowerCase();
    for (const [key] of this.sightingRoom) {
      if (key.slice(key.indexOf('|') + 1) === lower) this.removeSighting(key);
    }
    this.publish();
  }

  private removeSighting(key: string): void {
    const id = this.sightingRoom.get(key);
    this.sightingRoom.delete(key);
    if (id === undefined) return;
    const entry = this.entries.get(id);
    if (!entry) return;
    entry.sightings.delete(key);
    if (entry.sightings.size === 0) this.entries.delete(id);
  }

  // ---- liveness ------------------------------------------------------------------------------

  private probeRound(generation: number): void {
    if (generation !== this.generation) return;
    // (Entries whose probe is still running are left alone; they count once, when it ends.)
    for (const entry of this.entries.values()) {
      if (!entry.probing) this.probe(entry, generation);
    }
  }

  /** Asks every endpoint of the room at once; the first to answer as this same room wins. */
  private probe(entry: Entry, generation: number): void {
    entry.probing = true;
    const attempts = endpointsOf(entry).map((endpoint) =>
      this.fetchInfo(entry, endpoint).then((info) => {
        if (info.id !== entry.id)
          throw new Error(`${endpoint.host}:${endpoint.port} is now a different room.`);
        return info;
      }),
    );
    Promise.any(attempts).then(
      (info) => this.guard(() => this.afterProbe(entry, generation, info)),
      () => this.guard(() => this.afterProbe(entry, generation, null)),
    );
  }

  /**
   * A room of this protocol version is asked over TLS, pinned to the advertised fingerprint:
   * a host showing another certificate does not answer as this room (a miss). A room of an
   * older version speaks plain HTTP, and is still asked that way, so the lobby can show it as
   * incompatible rather than not at all.
   */
  private async fetchInfo(entry: Entry, endpoint: Endpoint): Promise<RoomInfo> {
    if (entry.v < PROTOCOL_VERSION) return fetchRoomInfo(endpoint, this.probeTimeoutMs);
    return (await fetchInfoTls(endpoint, entry.fingerprint, this.probeTimeoutMs)).info;
  }

  private afterProbe(entry: Entry, generation: number, info: RoomInfo | null): void {
    entry.probing = false;
    debug(`probe ${entry.id}: ${info ? 'answered' : `no answer (miss ${entry.misses + 1})`}`);
    if (generation !== this.generation || this.entries.get(entry.id) !== entry) return;
    if (info !== null) {
      entry.misses = 0;
      entry.listed = true;
      this.failed.delete(entry.id);
      entry.name = info.name;
      entry.host = info.host;
      entry.members = info.members;
      entry.v = info.v;
      entry.passcode = info.passcode === true;
    } else if (++entry.misses >= MISSES_TO_DROP) {
      this.dropUnanswered(entry);
    }
    this.publish();
  }

  /**
   * Drops a room that stopped answering. It is also taken out of bonjour's browsers: they keep a
   * service until its goodbye, and would otherwise never report the room again when it comes
   * back with an unchanged record (they only report new services and changed records).
   */
  private dropUnanswered(entry: Entry): void {
    debug(`drop ${entry.id}: stopped answering`);
    this.entries.delete(entry.id);
    this.failed.add(entry.id);
    if (this.failed.size > MAX_FAILED_IDS) this.failed.delete(this.failed.values().next().value!);
    for (const [key, sighting] of entry.sightings) {
      this.sightingRoom.delete(key);
      const browser = sighting.link.browser as unknown as { removeService?: (fqdn: string) => void } | null;
      // removeService emits 'down', which finds nothing left to remove.
      if (typeof browser?.removeService === 'function') browser.removeService(sighting.fqdn);
    }
  }

  // ---- plumbing ------------------------------------------------------------------------------

  private snapshot(): DiscoveredRoom[] {
    const rooms: DiscoveredRoom[] = [];
    for (const entry of this.entries.values()) {
      if (!entry.listed) continue;
      const { id, name, host, members, v, fingerprint, passcode } = entry;
      const endpoints = endpointsOf(entry);
      rooms.push({ id, name, host, members, v, fingerprint, ...(passcode && { passcode }), endpoints });
    }
    return rooms.sort((a, b) => a.name.localeCompare(b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Emits 'rooms' if the list differs from the last one emitted. */
  private publish(): void {
    const rooms = this.snapshot();
    const text = JSON.stringify(rooms);
    if (text === this.lastEmitted) return;
    this.lastEmitted = text;
    this.guard(() => this.emit('rooms', rooms));
  }

  private after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.guard(fn);
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  private every(ms: number, fn: () => void): void {
    const t = setInterval(() => this.guard(fn), ms);
    t.unref();
    this.timers.add(t);
  }

  /** Runs network-driven code so that nothing it throws can escape into a socket callback. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.fail(asError(err));
    }
  }

  private fail(err: Error): void {
    if (this.listenerCount('error') === 0) return;
    try {
      this.emit('error', err);
    } catch {
      // A throwing 'error' listener must not take the socket callback down with it.
    }
  }
}

/** The room's endpoints, most recently announced sighting first, deduplicated. */
function endpointsOf(entry: Entry): Endpoint[] {
  const sightings = [...entry.sightings.values()].sort((a, b) => b.seq - a.seq);
  const seen = new Set<string>();
  const out: Endpoint[] = [];
  for (const s of sightings) {
    for (const e of s.endpoints) {
      const k = `${e.host}|${e.port}`;
      if (seen.has(k)) continue;
      seen.add(k);
      out.push({ host: e.host, port: e.port });
    }
  }
  return out;
}

/** PARLEY_DEBUG=discovery prints what discovery sees and does, for diagnosing a LAN. */
const DEBUG = (process.env.PARLEY_DEBUG ?? '').split(',').includes('discovery');
function debug(line: string): void {
  if (DEBUG) console.error(`[discovery ${new Date().toISOString()}] ${line}`);
}

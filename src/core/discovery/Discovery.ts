/**
 * Finds rooms on the LAN and advertises ours, over mDNS/DNS-SD (`_parley._tcp.local`).
 *
 * bonjour-service does the DNS-SD; this class adds what a lobby needs on top of it, knowing that
 * anyone on the LAN can announce anything:
 *  - one bonjour instance per IPv4 interface (bonjour-service serves one interface per instance);
 *  - one lobby entry per (room id, certificate fingerprint): an announcement reusing a room's id
 *    with another fingerprint is a second entry, marked suspect, never merged into the first;
 *  - an entry is listed only once a probe over TLS, pinned to its fingerprint, answered as it,
 *    and it leaves only when probes stop answering: a goodbye (TTL 0) is believed only after the
 *    probe it triggers fails, so a spoofed goodbye cannot blind the lobby;
 *  - probes are rationed (ProbeBudget: per lobby, per target address, one in flight per
 *    address:port) and entries capped per announcing address and in all, so announcements cannot
 *    aim lobbies at a victim;
 *  - re-queries, because a browser can miss services that were up before it started;
 *  - member-count updates without withdrawing the advertisement (see MdnsInstance.updateTxt).
 * No exception from network input escapes: problems go to the 'error' event, if anyone listens.
 */
import { lanIPv4Addresses } from '../lanAddresses';
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import type Bonjour from 'bonjour-service';
import { SERVICE_TYPE } from '../../shared/protocol';
import { endpointsFor } from './endpoints';
import {
  endpointKey,
  entryKey,
  evictable,
  lobbyOf,
  type DiscoveredRoom,
  type Entry as BaseEntry,
} from './entries';
import { applyOutcome, onGoodbye, probeEntry, type ProbeOutcome } from './liveness';
import { MdnsInstance, asError } from './MdnsInstance';
import { assertMdnsAllowed } from './netnsGuard';
import { PROBE_BUDGET_DEFAULTS, ProbeBudget, type ProbeBudgetOptions } from './ProbeBudget';
import { RoomAdvertisement, type Advertisement } from './RoomAdvertisement';
import { parseTxt, truncateUtf8, TXT_VALUE_BYTES } from './txt';

export type { DiscoveredRoom } from './entries';

/** The most entries a lobby tracks; past it a newcomer replaces the oldest that never answered. */
export const MAX_ROOMS = 256;
/** The most entries announced from one address (the mDNS answer's source); the same rule past it. */
export const MAX_ROOMS_PER_ADDRESS = 8;
/** The most sightings (interface, service name, announcing address) one entry keeps. */
const MAX_SIGHTINGS_PER_ENTRY = 16;
/** The most addresses taken from one sighting (its source, then its A and AAAA records). */
const MAX_ENDPOINTS_PER_SIGHTING = 4;

export interface DiscoveryOptions {
  /** IPv4 addresses to use, one bonjour instance each; default: every non-internal IPv4 interface. */
  interfaces?: string[];
  /** How often every listed room is asked whether it is still there; default 3000 ms. */
  probeIntervalMs?: number;
  /** How long one liveness probe may take; default 2000 ms. */
  probeTimeoutMs?: number;
  /** How many probes this lobby may open (see ProbeBudget); default PROBE_BUDGET_DEFAULTS. */
  probeBudget?: ProbeBudgetOptions;
}

export type { Advertisement } from './RoomAdvertisement';

export interface DiscoveryEvents {
  rooms: [rooms: DiscoveredRoom[]];
  error: [err: Error];
}

/** Re-queries shortly after start (a browser misses what answered before it listened), then slowly. */
const EARLY_REQUERIES_MS = [200, 1000, 3000];
const REQUERY_INTERVAL_MS = 15_000;
/** How often the interface list is re-read (default interfaces only): cables, Wi-Fi, DHCP. */
const INTERFACE_POLL_MS = 3000;
/** How often due probes are started (each as the budget allows). */
const PROBE_TICK_MS = 200;
/** One interface address in use: its bonjour instance and, while browsing, its browser. */
interface InterfaceBinding {
  id: number;
  address: string;
  instance: MdnsInstance;
  browser: Browser | null;
}

type Entry = BaseEntry<InterfaceBinding>;
type Service = Bonjour.Service;
type Browser = Bonjour.Browser;

export class Discovery extends EventEmitter<DiscoveryEvents> {
  private readonly interfaces: string[] | undefined;
  private readonly probeIntervalMs: number;
  private readonly probeTimeoutMs: number;
  private readonly budget: ProbeBudget;
  /** Our SRV target: random, so it never collides with the OS's own `<hostname>.local`. */
  private readonly hostName = `parley-${randomBytes(6).toString('hex')}.local`;

  private readonly links = new Map<string, InterfaceBinding>();
  private linksReady = false;
  private linkSeq = 0;
  private browsing = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly ads = new Set<RoomAdvertisement>();
  /** By entry key (`id|fingerprint`). */
  private readonly entries = new Map<string, Entry>();
  /** Sighting key (`link id|fqdn|announcing address`) to the entry key its TXT named. */
  private readonly sightingEntry = new Map<string, string>();
  /** True while we take services out of bonjour's browsers: their 'down' is our own doing. */
  private removing = false;
  private lastEmitted = '[]';
  private generation = 0;
  private seq = 0;

  constructor(opts: DiscoveryOptions = {}) {
    super();
    assertMdnsAllowed();
    this.interfaces = opts.interfaces;
    this.probeIntervalMs = opts.probeIntervalMs ?? 3000;
    this.probeTimeoutMs = opts.probeTimeoutMs ?? 2000;
    this.budget = new ProbeBudget(opts.probeBudget ?? PROBE_BUDGET_DEFAULTS);
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
    this.every(PROBE_TICK_MS, () => this.startDueProbes());
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
    this.sightingEntry.clear();
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
      for (const key of [...this.sightingEntry.keys()]) {
        if (key.startsWith(`${link.id}|`)) this.removeSighting(key);
      }
      changed = true;
    }
    for (const address of wanted) {
      if (this.links.has(address)) continue;
      debug(`interface ${address} up`);
      const link: InterfaceBinding = {
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

  private startBrowser(link: InterfaceBinding, requerySoon: boolean): void {
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

  private onSeen(link: InterfaceBinding, service: Service): void {
    const referer = typeof service.referer?.address === 'string' ? service.referer.address : '';
    debug(`seen ${service.fqdn} on ${link.address} from ${referer || '?'}`);
    if (this.links.get(link.address) !== link) return;
    const fqdn = String(service.fqdn).toLowerCase();
    // The announcing address is part of the key: another machine reusing this service name is
    // another sighting, and cannot take this one over.
    const key = `${link.id}|${fqdn}|${referer}`;
    const txt = parseTxt(service as { rawTxt?: unknown; txt?: unknown });
    // The SRV port is outside data too: anything but a real port makes the sighting useless.
    const port =
      Number.isInteger(service.port) && service.port >= 1 && service.port <= 65535 ? service.port : 0;
    const endpoints = port
      ? endpointsFor(port, referer || undefined, service.addresses ?? []).slice(0, MAX_ENDPOINTS_PER_SIGHTING)
      : [];
    const wanted = txt === null ? null : entryKey(txt.id, txt.fp);
    const previous = this.sightingEntry.get(key);
    if (previous !== undefined && previous !== wanted) this.removeSighting(key);
    if (txt === null || wanted === null || endpoints.length === 0) {
      this.publish();
      return;
    }

    let entry = this.entries.get(wanted);
    if (entry === undefined) {
      if (!this.makeRoomFor(referer)) return;
      entry = {
        key: wanted,
        id: txt.id,
        name: txt.name,
        host: txt.host,
        members: txt.n,
        v: txt.v,
        fingerprint: txt.fp,
        passcode: txt.pc === '1',
        sightings: new Map(),
        verified: new Map(),
        seenSeq: ++this.seq,
        listedSeq: null,
        misses: 0,
        probing: false,
        dueAt: 0,
        goodbyeChecks: 0,
      };
      this.entries.set(wanted, entry);
    } else if (entry.verified.has(endpointKey(endpoints[0]!))) {
      // News in the TXT (a member count) is taken from an address that answered as this room;
      // anyone can announce this id and fingerprint from elsewhere, without holding its key.
      // A probe may have brought the full name; a TXT carrying the same name cut short is not news.
      if (truncateUtf8(entry.name, TXT_VALUE_BYTES) !== txt.name) entry.name = txt.name;
      if (truncateUtf8(entry.host, TXT_VALUE_BYTES) !== txt.host) entry.host = txt.host;
      entry.members = txt.n;
      entry.passcode = txt.pc === '1';
    }
    if (!entry.sightings.has(key) && entry.sightings.size >= MAX_SIGHTINGS_PER_ENTRY) return;
    entry.sightings.set(key, { link, fqdn, referer, endpoints, seq: ++this.seq });
    this.sightingEntry.set(key, wanted);
    this.startDueProbes();
    this.publish();
  }

  /**
   * Whether a new entry announced from `referer` may be tracked: past MAX_ROOMS_PER_ADDRESS from
   * that address, or MAX_ROOMS in all, the oldest entry that never answered makes way for it.
   */
  private makeRoomFor(referer: string): boolean {
    const fromReferer = [...this.entries.values()].filter((e) =>
      [...e.sightings.values()].some((s) => s.referer === referer),
    );
    if (fromReferer.length >= MAX_ROOMS_PER_ADDRESS) {
      const victim = evictable(fromReferer);
      if (!victim) return false;
      this.drop(victim, 'pushed out by a newer announcement from its address');
    }
    if (this.entries.size >= MAX_ROOMS) {
      const victim = evictable(this.entries.values());
      if (!victim) return false;
      this.drop(victim, 'pushed out by a newer announcement');
    }
    return true;
  }

  /**
   * A goodbye, or a record that expired: believed only once a probe fails. An entry that never
   * answered has nothing to check; its sightings of the service simply go.
   */
  private onGone(fqdn: string): void {
    if (this.removing) return;
    const lower = fqdn.toLowerCase();
    for (const entry of [...this.entries.values()]) {
      for (const [key, sighting] of [...entry.sightings]) {
        if (sighting.fqdn !== lower) continue;
        if (entry.listedSeq === null) {
          this.removeSighting(key);
        } else {
          debug(`goodbye for ${entry.key}: checking`);
          onGoodbye(entry);
        }
      }
    }
    this.startDueProbes();
    this.publish();
  }

  private removeSighting(key: string): void {
    const id = this.sightingEntry.get(key);
    this.sightingEntry.delete(key);
    if (id === undefined) return;
    const entry = this.entries.get(id);
    if (!entry) return;
    entry.sightings.delete(key);
    if (entry.sightings.size > 0) return;
    // A listed room keeps its answering addresses and stays until a probe fails.
    if (entry.listedSeq === null) this.entries.delete(id);
    else entry.dueAt = 0;
  }

  // ---- liveness ------------------------------------------------------------------------------

  /** Starts the probes that are due, longest overdue first, as far as the budget allows. */
  private startDueProbes(): void {
    if (!this.browsing) return;
    const now = Date.now();
    const due = [...this.entries.values()]
      .filter((e) => !e.probing && e.dueAt <= now)
      .sort((a, b) => a.dueAt - b.dueAt || a.seenSeq - b.seenSeq);
    for (const entry of due) {
      if (!this.budget.canStart()) break;
      void this.probe(entry, this.generation);
    }
  }

  private async probe(entry: Entry, generation: number): Promise<void> {
    entry.probing = true;
    const wanted = () => generation === this.generation && this.entries.get(entry.key) === entry;
    const outcome = await probeEntry(entry, this.budget, this.probeTimeoutMs, wanted);
    entry.probing = false;
    this.guard(() => {
      if (!wanted()) return;
      debug(`probe ${entry.key}: ${describe(outcome)}`);
      const dropWhy = applyOutcome(entry, outcome, Date.now(), this.probeIntervalMs, () => ++this.seq);
      if (dropWhy !== null) this.drop(entry, dropWhy);
      this.publish();
    });
  }

  /**
   * Forgets an entry. Its services are also taken out of bonjour's browsers: they keep a service
   * until its goodbye, and would otherwise never report the room again when it comes back with
   * an unchanged record (they only report new services and changed records).
   */
  private drop(entry: Entry, why: string): void {
    debug(`drop ${entry.key}: ${why}`);
    this.entries.delete(entry.key);
    this.removing = true;
    try {
      for (const [key, sighting] of entry.sightings) {
        this.sightingEntry.delete(key);
        const browser = sighting.link.browser as unknown as { removeService?: (fqdn: string) => void } | null;
        if (typeof browser?.removeService === 'function') browser.removeService(sighting.fqdn);
      }
    } finally {
      this.removing = false;
    }
  }

  // ---- plumbing ------------------------------------------------------------------------------

  private snapshot(): DiscoveredRoom[] {
    return lobbyOf(this.entries.values());
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

function describe(outcome: ProbeOutcome): string {
  if (outcome.kind === 'answered') return `answered at ${outcome.endpoint.host}:${outcome.endpoint.port}`;
  return outcome.kind === 'refused' ? 'deferred by the probe budget' : 'no answer';
}

/** PARLEY_DEBUG=discovery prints what discovery sees and does, for diagnosing a LAN. */
const DEBUG = (process.env.PARLEY_DEBUG ?? '').split(',').includes('discovery');
function debug(line: string): void {
  if (DEBUG) console.error(`[discovery ${new Date().toISOString()}] ${line}`);
}

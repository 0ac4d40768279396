import { EventEmitter } from 'node:events';
import type { BridgeEvents, Endpoint, Session } from '../shared/api';
import { reason as reasonOf, ReasonCode, type Reason } from '../shared/reasons';
import { LIMITS, PROTOCOL_VERSION, type ChatMessage, type RoomInfo } from '../shared/protocol';
import { formatEndpoint } from '../shared/endpoint';
import { RoomClient } from './client/RoomClient';
import { verificationCode } from './identity/fingerprint';
import type { MemberDatabase } from './store/member/MemberDatabase';

/** Messages a session snapshot carries; older ones come through chat:load-earlier. */
const WINDOW = 200;

/** Messages per "load earlier" from the host: a screenful or two, in few round trips. */
const EARLIER_PAGE = 100;

/**
 * How the window's member retries a room it lost. The client's restart window (reconnectDelay)
 * keeps the first 20 s of retries about a second apart, so a restarted host has everyone back
 * within ~1.25 s of listening (bench/reconnect); 45 attempts then keep trying for about three
 * minutes before the room is shown offline.
 */
export const SESSION_BACKOFF = { initialMs: 500, maxMs: 10_000, maxAttempts: 45 } as const;

/**
 * The most a rejoin waits after the room is announced again. Every member hears the
 * announcement in the same instant; a random wait up to this spreads their hellos out.
 */
export const REJOIN_SPREAD_MS = 500;

export interface RoomSessionOptions {
  roomId: string;
  endpoints: Endpoint[];
  nickname: string;
  store: MemberDatabase;
  /** The fingerprint the host's certificate must have; null: first contact (any, reported at welcome). */
  fingerprint?: string | null;
  /** Told at every welcome which certificate the host presented (the app pins it). */
  onWelcome?: (roomId: string, fingerprint: string) => void;
  /** The room's passcode, for a room that takes one (proved to the host, never sent). */
  passcode?: string | null;
  /** What the room said of itself before we joined (its lobby entry, or the address's answer). */
  info?: RoomInfo;
  /** Whether the user compared the code of the certificate pinned for the room (TrustStore). */
  verified?: () => boolean;
  /** This app hosts (or hosted) the room; it cannot stop being so while the session lasts. */
  hostedHere?: boolean;
}

/** The bridge events one session emits, each with its room id. */
export type SessionEvents = Pick<
  BridgeEvents,
  'session' | 'message' | 'sent' | 'roster' | 'presence' | 'problem'
>;

/**
 * The window's view of one room: wraps a RoomClient whose outbox and "since" live in the
 * member's own database, files every message it receives in the saved copy, and turns client
 * events into bridge events. The saved copy is what a restarted app or an offline room shows.
 */
/**
 * What a session tells its app beyond the bridge's events: `news`, messages said while the
 * user may not have seen them (each live one, and a catch-up after being away), for the
 * notification policy. Not the latest messages of a room loaded afresh, nor earlier pages.
 */
type SessionOwnEvents = SessionEvents & { news: [messages: ChatMessage[]] };

export class RoomSession extends EventEmitter<SessionOwnEvents> {
  readonly client: RoomClient;
  readonly roomId: string;
  /** Our member id in this room: the host derives it from the same key, so we know it offline too. */
  readonly myId: string;
  private readonly store: MemberDatabase;
  private readonly nickname: string;
  /** The latest messages, by seq (the window's working set). */
  private readonly recent = new Map<number, ChatMessage>();
  /** The room's certificate fingerprint: as expected at first, then as presented at each welcome. */
  private fingerprint: string | null;
  private reason: Reason | null = null;
  /** Suspended because discovery lost the room; rejoin when it is announced again. */
  private goneFromLan = false;
  /** The room has been listed in the lobby during this session (so its absence means something). */
  private seenOnLan = false;
  private rejoinTimer: NodeJS.Timeout | null = null;
  /** Where the room can be reached, as last told (joined there, or discovery since). */
  private endpoints: Endpoint[];
  /** The address of the last welcome, and the addresses known then (`host:port`). */
  private welcomedAt: { address: string; known: Set<string> } | null = null;
  private moved: { from: string; to: string } | null = null;
  /** Whether we have been in the room before (joined in an earlier run, or welcomed in this one). */
  private member: boolean;
  /** The saved copy's listing of the room, once read (see savedRoom). */
  private saved: Session['room'] | undefined;
  /** When the saved copy was last set aside for the host's other history, and how big it was. */
  private copySetAside: { at: number; messages: number } | null = null;
  private readonly info: RoomInfo | null;
  private readonly verified: () => boolean;
  private readonly hostedHere: boolean;

  constructor(opts: RoomSessionOptions) {
    super();
    this.roomId = opts.roomId;
    this.fingerprint = opts.fingerprint ?? null;
    this.store = opts.store;
    this.nickname = opts.nickname;
    const key = opts.store.memberKey(opts.roomId);
    this.myId = key.id;
    this.endpoints = opts.endpoints;
    this.info = opts.info ?? null;
    this.verified = opts.verified ?? (() => false);
    this.hostedHere = opts.hostedHere ?? false;
    this.member = this.savedRoom() !== null;
    for (const m of opts.store.messages(opts.roomId, { limit: WINDOW })) this.recent.set(m.seq, m);

    this.client = new RoomClient({
      fingerprint: opts.fingerprint ?? null,
      passcode: opts.passcode ?? null,
      endpoints: opts.endpoints,
      nickname: opts.nickname,
      key,
      outbox: opts.store.outbox(opts.roomId),
      // A member of the room with nothing saved (it was empty when they joined) has missed
      // everything after seq 0: asking with `since: 0` gets it as a catch-up, not as the
      // latest page of a room seen for the first time.
      since: () => opts.store.lastSeq(opts.roomId) ?? (this.member ? 0 : undefined),
      backoff: SESSION_BACKOFF,
    });
    this.client.on('state', (_state, _attempt, reason) => {
      this.reason = reason;
      this.publish();
    });
    this.client.on('copyReplaced', () => {
      // The window shows the room's new history from here on; the old copy stays on disk.
      const messages = opts.store.setAside(this.roomId);
      this.recent.clear();
      this.copySetAside = { at: Date.now(), messages };
    });
    this.client.on('welcome', (welcome, fingerprint) => {
      this.member = true;
      this.noteWelcomeAddress();
      opts.store.rememberRoom({ ...welcome.room, endpoints: this.endpoints });
      this.fingerprint = fingerprint;
      opts.onWelcome?.(welcome.room.id, fingerprint);
      this.publish();
    });
    this.client.on('backlog', (messages, missed) => {
      const fresh = this.keep(messages);
      this.publish();
      if (missed && fresh.length > 0) this.emit('news', fresh);
    });
    const roomId = opts.roomId;
    this.client.on('message', (message) => {
      if (this.keep([message]).length === 0) return;
      this.emit('message', { roomId, message });
      this.emit('news', [message]);
    });
    this.client.on('ack', (cid, id, seq) => this.emit('sent', { roomId, cid, id, seq }));
    // Batches as they came: one event per roster page or presence frame, never one per member.
    this.client.on('roster', (members, done) => this.emit('roster', { roomId, members, done }));
    this.client.on('presence', (change) => this.emit('presence', { roomId, ...change }));
    this.client.on('problem', (problem) => this.emit('problem', { roomId, ...problem }));
  }

  /**
   * Follows what discovery says of the room: `listed` is its entry with our certificate, or
   * undefined when no such entry is announced. A room whose host vanished is shown offline at
   * once rather than after the client's retries run out; when it is announced again (host
   * restarted, perhaps on another port), the session takes its addresses and rejoins by itself.
   */
  followLobby(listed: { endpoints: Endpoint[] } | undefined): void {
    const state = this.client.state;
    if (listed) {
      this.seenOnLan = true;
      this.endpoints = listed.endpoints;
      this.client.setEndpoints(listed.endpoints);
      const gaveUp = this.reason?.code === ReasonCode.GaveUp;
      if (state === 'offline' && (this.goneFromLan || gaveUp)) this.rejoinSoon();
    } else if (this.seenOnLan && state === 'reconnecting') {
      // Only a room we saw announced can be declared gone: one joined by address on a network
      // without multicast was never listed, and keeps retrying instead.
      this.goneFromLan = true;
      // "Alice stopped hosting Office" says more than "no longer on the network": keep it.
      const last = this.client.reason;
      this.client.suspend(last?.code === ReasonCode.HostClosed ? last : reasonOf(ReasonCode.GoneFromLan));
    }
  }

  /**
   * A welcome at an address not known at the previous one means the room moved (its host came
   * back elsewhere and was found again by id): the window says so.
   */
  private noteWelcomeAddress(): void {
    const address = this.client.address;
    const before = this.welcomedAt;
    if (before && before.address !== address && !before.known.has(address)) {
      this.moved = { from: before.address, to: address };
    }
    const known = new Set(this.endpoints.map(formatEndpoint)).add(address);
    this.welcomedAt = { address, known };
  }

  /** Connects (or reconnects) to the room. */
  connect(): void {
    this.goneFromLan = false;
    // Also the first start: the client may have been suspended before it ever connected.
    this.client.reconnectNow();
  }

  /**
   * Connects after a random wait of up to REJOIN_SPREAD_MS: for a room announced again after
   * its host came back, which all its members hear at once. Calls while one is pending do nothing.
   */
  rejoinSoon(random: () => number = Math.random): void {
    if (this.rejoinTimer) return;
    this.rejoinTimer = setTimeout(
      () => {
        this.rejoinTimer = null;
        this.connect();
      },
      Math.round(random() * REJOIN_SPREAD_MS),
    );
  }

  /**
   * Shows the saved copy without connecting: the room's host is not on the network. It joins
   * by itself when the room is announced again (followLobby).
   */
  openOffline(why: Reason): void {
    this.goneFromLan = true;
    this.seenOnLan = true;
    this.reason = why;
    this.publish();
  }

  /** The room as last heard of: its welcome, else the saved copy's, else what discovery said. */
  get roomInfo(): RoomInfo | null {
    return this.client.room ?? this.savedRoom() ?? this.info;
  }

  /** The addresses the room was found at, best first (an invite link carries them). */
  get knownEndpoints(): readonly Endpoint[] {
    return this.endpoints;
  }

  snapshot(): Session {
    const messages = [...this.recent.values()].sort((a, b) => a.seq - b.seq).slice(-WINDOW);
    const offline = this.client.state === 'offline';
    return {
      roomId: this.roomId,
      // Before the first welcome: the saved copy's, else what the room said when it was found.
      room: this.roomInfo,
      address: this.client.address,
      ...(this.moved && { moved: this.moved }),
      ...(this.copySetAside && { copySetAside: this.copySetAside }),
      state: this.client.state,
      attempt: this.client.attempt,
      // Offline: why it stopped; reconnecting: why the last attempt failed.
      reason: offline || this.client.state === 'reconnecting' ? this.reason : null,
      passcodeRefused: offline && this.client.passcodeRefused,
      // Known offline too: the host derives our id from the same key.
      me: this.client.me ?? { id: this.myId, nick: this.nickname },
      // Offline or reconnecting: who was there when the room went away (the window greys them).
      members: this.client.members,
      rosterDone: offline || this.client.rosterDone,
      messages,
      earlier: (messages[0]?.seq ?? 1) > 1,
      removedBefore: this.client.removedBefore,
      // An absent bound is taken as the default: a host that names none still has a frame limit.
      maxTextChars: Math.max(1, Math.floor(this.client.limits?.maxTextChars ?? LIMITS.maxTextChars)),
      pending: this.client.pending(),
      unread: this.unreadCounts(),
      code: this.fingerprint ? verificationCode(this.fingerprint) : null,
      verified: this.verified(),
      hostedHere: this.hostedHere,
    };
  }

  /**
   * Older messages before `before`: from the host when connected (it has them all), else from
   * the saved copy. Either way they are filed in the saved copy.
   */
  async loadEarlier(
    before: number,
  ): Promise<{ messages: ChatMessage[]; more: boolean; removedBefore: number }> {
    if (this.client.state === 'online') {
      const page = await this.client.fetchEarlier(before, EARLIER_PAGE);
      this.store.saveMessages(this.roomId, page.messages);
      return { ...page, removedBefore: this.client.removedBefore };
    }
    const messages = this.store.messages(this.roomId, { before, limit: LIMITS.backlog });
    return { messages, more: messages.length === LIMITS.backlog, removedBefore: this.client.removedBefore };
  }

  /** Unread messages by conversation in the saved copy ('' is the room's own). */
  unreadCounts(): Record<string, number> {
    return this.store.unread(this.roomId, this.myId);
  }

  markRead(conversation: string, seq: number): void {
    this.store.markRead(this.roomId, conversation, seq);
  }

  close(): Promise<void> {
    if (this.rejoinTimer) clearTimeout(this.rejoinTimer);
    this.rejoinTimer = null;
    return this.client.close();
  }

  /**
   * The room as the saved copy lists it, read once: it is only shown until the first welcome
   * (which then names the room itself), and a session publishes a snapshot on every change of
   * state, so reading every known room each time would cost for nothing.
   */
  private savedRoom(): Session['room'] {
    if (this.saved === undefined) {
      const known = this.store.knownRooms().find((r) => r.id === this.roomId);
      this.saved = known
        ? { v: PROTOCOL_VERSION, id: known.id, name: known.name, host: known.host, members: 0 }
        : null;
    }
    return this.saved;
  }

  private publish(): void {
    this.emit('session', { roomId: this.roomId, session: this.snapshot() });
  }

  /** Files messages in the saved copy; returns the ones not seen before. */
  private keep(messages: ChatMessage[]): ChatMessage[] {
    const fresh = messages.filter((m) => !this.recent.has(m.seq));
    if (messages.length > 0) this.store.saveMessages(this.roomId, messages);
    for (const m of fresh) this.recent.set(m.seq, m);
    if (this.recent.size > WINDOW * 2) {
      const keep = [...this.recent.keys()].sort((a, b) => a - b).slice(-WINDOW);
      const kept = new Set(keep);
      for (const seq of this.recent.keys()) if (!kept.has(seq)) this.recent.delete(seq);
    }
    return fresh;
  }
}

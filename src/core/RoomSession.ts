import { EventEmitter } from 'node:events';
import type { BridgeEvents, Endpoint, Session } from '../shared/api';
import type { Reason } from '../shared/reasons';
import { LIMITS, PROTOCOL_VERSION, type ChatMessage } from '../shared/protocol';
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
}

/**
 * The window's view of one room: wraps a RoomClient whose outbox and "since" live in the
 * member's own database, files every message it receives in the saved copy, and turns client
 * events into bridge events. The saved copy is what a restarted app or an offline room shows.
 */
export class RoomSession extends EventEmitter<BridgeEvents> {
  readonly client: RoomClient;
  readonly roomId: string;
  /** Our member id in this room: the host derives it from the same key, so we know it offline too. */
  readonly myId: string;
  private readonly store: MemberDatabase;
  private readonly nickname: string;
  /** The latest messages, by seq (the window's working set). */
  private readonly recent = new Map<number, ChatMessage>();
  private started = false;
  /** The room's certificate fingerprint: as expected at first, then as presented at each welcome. */
  private fingerprint: string | null;
  private reason: Reason | null = null;
  /** Suspended because discovery lost the room; rejoin when it is announced again. */
  goneFromLan = false;
  /** The room has been listed in the lobby during this session (so its absence means something). */
  seenOnLan = false;
  private rejoinTimer: NodeJS.Timeout | null = null;

  constructor(opts: RoomSessionOptions) {
    super();
    this.roomId = opts.roomId;
    this.fingerprint = opts.fingerprint ?? null;
    this.store = opts.store;
    this.nickname = opts.nickname;
    const key = opts.store.memberKey(opts.roomId);
    this.myId = key.id;
    for (const m of opts.store.messages(opts.roomId, { limit: WINDOW })) this.recent.set(m.seq, m);

    this.client = new RoomClient({
      fingerprint: opts.fingerprint ?? null,
      passcode: opts.passcode ?? null,
      endpoints: opts.endpoints,
      nickname: opts.nickname,
      key,
      outbox: opts.store.outbox(opts.roomId),
      since: () => opts.store.lastSeq(opts.roomId),
      backoff: SESSION_BACKOFF,
    });
    this.client.on('state', (_state, _attempt, reason) => {
      this.reason = reason;
      this.publish();
    });
    this.client.on('welcome', (welcome, fingerprint) => {
      opts.store.rememberRoom({ ...welcome.room, endpoints: opts.endpoints });
      this.fingerprint = fingerprint;
      opts.onWelcome?.(welcome.room.id, fingerprint);
      this.publish();
    });
    this.client.on('backlog', (messages) => {
      this.keep(messages);
      this.publish();
    });
    this.client.on('message', (message) => {
      if (this.keep([message]).length > 0) this.emit('message', { message });
    });
    this.client.on('ack', (cid, id, seq) => this.emit('sent', { cid, id, seq }));
    // Batches as they came: one event per roster page or presence frame, never one per member.
    this.client.on('roster', (members, done) => this.emit('roster', { members, done }));
    this.client.on('presence', (change) => this.emit('presence', change));
    this.client.on('problem', (problem) => this.emit('problem', problem));
  }

  /** Connects (or reconnects) to the room. */
  connect(): void {
    this.goneFromLan = false;
    if (this.started) {
      this.client.reconnectNow();
    } else {
      this.started = true;
      this.client.start();
    }
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

  /** Shows the saved copy without connecting: the room's host is not on the network. */
  openOffline(why: Reason): void {
    this.goneFromLan = true;
    this.reason = why;
    this.publish();
  }

  snapshot(): Session {
    const messages = [...this.recent.values()].sort((a, b) => a.seq - b.seq).slice(-WINDOW);
    const offline = this.client.state === 'offline';
    return {
      room: this.client.room ?? this.savedRoom(),
      address: this.client.address,
      state: this.client.state,
      attempt: this.client.attempt,
      // Offline: why it stopped; reconnecting: why the last attempt failed.
      reason: offline || this.client.state === 'reconnecting' ? this.reason : null,
      passcodeRefused: offline && this.client.passcodeRefused,
      // Known offline too: the host derives our id from the same key.
      me: this.client.me ?? { id: this.myId, nick: this.nickname },
      members: offline ? [] : this.client.members,
      rosterDone: offline || this.client.rosterDone,
      messages,
      earlier: (messages[0]?.seq ?? 1) > 1,
      removedBefore: this.client.removedBefore,
      pending: this.client.pending(),
      unread: this.store.unread(this.roomId, this.myId),
      code: this.fingerprint ? verificationCode(this.fingerprint) : null,
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

  markRead(conversation: string, seq: number): void {
    this.store.markRead(this.roomId, conversation, seq);
  }

  close(): Promise<void> {
    if (this.rejoinTimer) clearTimeout(this.rejoinTimer);
    this.rejoinTimer = null;
    return this.client.close();
  }

  private savedRoom(): Session['room'] {
    const known = this.store.knownRooms().find((r) => r.id === this.roomId);
    return known
      ? { v: PROTOCOL_VERSION, id: known.id, name: known.name, host: known.host, members: 0 }
      : null;
  }

  private publish(): void {
    this.emit('session', { session: this.snapshot() });
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

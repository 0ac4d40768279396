import { EventEmitter } from 'node:events';
import { reason, ReasonCode, sameReason, type Reason } from '../../shared/reasons';
import type { ConnectionState, Endpoint } from '../../shared/api';
import { encodeFrame } from '../../shared/codec';
import {
  ErrorCode,
  LIMITS,
  type ChatMessage,
  type HostFrame,
  type Member,
  type PageFrame,
  type RoomInfo,
  type WelcomeFrame,
} from '../../shared/protocol';
import { BACKOFF_DEFAULTS, reconnectDelay, type BackoffOptions } from './backoff';
import { Delivery, STORAGE_RETRY_DEFAULTS } from './Delivery';
import { formatEndpoint } from '../../shared/endpoint';
import type { MemberKey } from '../memberKey';
import type { FingerprintMismatchError } from '../identity/tlsClient';
import type { Problem } from '../../shared/problem';
import { certChangedReason, Link, type LinkEnd } from './Link';
import { MemoryOutbox, type OutboxStore, type PendingPost } from './outbox';
import { PageRequests } from './PageRequests';
import { Roster, type PresenceChange } from './Roster';
import { SeenSeqs } from './SeenSeqs';

/** How long to wait before asking again for history the host refused as asked too fast. */
const FETCH_RETRY_MS = 500;

export type { OutboxStore, PendingPost } from './outbox';
export type { Problem } from '../../shared/problem';
export type { Departure, PresenceChange } from './Roster';

/** How a member connects to a room. */
export interface RoomClientOptions {
  /** Tried in order on every attempt; the first that completes the handshake wins. */
  endpoints: Endpoint[];
  nickname: string;
  /** Our key pair for this room: it signs every hello, and the host names us by its public key. */
  key: MemberKey;
  backoff?: BackoffOptions;
  /** Per endpoint, covering the TCP connect, the upgrade and the welcome; default 5 s. */
  connectTimeoutMs?: number;
  /** Where posts wait until acknowledged; default in memory (the app passes a persistent one). */
  outbox?: OutboxStore;
  /**
   * The highest seq of this room the member already has (its saved copy), asked at every
   * connect; undefined when it has none, and the host then sends the latest messages.
   */
  since?: () => number | undefined;
  /** How long a fetch may wait for its page; default 10 s. */
  requestTimeoutMs?: number;
  /** Spacing of resends after STORAGE_FAILED; default 1 s doubling to 30 s. */
  storageRetry?: BackoffOptions;
  /** The room expected at these endpoints; a welcome from any other room is refused. */
  roomId?: string;
  /**
   * SHA-256 fingerprint the host's certificate must have (pinned or advertised); null or
   * absent: first contact, any certificate is accepted and `fingerprint` reports which.
   */
  fingerprint?: string | null;
  /** The room's passcode, for a room that has one (proved, never sent); null or absent: none. */
  passcode?: string | null;
}

/** Events a RoomClient emits. */
export interface ClientEvents {
  /** Every change of state or attempt number; `reason` says why (null when online). */
  state: [state: ConnectionState, attempt: number, reason: Reason | null];
  /** `fingerprint`: the SHA-256 fingerprint of the certificate the welcoming host presented. */
  welcome: [welcome: WelcomeFrame, fingerprint: string];
  /**
   * Messages from before this session: the welcome's history, then each catch-up page, oldest
   * first. Live messages that arrive during a catch-up wait and come after it as `message`.
   */
  backlog: [messages: ChatMessage[]];
  /** A live message (including the echo of our own posts, which carries their cid). */
  message: [message: ChatMessage];
  /** The host stored our post `cid` as message `id` / `seq`; it has left the outbox. */
  ack: [cid: string, id: string, seq: number];
  /**
   * One roster page after a welcome: `members` are the ones it taught us (not ourselves, not
   * the ones already known under the same nickname); `done` on the last page. Not news: these
   * members were in the room before we came.
   */
  roster: [members: Member[], done: boolean];
  /**
   * One presence frame, reduced to what changed for us (see PresenceChange); not emitted when
   * it changed nothing, not even the count.
   */
  presence: [change: PresenceChange];
  /** Something went wrong; with a `cid`, that post was refused for good and left the outbox. */
  problem: [error: Problem];
}

/** A catch-up in progress: live messages wait in `held` until the gap is filled. */
interface CatchUp {
  link: Link;
  held: ChatMessage[];
}

/**
 * A member's connection to one room, kept alive across drops: it reconnects with backoff, asks
 * each time for exactly the messages it missed (`since`), and delivers every post at least
 * once through its outbox (the host stores each cid once, so the room sees it exactly once).
 * No seq is emitted twice in the client's lifetime.
 */
export class RoomClient extends EventEmitter<ClientEvents> {
  private endpoints: Endpoint[];
  private readonly nickname: string;
  private readonly key: MemberKey;
  private passcode: { passcode: string; keys: Map<string, Buffer> } | undefined;
  private _passcodeRefused = false;
  private readonly backoff: BackoffOptions;
  private readonly connectTimeoutMs: number;
  private roomId: string | null;
  private expected: string | null;
  private presented: string | null = null;
  private _state: ConnectionState = 'offline';
  private _attempt = 0;
  private _reason: Reason | null = null;
  private _address: string;
  private readonly roster = new Roster();
  private readonly delivery: Delivery;
  private readonly seen: SeenSeqs;
  private readonly requests: PageRequests;
  private catchUp: CatchUp | null = null;
  private link: Link | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private started = false;
  private closed = false;

  constructor(opts: RoomClientOptions) {
    super();
    this.endpoints = [...opts.endpoints];
    this.nickname = opts.nickname;
    this.key = opts.key;
    // The derived key is cached per salt for this client's lifetime: scrypt runs once per join.
    this.passcode = opts.passcode ? { passcode: opts.passcode, keys: new Map() } : undefined;
    this.backoff = opts.backoff ?? {};
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 5_000;
    this.roomId = opts.roomId ?? null;
    this.expected = opts.fingerprint ?? null;
    this._address = opts.endpoints[0] ? formatEndpoint(opts.endpoints[0]) : '';
    this.seen = new SeenSeqs(opts.since ?? (() => undefined));
    this.requests = new PageRequests(opts.requestTimeoutMs ?? 10_000);
    this.delivery = new Delivery(
      opts.outbox ?? new MemoryOutbox(),
      opts.storageRetry ?? STORAGE_RETRY_DEFAULTS,
      {
        send: (frame) => this.sendNow(frame),
        acked: (cid, id, seq) => this.emit('ack', cid, id, seq),
        problem: (problem) => this.emit('problem', problem),
      },
    );
  }

  /** 'offline' until start(). */
  get state(): ConnectionState {
    return this._state;
  }
  /** Why the client is not online (null when it is): see ClientEvents.state. */
  get reason(): Reason | null {
    return this._reason;
  }

  /** The reconnect attempt while 'reconnecting'; 0 otherwise. */
  get attempt(): number {
    return this._attempt;
  }
  /** `host:port` of the endpoint in use or last tried. */
  get address(): string {
    return this._address;
  }
  get me(): Member | null {
    return this.roster.me;
  }
  get room(): RoomInfo | null {
    return this.roster.room;
  }
  /**
   * Members present: ourselves first, then the roster and joins in join order, as of the last
   * welcome plus the roster pages and presence frames since. A copy: take it rarely.
   */
  get members(): Member[] {
    return this.roster.list();
  }
  /** Whether the whole roster has arrived since the last welcome (until then, `members` is partial). */
  get rosterDone(): boolean {
    return this.roster.done;
  }
  /** The fingerprint of the certificate presented by the host that last welcomed us; null before. */
  get fingerprint(): string | null {
    return this.presented;
  }

  /**
   * The fingerprint the host must present from the next attempt on (after the user pinned or
   * re-trusted it); null accepts any (first contact).
   */
  setFingerprint(fingerprint: string | null): void {
    this.expected = fingerprint;
  }

  /** Begins connecting; only the first call counts (afterwards, see reconnectNow). */
  start(): void {
    if (this.closed || this.started) return;
    this.started = true;
    this.setState('connecting', 0, null);
    this.tryEndpoint(0, null);
  }

  /**
   * Files a post in the outbox, then sends it if online (otherwise it goes after the next
   * welcome); returns its cid (`cid` when the caller chose one). It stays pending until the
   * host acknowledges it.
   */
  post(text: string, to?: string, cid?: string): string {
    return this.delivery.post(text, to, cid);
  }

  /** Posts not yet acknowledged by the host, oldest first. */
  pending(): PendingPost[] {
    return this.delivery.pending();
  }

  /**
   * Up to `limit` (default 50, at most LIMITS.pageMax) messages before seq `beforeSeq`, oldest
   * first, from the host; `more` when older ones exist. They are not emitted as events.
   */
  fetchEarlier(
    beforeSeq: number,
    limit: number = LIMITS.backlog,
  ): Promise<{ messages: ChatMessage[]; more: boolean }> {
    return new Promise((resolve, reject) => {
      const link = this._state === 'online' ? this.link : null;
      if (!link) {
        reject(new Error('Not connected to the room, so earlier messages cannot be fetched now.'));
        return;
      }
      const ref = this.requests.nextRef();
      const size = Math.max(1, Math.min(Math.floor(limit), LIMITS.pageMax));
      const frame = encodeFrame({ type: 'fetch', before: beforeSeq, limit: size, ref });
      this.requests.expect(
        ref,
        frame,
        (page) => resolve({ messages: page.messages, more: page.more }),
        reject,
      );
      link.send(frame);
    });
  }

  /** Endpoints for the next attempt (the current connection, if any, is kept). */
  setEndpoints(endpoints: Endpoint[]): void {
    this.endpoints = [...endpoints];
  }

  /** Whether the client is offline because the room turned its passcode down. */
  get passcodeRefused(): boolean {
    return this._passcodeRefused;
  }

  /** The passcode to prove from the next attempt on (after the room turned the last one down). */
  setPasscode(passcode: string): void {
    this.passcode = passcode ? { passcode, keys: new Map() } : undefined;
  }

  /** Starts over from attempt 0 right away; does nothing while online or connecting. */
  reconnectNow(): void {
    if (this.closed || this._state === 'online' || this._state === 'connecting') return;
    this.started = true;
    this.halt();
    this.setState('connecting', 0, null);
    this.tryEndpoint(0, null);
  }

  /** Stops trying (the room is gone from the network) until reconnectNow(). */
  suspend(why: Reason): void {
    if (this.closed) return;
    this.halt();
    this._passcodeRefused = false;
    this.setState('offline', 0, why);
  }

  /**
   * Leaves the room: the host tells the others we quit. Pending posts stay in the outbox, so a
   * persistent one delivers them the next time the room is joined.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const leaving = this.halt();
    this._passcodeRefused = false;
    this.setState('offline', 0, null);
    await leaving;
  }

  /** Cancels any pending retry and closes the current link without reacting to its end. */
  private halt(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const link = this.link;
    this.link = null;
    this.sessionOver('The connection to the room was closed before the messages arrived.');
    return link ? link.close() : Promise.resolve();
  }

  /** Sends on the current session; false when there is none. */
  private sendNow(frame: string): boolean {
    return this._state === 'online' && this.link !== null && this.link.send(frame);
  }

  /**
   * `mismatches` counts the endpoints of this round that showed the wrong certificate, and
   * `mismatch` is the last such refusal.
   */
  private tryEndpoint(
    index: number,
    lastReason: Reason | null,
    mismatches = 0,
    mismatch: FingerprintMismatchError | null = null,
  ): void {
    const endpoint = this.endpoints[index];
    if (!endpoint) {
      // Every address answered with the wrong certificate: retrying cannot make it right, and
      // the user must hear it loudly rather than as one more failed attempt.
      if (mismatch !== null && mismatches === index) {
        this.setState('offline', 0, certChangedReason(mismatch));
        return;
      }
      this.retry(lastReason ?? reason(ReasonCode.NoAddress));
      return;
    }
    this._address = formatEndpoint(endpoint);
    const since = this.seen.since();
    const hello = {
      nick: this.nickname,
      key: this.key,
      ...(since !== undefined && { since }),
      ...(this.passcode && { passcode: this.passcode }),
    };
    const link = new Link(endpoint, hello, this.connectTimeoutMs, this.expected);
    this.link = link;
    // A link we have let go of (halt) may still report; only the current one counts.
    link.on('welcome', (welcome) => link === this.link && this.onWelcome(link, welcome, since));
    link.on('problem', (problem) => {
      if (link !== this.link) return;
      // A fetch refused as too fast (fetches carry no cid): ask again shortly, quietly.
      if (problem.code === ErrorCode.RateLimited && problem.cid === undefined) {
        this.retryFetchesSoon(link);
        return;
      }
      if (!this.delivery.onError(problem)) this.emit('problem', problem);
    });
    link.on('frame', (frame) => link === this.link && this.onFrame(frame));
    link.on('end', (end) => {
      if (link !== this.link) return;
      this.link = null;
      this.onEnd(end, index, mismatches, mismatch);
    });
  }

  private onFrame(frame: Exclude<HostFrame, { type: 'welcome' | 'error' }>): void {
    switch (frame.type) {
      case 'message':
        if (this.catchUp) this.catchUp.held.push(frame.message);
        else for (const message of this.seen.take([frame.message])) this.emit('message', message);
        break;
      case 'ack':
        this.delivery.onAck(frame);
        break;
      case 'page':
        // The boundary only moves up while the host runs (it prunes oldest first).
        this._removedBefore = Math.max(this._removedBefore, frame.removedBefore ?? 0);
        // A page nobody asked for (or asked for on a link since gone) is of no use: ignore it.
        this.requests.answer(frame);
        break;
      case 'roster':
        this.emit('roster', this.roster.addPage(frame), frame.done);
        break;
      case 'presence': {
        const before = this.roster.room?.members;
        const change = this.roster.applyPresence(frame);
        if (change.joined.length > 0 || change.left.length > 0 || change.count !== before) {
          this.emit('presence', change);
        }
        break;
      }
    }
  }

  private onEnd(
    end: LinkEnd,
    index: number,
    mismatches: number,
    mismatch: FingerprintMismatchError | null,
  ): void {
    if (end.welcomed) this.sessionOver('The connection to the room was lost before the messages arrived.');
    if (end.fatal) {
      this._passcodeRefused = end.passcodeRefused === true;
      this.setState('offline', 0, end.reason);
    } else if (!end.welcomed)
      this.tryEndpoint(index + 1, end.reason, mismatches + (end.mismatch ? 1 : 0), end.mismatch ?? mismatch);
    else {
      // A session that had been up starts a fresh series of attempts.
      this._attempt = 0;
      this.retry(end.reason);
    }
  }

  /** A session ended: what was in flight on it is dropped (the next welcome starts over). */
  private sessionOver(reason: string): void {
    // Held live messages are not emitted: the next hello asks for them again by seq.
    this.catchUp = null;
    if (this.fetchRetry) clearTimeout(this.fetchRetry);
    this.fetchRetry = null;
    this.requests.failAll(reason);
    this.delivery.pause();
  }

  /** Schedules the next attempt, or gives up once maxAttempts attempts have failed. */
  private retry(why: Reason): void {
    const attempt = this._attempt + 1;
    const maxAttempts = this.backoff.maxAttempts ?? BACKOFF_DEFAULTS.maxAttempts;
    if (attempt > maxAttempts) {
      // The last attempt's reason, without a cause of its own (reasons nest one level).
      const cause = reason(why.code, why.params);
      this.setState('offline', 0, { ...reason(ReasonCode.GaveUp, { attempts: maxAttempts }), cause });
      return;
    }
    // The timer exists before anyone hears 'reconnecting', so a listener that suspends the
    // client (the app does, when the room has left the lobby) really stops the retries.
    this.retryTimer = setTimeout(
      () => {
        this.retryTimer = null;
        this.tryEndpoint(0, null);
      },
      reconnectDelay(attempt, this.backoff),
    );
    this.setState('reconnecting', attempt, why);
  }

  private onWelcome(link: Link, welcome: WelcomeFrame, since: number | undefined): void {
    // Another room at the same address (a restart on a fixed port): never post into it.
    if (this.roomId !== null && welcome.room.id !== this.roomId) {
      this.suspend(reason(ReasonCode.OtherRoom, { name: welcome.room.name, address: this._address }));
      return;
    }
    this.roomId = welcome.room.id;
    this.presented = link.presented;
    this.roster.reset(welcome);
    this._removedBefore = welcome.removedBefore ?? 0;
    this._state = 'online';
    this._attempt = 0;
    // Posts waiting in the outbox go out first, in the order they were made, before anything
    // a listener of the events below might post.
    this.delivery.resendAll();
    const backlog = this.seen.take(welcome.history);
    // Without `since` the welcome holds the latest messages, so there is nothing after them.
    if (welcome.more && since !== undefined) {
      this.catchUp = { link, held: [] };
      this.fetchNextPage(link);
    }
    this.emit('welcome', welcome, this.presented ?? '');
    if (backlog.length > 0) this.emit('backlog', backlog);
    this.emitState(null);
  }

  private fetchRetry: NodeJS.Timeout | null = null;

  /** The host removed every message below this seq (its retention policy); 0 when none. */
  get removedBefore(): number {
    return this._removedBefore;
  }
  private _removedBefore = 0;

  private retryFetchesSoon(link: Link): void {
    if (this.fetchRetry) return;
    this.fetchRetry = setTimeout(() => {
      this.fetchRetry = null;
      if (link === this.link) this.requests.resendAll((frame) => link.send(frame));
    }, FETCH_RETRY_MS);
  }

  /** Asks for the page after the highest seq we have; calls itself until caught up. */
  private fetchNextPage(link: Link): void {
    const ref = this.requests.nextRef();
    const frame = encodeFrame({
      type: 'fetch',
      after: this.seen.since() ?? 0,
      limit: LIMITS.pageMax,
      ref,
    });
    this.requests.expect(
      ref,
      frame,
      (page) => link === this.link && this.onCatchUpPage(link, page),
      // The gap would stay open: drop the link, and the next hello asks for it again.
      () => link === this.link && link.abort(reason(ReasonCode.PageTimeout)),
    );
    link.send(frame);
  }

  private onCatchUpPage(link: Link, page: PageFrame): void {
    const fresh = this.seen.take(page.messages);
    if (fresh.length > 0) this.emit('backlog', fresh);
    if (link !== this.link) return; // a listener closed or suspended us
    // An empty page that claims more would have us ask the same question forever.
    if (page.more && page.messages.length > 0) {
      this.fetchNextPage(link);
      return;
    }
    const held = this.catchUp?.held ?? [];
    this.catchUp = null;
    for (const message of this.seen.take(held)) {
      this.emit('message', message);
      if (link !== this.link) return;
    }
  }

  private setState(state: ConnectionState, attempt: number, why: Reason | null): void {
    // The mark belongs to the offline state a refused passcode led to (onEnd sets it first).
    if (state !== 'offline') this._passcodeRefused = false;
    if (state === this._state && attempt === this._attempt && sameReason(why, this._reason)) return;
    this._state = state;
    this._attempt = attempt;
    this.emitState(why);
  }

  private emitState(why: Reason | null): void {
    this._reason = why;
    this.emit('state', this._state, this._attempt, why);
  }
}

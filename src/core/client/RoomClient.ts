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
  type RoomLimits,
  type Status,
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
import { StatusSender } from './StatusSender';

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
   * The host's history is not the one our saved copy is of (the welcome's `newest` is below our
   * `since`): its seqs name other messages here. Emitted before `welcome`; the listener must set
   * the saved copy aside at once (so `since` stops returning it). The client then goes on as a
   * first-time member: the latest page comes as `backlog`, earlier ones by fetchEarlier.
   */
  copyReplaced: [newest: number];
  /**
   * Messages from before this session: the welcome's history, then each catch-up page, oldest
   * first. Live messages that arrive during a catch-up wait and come after it as `message`.
   * `missed`: they are what was said while this member was away (asked for by `since`); false
   * for the latest messages of a room loaded afresh (a first join, a copy set aside).
   */
  backlog: [messages: ChatMessage[], missed: boolean];
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

/**
 * One pass over the endpoints: which one is being tried, and what the ones before it said.
 * `mismatches` counts those that showed the wrong certificate, `mismatch` is the last such.
 */
interface Round {
  /** 0 for the first round after start() or reconnectNow(); then the reconnect attempt. */
  attempt: number;
  index: number;
  /** Why this round runs (the last session's or round's end); null on the first. */
  why: Reason | null;
  lastReason: Reason | null;
  mismatches: number;
  mismatch: FingerprintMismatchError | null;
}

/**
 * Where the client is in its life. Each phase holds exactly what it needs, so a link, a timer
 * or a catch-up cannot outlive the phase it belongs to, and every check reads one field.
 * - `idle`: made, not started.
 * - `trying`: a round is trying `link` (TCP, TLS, upgrade, hello, welcome).
 * - `online`: welcomed on `link`; `held` is set while a catch-up fills the gap, and keeps the
 *   live messages that arrived meanwhile.
 * - `waiting`: between rounds, until `timer` starts the next one.
 * - `stopped`: no more tries until reconnectNow() (suspended, gave up, refused for good).
 * - `closed`: left the room; nothing starts it again.
 */
type Phase =
  | { kind: 'idle' }
  | { kind: 'trying'; link: Link; round: Round }
  | { kind: 'online'; link: Link; held: ChatMessage[] | null }
  | { kind: 'waiting'; timer: NodeJS.Timeout; attempt: number; why: Reason }
  | { kind: 'stopped'; why: Reason | null; passcodeRefused: boolean }
  | { kind: 'closed' };

/** What the `state` event last said, so a phase change that says nothing new stays quiet. */
interface Told {
  state: ConnectionState;
  attempt: number;
  reason: Reason | null;
}

function unreachable(phase: never): never {
  throw new Error(`RoomClient: unknown phase ${JSON.stringify(phase)}`);
}

/** The public view of a phase: the bridge's connection state, attempt and reason. */
function describePhase(phase: Phase): Told {
  switch (phase.kind) {
    case 'idle':
    case 'closed':
      return { state: 'offline', attempt: 0, reason: null };
    case 'trying': {
      const { attempt, why } = phase.round;
      return { state: attempt === 0 ? 'connecting' : 'reconnecting', attempt, reason: why };
    }
    case 'online':
      return { state: 'online', attempt: 0, reason: null };
    case 'waiting':
      return { state: 'reconnecting', attempt: phase.attempt, reason: phase.why };
    case 'stopped':
      return { state: 'offline', attempt: 0, reason: phase.why };
    default:
      return unreachable(phase);
  }
}

export class RoomClient extends EventEmitter<ClientEvents> {
  private endpoints: Endpoint[];
  private readonly nickname: string;
  private readonly key: MemberKey;
  /** The passcode to prove, with its derived key cached per salt: scrypt runs once per join. */
  private passcode: { passcode: string; keys: Map<string, Buffer> } | undefined;
  private readonly backoff: BackoffOptions;
  private readonly connectTimeoutMs: number;
  private roomId: string | null;
  private expected: string | null;
  private presented: string | null = null;
  private phase: Phase = { kind: 'idle' };
  private told: Told = describePhase(this.phase);
  private _address: string;
  /** The host removed every message below this seq (its retention policy); 0 when none. */
  private _removedBefore = 0;
  /** What the last welcome said the host enforces; null before one, or from a host that says nothing. */
  private _limits: RoomLimits | null = null;
  private readonly roster = new Roster();
  private readonly delivery: Delivery;
  private readonly seen: SeenSeqs;
  private readonly requests: PageRequests;
  /** Set while fetches refused as too fast wait to be asked again (FETCH_RETRY_MS). */
  private fetchRetry: NodeJS.Timeout | null = null;
  /** What we say of ourselves (away, busy), told to each session's host. */
  private readonly statusSender = new StatusSender((frame) => this.sendNow(frame));
  /** The fetches it will ask again, by ref; or all in flight (a host that named none). */
  private readonly fetchRetryRefs = new Set<string>();
  private fetchRetryAll = false;

  constructor(opts: RoomClientOptions) {
    super();
    this.endpoints = [...opts.endpoints];
    this.nickname = opts.nickname;
    this.key = opts.key;
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
    return describePhase(this.phase).state;
  }
  /** Why the client is not online (null when it is): see ClientEvents.state. */
  get reason(): Reason | null {
    return describePhase(this.phase).reason;
  }
  /** The reconnect attempt while 'reconnecting'; 0 otherwise. */
  get attempt(): number {
    return describePhase(this.phase).attempt;
  }
  /** Whether the client is offline because the room turned its passcode down. */
  get passcodeRefused(): boolean {
    return this.phase.kind === 'stopped' && this.phase.passcodeRefused;
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
  /** The host removed every message below this seq (its retention policy); 0 when none. */
  get removedBefore(): number {
    return this._removedBefore;
  }
  /**
   * The bounds the room's host enforces, as its last welcome said (null before one, or from a
   * host too old to say): what the window plans around instead of running into them.
   */
  get limits(): RoomLimits | null {
    return this._limits;
  }

  /**
   * The fingerprint the host must present from the next attempt on (after the user pinned or
   * re-trusted it); null accepts any (first contact).
   */
  setFingerprint(fingerprint: string | null): void {
    this.expected = fingerprint;
  }

  /** Endpoints for the next attempt (the current connection, if any, is kept). */
  setEndpoints(endpoints: Endpoint[]): void {
    this.endpoints = [...endpoints];
  }

  /** The passcode to prove from the next attempt on (after the room turned the last one down). */
  setPasscode(passcode: string): void {
    this.passcode = passcode ? { passcode, keys: new Map() } : undefined;
  }

  /** Begins connecting; only the first call counts (afterwards, see reconnectNow). */
  start(): void {
    if (this.phase.kind !== 'idle') return;
    this.tryEndpoint(firstRound(0, null));
  }

  /** Starts over from attempt 0 right away; does nothing while online, connecting or closed. */
  reconnectNow(): void {
    const { kind } = this.phase;
    if (kind === 'closed' || kind === 'online') return;
    if (kind === 'trying' && this.phase.round.attempt === 0) return;
    void this.leave();
    this.tryEndpoint(firstRound(0, null));
  }

  /** Stops trying (the room is gone from the network) until reconnectNow(). */
  suspend(why: Reason): void {
    if (this.phase.kind === 'closed') return;
    void this.leave({ kind: 'stopped', why, passcodeRefused: false });
    this.announce();
  }

  /**
   * Leaves the room: the host tells the others we quit. Pending posts stay in the outbox, so a
   * persistent one delivers them the next time the room is joined.
   */
  /** Says we are away, busy or active: to the host now if online, else after the next welcome. */
  setStatus(status: Status): void {
    this.statusSender.set(status);
  }

  async close(): Promise<void> {
    if (this.phase.kind === 'closed') return;
    this.statusSender.stop();
    const leaving = this.leave({ kind: 'closed' });
    this.announce();
    await leaving;
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
   * Up to `limit` (default 50, at most the host's pageMax) messages before seq `beforeSeq`, oldest
   * first, from the host; `more` when older ones exist. They are not emitted as events.
   */
  fetchEarlier(
    beforeSeq: number,
    limit: number = LIMITS.backlog,
  ): Promise<{ messages: ChatMessage[]; more: boolean }> {
    return new Promise((resolve, reject) => {
      const link = this.onlineLink();
      if (!link) {
        reject(new Error('Not connected to the room, so earlier messages cannot be fetched now.'));
        return;
      }
      const ref = this.requests.nextRef();
      const size = Math.max(1, Math.min(Math.floor(limit), this.pageMax()));
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

  /**
   * Ends the current phase: cancels its timer, lets go of its link without reacting to its
   * end, and drops what was in flight on it. `next` is entered first, so nothing the old link
   * still reports can count. Resolves once the link is closed.
   */
  private leave(next: Phase = { kind: 'idle' }): Promise<void> {
    const old = this.phase;
    this.phase = next;
    if (old.kind === 'waiting') clearTimeout(old.timer);
    this.sessionOver('The connection to the room was closed before the messages arrived.');
    return old.kind === 'trying' || old.kind === 'online' ? old.link.close() : Promise.resolve();
  }

  /** Tells listeners the state, attempt and reason, when they differ from what they last heard. */
  private announce(): void {
    const now = describePhase(this.phase);
    const told = this.told;
    if (now.state === told.state && now.attempt === told.attempt && sameReason(now.reason, told.reason))
      return;
    this.told = now;
    this.emit('state', now.state, now.attempt, now.reason);
  }

  /** The link of the current phase when it is `link` (a link we let go of may still report). */
  private isCurrent(link: Link): boolean {
    const phase = this.phase;
    return (phase.kind === 'trying' || phase.kind === 'online') && phase.link === link;
  }

  private onlineLink(): Link | null {
    return this.phase.kind === 'online' ? this.phase.link : null;
  }

  /** Sends on the current session; false when there is none. */
  private sendNow(frame: string): boolean {
    const link = this.onlineLink();
    return link !== null && link.send(frame);
  }

  private tryEndpoint(round: Round): void {
    const endpoint = this.endpoints[round.index];
    if (!endpoint) {
      // Every address answered with the wrong certificate: retrying cannot make it right, and
      // the user must hear it loudly rather than as one more failed attempt.
      if (round.mismatch !== null && round.mismatches === round.index) {
        this.phase = { kind: 'stopped', why: certChangedReason(round.mismatch), passcodeRefused: false };
        this.announce();
        return;
      }
      this.retry(round.attempt, round.lastReason ?? reason(ReasonCode.NoAddress));
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
    this.phase = { kind: 'trying', link, round };
    link.on('welcome', (welcome) => this.isCurrent(link) && this.onWelcome(link, welcome, since));
    link.on('problem', (problem) => {
      if (!this.isCurrent(link)) return;
      // About a fetch of ours: its caller hears of it. One no longer waited for (it timed out,
      // and its caller was told then) is news to nobody.
      if (problem.ref !== undefined && problem.cid === undefined) {
        if (this.requests.has(problem.ref)) this.onFetchRefused(link, problem.ref, problem);
        return;
      }
      // The one frame a host of this version may not know is a status: it is told no more.
      if (problem.code === ErrorCode.UnknownType && problem.cid === undefined) {
        this.statusSender.unsupported();
        return;
      }
      // A fetch refused as too fast by a host that did not name it (nor is it a post's, which
      // carry a cid): ask every fetch in flight again shortly, quietly.
      if (problem.code === ErrorCode.RateLimited && problem.cid === undefined) {
        this.retryFetchesSoon(link, null);
        return;
      }
      if (!this.delivery.onError(problem)) this.emit('problem', problem);
    });
    link.on('frame', (frame) => this.isCurrent(link) && this.onFrame(frame));
    link.on('end', (end) => this.isCurrent(link) && this.onEnd(end, round));
    this.announce();
  }

  private onFrame(frame: Exclude<HostFrame, { type: 'welcome' | 'error' }>): void {
    switch (frame.type) {
      case 'message': {
        const held = this.phase.kind === 'online' ? this.phase.held : null;
        if (held) held.push(frame.message);
        else for (const message of this.seen.take([frame.message])) this.emit('message', message);
        break;
      }
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
        const changed = change.joined.length + change.left.length + change.statuses.length > 0;
        if (changed || change.count !== before) {
          this.emit('presence', change);
        }
        break;
      }
    }
  }

  private onEnd(end: LinkEnd, round: Round): void {
    if (end.welcomed) this.sessionOver('The connection to the room was lost before the messages arrived.');
    if (end.fatal) {
      this.phase = { kind: 'stopped', why: end.reason, passcodeRefused: end.passcodeRefused === true };
      this.announce();
    } else if (!end.welcomed) {
      this.tryEndpoint({
        ...round,
        index: round.index + 1,
        lastReason: end.reason,
        mismatches: round.mismatches + (end.mismatch ? 1 : 0),
        mismatch: end.mismatch ?? round.mismatch,
      });
    } else {
      // A session that had been up starts a fresh series of attempts.
      this.retry(0, end.reason);
    }
  }

  /** A session ended: what was in flight on it is dropped (the next welcome starts over). */
  private sessionOver(reason: string): void {
    // Held live messages (in the online phase being left) are not emitted: the next hello
    // asks for them again by seq.
    if (this.fetchRetry) clearTimeout(this.fetchRetry);
    this.fetchRetry = null;
    this.fetchRetryRefs.clear();
    this.fetchRetryAll = false;
    this.statusSender.stop();
    this.requests.failAll(reason);
    this.delivery.pause();
  }

  /** Waits for the round after `attempt`, or gives up once maxAttempts attempts have failed. */
  private retry(attempt: number, why: Reason): void {
    const next = attempt + 1;
    const maxAttempts = this.backoff.maxAttempts ?? BACKOFF_DEFAULTS.maxAttempts;
    if (next > maxAttempts) {
      // The last attempt's reason, without a cause of its own (reasons nest one level).
      const cause = reason(why.code, why.params);
      const gaveUp = { ...reason(ReasonCode.GaveUp, { attempts: maxAttempts }), cause };
      this.phase = { kind: 'stopped', why: gaveUp, passcodeRefused: false };
      this.announce();
      return;
    }
    // The phase holds the timer before anyone hears 'reconnecting', so a listener that
    // suspends the client (the app does, when the room has left the lobby) really stops it.
    const timer = setTimeout(
      () => {
        if (this.phase.kind === 'waiting' && this.phase.timer === timer)
          this.tryEndpoint(firstRound(next, why));
      },
      reconnectDelay(next, this.backoff),
    );
    this.phase = { kind: 'waiting', timer, attempt: next, why };
    this.announce();
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
    this._limits = welcome.limits ?? null;
    // Seqs are never given twice, so a copy of this history never reaches past `newest`.
    const foreign = since !== undefined && welcome.newest !== undefined && since > welcome.newest;
    if (foreign) {
      this.emit('copyReplaced', welcome.newest!);
      this.seen.restart();
      if (!this.isCurrent(link)) return; // a listener closed or suspended us
    }
    // Without `since` the welcome holds the latest messages, so there is nothing after them.
    const catchingUp = welcome.more && since !== undefined && !foreign;
    this.phase = { kind: 'online', link, held: catchingUp ? [] : null };
    // Posts waiting in the outbox go out first, in the order they were made, before anything
    // a listener of the events below might post.
    this.delivery.resendAll();
    const backlog = this.seen.take(welcome.history);
    if (catchingUp) this.fetchNextPage(link);
    if (foreign && welcome.newest! > 0) this.fetchLatestPage(link, welcome.newest!);
    this.statusSender.welcomed();
    this.emit('welcome', welcome, link.presented ?? '');
    if (backlog.length > 0) this.emit('backlog', backlog, since !== undefined && !foreign);
    this.announce();
  }

  /** The most messages one fetch may ask for: the host's, if it said (a fetch beyond is refused). */
  private pageMax(): number {
    return Math.max(1, Math.floor(this._limits?.pageMax ?? LIMITS.pageMax));
  }

  /**
   * The host answered a fetch of ours with an error. Too fast: it is asked again shortly, and
   * quietly. Anything else fails that fetch now, with the host's code (its caller says so where
   * it was asked), rather than at its deadline.
   */
  private onFetchRefused(link: Link, ref: string, problem: Problem): void {
    if (problem.code === ErrorCode.RateLimited) {
      this.retryFetchesSoon(link, ref);
      return;
    }
    this.requests.refuse(ref, Object.assign(new Error(problem.message), { code: problem.code }));
  }

  /** Sends the fetches refused as too fast again after FETCH_RETRY_MS: `ref`, or (null) all. */
  private retryFetchesSoon(link: Link, ref: string | null): void {
    if (ref === null) this.fetchRetryAll = true;
    else this.fetchRetryRefs.add(ref);
    if (this.fetchRetry) return;
    this.fetchRetry = setTimeout(() => {
      this.fetchRetry = null;
      const all = this.fetchRetryAll;
      const refs = [...this.fetchRetryRefs];
      this.fetchRetryAll = false;
      this.fetchRetryRefs.clear();
      if (!this.isCurrent(link)) return;
      const send = (frame: string): void => void link.send(frame);
      if (all) this.requests.resendAll(send);
      else for (const each of refs) this.requests.resend(each, send);
    }, FETCH_RETRY_MS);
  }

  /** Asks for the page after the highest seq we have; calls itself until caught up. */
  private fetchNextPage(link: Link): void {
    const ref = this.requests.nextRef();
    const frame = encodeFrame({
      type: 'fetch',
      after: this.seen.since() ?? 0,
      limit: this.pageMax(),
      ref,
    });
    this.requests.expect(
      ref,
      frame,
      (page) => this.isCurrent(link) && this.onCatchUpPage(link, page),
      // The gap would stay open: drop the link, and the next hello asks for it again.
      () => this.isCurrent(link) && link.abort(reason(ReasonCode.PageTimeout)),
    );
    link.send(frame);
  }

  /**
   * After a saved copy was set aside, the page a first-time member's welcome would have held.
   * Without it the room would look empty; if it never comes, the link is dropped and the next
   * hello (now without the foreign `since`) gets the latest messages in its welcome.
   */
  private fetchLatestPage(link: Link, newest: number): void {
    this.fetchEarlier(newest + 1).then(
      (page) => {
        if (!this.isCurrent(link)) return;
        const fresh = this.seen.take(page.messages);
        if (fresh.length > 0) this.emit('backlog', fresh, false);
      },
      () => this.isCurrent(link) && link.abort(reason(ReasonCode.PageTimeout)),
    );
  }

  private onCatchUpPage(link: Link, page: PageFrame): void {
    const fresh = this.seen.take(page.messages);
    if (fresh.length > 0) this.emit('backlog', fresh, true);
    if (!this.isCurrent(link)) return; // a listener closed or suspended us
    // An empty page that claims more would have us ask the same question forever.
    if (page.more && page.messages.length > 0) {
      this.fetchNextPage(link);
      return;
    }
    const held = this.phase.kind === 'online' ? (this.phase.held ?? []) : [];
    if (this.phase.kind === 'online') this.phase = { ...this.phase, held: null };
    for (const message of this.seen.take(held)) {
      this.emit('message', message);
      if (!this.isCurrent(link)) return;
    }
  }
}

/** A round from the first endpoint. */
function firstRound(attempt: number, why: Reason | null): Round {
  return { attempt, index: 0, why, lastReason: null, mismatches: 0, mismatch: null };
}

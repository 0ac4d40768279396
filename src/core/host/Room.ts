import type { Duplex } from 'node:stream';
import { WebSocket, type RawData } from 'ws';
import { decodeClientFrame } from '../../shared/codec';
import {
  CloseCode,
  ErrorCode,
  LIMITS,
  PROTOCOL_VERSION,
  type ChatMessage,
  type ClientFrame,
  type FetchFrame,
  type HelloFrame,
  type HostFrame,
  type Member,
  type PostFrame,
  type RoomInfo,
  type RoomLimits,
  type Status,
} from '../../shared/protocol';
import {
  StorageFullError,
  type Appended,
  type HistoryPage,
  type HistoryStore,
  type MessageDraft,
} from './history';
import { DailyQuota } from './dailyQuota';
import { helloSignatureValid, memberIdFromPublicKey } from '../memberKey';
import { correlationOf, type Correlation } from './correlationId';
import { newMessageId } from './ids';
import { roomLimits, type HostLimits } from './limits';
import { Members, type NicknameOptions } from './Members';
import { Seats } from './admission/Seats';
import type { PasscodeGate, Verdict } from './PasscodeGate';
import { randomToken } from '../passcode';
import { prepare, safeClose, sendPrepared, type Prepared } from './outbound';
import { PresenceChannel } from './presenceChannel';
import { originOf } from './admission/addressGroups';
import { RateBook, takeEach } from './RateBook';
import { trimToBytes } from './replyBudget';
import { TokenBucket } from './TokenBucket';
import { WriteBatch } from './writeBatch';
import { Conn } from './Conn';

export type { Conn } from './Conn';

/** What the room needs from its host. */
export interface RoomDeps {
  info(): RoomInfo;
  history: HistoryStore;
  heartbeatMs: number;
  onCount(count: number): void;
  limits: HostLimits;
  /** Milliseconds, for the rate limits: performance.now, or a test's own clock. */
  now(): number;
  /** The room's passcode check; absent when anyone may join. */
  passcode?: PasscodeGate | null;
  /** SHA-256 fingerprint of the certificate the room presents: hellos must be signed over it. */
  fingerprint: string;
  /** Whose nicknames are kept for whom (the host's, members who left); they expire on `now`. */
  nicknames?: Omit<NicknameOptions, 'now'>;
  /** Told of every welcome (the TCP connection under it stops counting as not joined). */
  onSeated?(conn: Conn): void;
}

/**
 * Close codes that mean the member closed on purpose: 1000, 1001, and 1005, which is a
 * proper closing handshake whose frame carried no code. Anything else (1006 after a terminate,
 * 1009 for an oversized frame...) means the link failed under it.
 */
const QUIT_CODES = new Set<number>([CloseCode.Normal, CloseCode.GoingAway, 1005]);

/** A post accepted this turn, waiting to be stored with the turn's others (see storePosts). */
interface AcceptedPost {
  conn: Conn;
  post: PostFrame;
  draft: MessageDraft;
}

/**
 * The chat itself: handshakes, posts and presence over a set of sockets. Every handler is
 * answer-don't-throw: whatever one member sends, the others keep being served.
 */
export class Room {
  /** Every open connection, joined or not (the heartbeat and shutdown need them all). */
  readonly conns = new Set<Conn>();
  readonly members: Members;
  /** The connection currently holding each member's seat, counted per address and prefix. */
  private readonly online = new Seats<Conn>((conn) => this.deps.onSeated?.(conn));
  private drained: (() => void)[] = [];
  private pending: AcceptedPost[] = [];
  /** Rate budgets by member id and by address, kept across reconnects. */
  private readonly rates: {
    posts: RateBook;
    fetches: RateBook;
    addressPosts: RateBook;
    addressFetches: RateBook;
  };
  /** Each member's daily allowance of stored posts and bytes, by member id (see HostLimits). */
  private readonly quota: DailyQuota;
  /** The turn's posts are stored (and answered) first, then the turn's writes go out. */
  private readonly writes = new WriteBatch(() => this.storePosts());
  /** Who is here, told to newcomers in roster pages and to everyone in presence frames. */
  private readonly presence: PresenceChannel<Conn>;
  /** The welcome's `limits`: what this room enforces that a member can plan around. */
  private readonly limits: RoomLimits;

  constructor(private readonly deps: RoomDeps) {
    this.members = new Members({ ...deps.nicknames, now: deps.now });
    this.limits = roomLimits(deps.limits);
    const { limits: l, now } = deps;
    this.rates = {
      posts: new RateBook(l.postBurst, l.postsPerSecond, now),
      fetches: new RateBook(l.fetchBurst, l.fetchesPerSecond, now),
      addressPosts: new RateBook(l.addressPostBurst, l.addressPostsPerSecond, now),
      addressFetches: new RateBook(l.addressFetchBurst, l.addressFetchesPerSecond, now),
    };
    this.quota = new DailyQuota(deps.limits.dailyPostsPerMember, deps.limits.dailyBytesPerMember, deps.now);
    this.presence = new PresenceChannel<Conn>({
      intervalMs: l.presenceIntervalMs,
      maxHeld: l.maxHeldPresence,
      now,
      online: () => this.online.values(),
      count: () => this.members.count,
      deliver: (conn, frame) => this.deliver(conn, frame),
      tooSlow: (conn) => this.evict(conn, CloseCode.TooSlow, 'too slow to keep up'),
      guard,
    });
  }

  /** Serves a new connection; `socket` is the one under `ws`, for batching its writes. */
  attach(ws: WebSocket, address = '', socket: Duplex | null = null): void {
    const { limits, now, passcode } = this.deps;
    const conn: Conn = new Conn({
      ws,
      socket,
      address,
      nonce: randomToken(32),
      posts: [this.rates.addressPosts.bucket(originOf(address).address)],
      fetches: [this.rates.addressFetches.bucket(originOf(address).address)],
      strikes: new TokenBucket(limits.floodStrikes, (limits.floodStrikes * 1000) / limits.floodWindowMs, now),
      statuses: new TokenBucket(LIMITS.statusBurst, 1000 / LIMITS.statusEveryMs, now),
      // A socket that never says hello would otherwise hold a connection slot for good.
      deadline: setTimeout(
        () => guard(() => this.evict(conn, CloseCode.HandshakeTimeout, 'no hello in time')),
        limits.handshakeTimeoutMs,
      ),
    });
    this.conns.add(conn);
    // Errors are always followed by 'close', which does the cleanup; unheard they would crash us.
    ws.on('error', () => {});
    ws.on('pong', () => (conn.alive = true));
    ws.on('message', (data, isBinary) => {
      conn.alive = true;
      guard(() => this.onMessage(conn, data, isBinary));
    });
    ws.on('close', (code) => guard(() => this.onClose(conn, code)));
    // Held fetches are answered as the member reads what it was sent before them.
    socket?.on('drain', () =>
      guard(() => {
        this.serveWaiting(conn);
        this.presence.pump(conn);
      }),
    );
    // The room speaks first: the hello must be signed over this nonce (and, with a passcode,
    // carry the proof for it).
    this.send(conn, { type: 'challenge', nonce: conn.nonce, ...(passcode && { salt: passcode.salt }) });
  }

  /** Closes every connection, terminating those that have not finished closing after `graceMs`. */
  async closeAll(code: number, reason: string, graceMs: number): Promise<void> {
    // The posts already accepted are stored and acknowledged before the closing handshakes.
    this.settle();
    this.presence.stop();
    for (const conn of this.conns) safeClose(conn.ws, code, reason);
    if (!(await this.whenEmpty(graceMs))) {
      for (const conn of this.conns) conn.ws.terminate();
      await this.whenEmpty(graceMs);
    }
  }

  private whenEmpty(ms: number): Promise<boolean> {
    if (this.conns.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.drained.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  private onMessage(conn: Conn, data: RawData, isBinary: boolean): void {
    // ws still delivers what arrives while a close is under way (a replaced, refused or evicted
    // connection): none of it is served, or an evicted flooder could even say hello again.
    if (conn.ws.readyState !== WebSocket.OPEN) return;
    if (isBinary) {
      this.reject(conn, ErrorCode.BinaryFrame, 'Frames must be JSON text, not binary.');
      return;
    }
    const raw = data.toString();
    const decoded = decodeClientFrame(raw);
    if (!decoded.ok) {
      if (decoded.code === ErrorCode.VersionMismatch) {
        this.sendError(conn, decoded.code, decoded.message);
        safeClose(conn.ws, CloseCode.VersionMismatch, 'protocol version mismatch');
      } else {
        this.reject(conn, decoded.code, decoded.message, correlationOf(raw));
      }
      return;
    }
    const frame = decoded.frame;
    const member = conn.member;
    if (frame.type === 'hello') {
      if (conn.phase === 'awaiting-hello') this.onHello(conn, frame);
      else this.reject(conn, ErrorCode.AlreadyJoined, 'You have already joined.');
    } else if (!member) {
      this.reject(conn, ErrorCode.NotJoined, 'Send a hello before anything else.', about(frame));
    } else if (frame.type === 'post') {
      // Refused before anything is looked up or stored: over the limit, a post costs one answer.
      // Each post is judged as it arrives: one refused does not hold back those after it.
      if (takeEach(...conn.posts)) this.onPost(conn, member, frame);
      else this.reject(conn, ErrorCode.RateLimited, RATE_LIMITED_POST, about(frame));
    } else if (frame.type === 'status') {
      if (conn.statuses.take()) this.onStatus(conn, member, frame.status);
      else this.reject(conn, ErrorCode.RateLimited, RATE_LIMITED_STATUS);
    } else if (takeEach(...conn.fetches)) {
      this.fetchWhenDrained(conn, member, frame);
    } else {
      this.reject(conn, ErrorCode.RateLimited, RATE_LIMITED_FETCH, about(frame));
    }
  }

  /** A member says it is away, busy or active again: the room hears it in the next presence frame. */
  private onStatus(conn: Conn, member: Member, status: Status): void {
    if (status === conn.status) return;
    conn.status = status;
    this.presence.updated(conn, status === 'active' ? member : { ...member, status });
  }

  private onHello(conn: Conn, hello: HelloFrame): void {
    // A member taking its seat back closes its old connection: what that one posted is answered first.
    this.settle();
    // The key must be the signer's, over this connection's nonce and our own certificate: a
    // hello relayed from a connection to another certificate (an impostor in between) fails.
    if (!helloSignatureValid(hello.pub, hello.sig, conn.nonce, this.deps.fingerprint)) {
      this.sendError(
        conn,
        ErrorCode.BadSignature,
        'Your identity could not be verified for this room’s certificate; someone may be relaying your connection.',
      );
      this.evict(conn, CloseCode.IdentityRefused, 'bad signature');
      return;
    }
    const id = memberIdFromPublicKey(hello.pub);
    const gate = this.deps.passcode;
    if (gate) {
      const verdict = gate.check({
        memberId: id,
        address: conn.address,
        nonce: conn.nonce,
        fingerprint: this.deps.fingerprint,
        proof: hello.proof,
      });
      if (!verdict.ok) {
        this.sendError(conn, ...passcodeRefusal(verdict));
        this.evict(conn, CloseCode.Unauthorized, 'passcode');
        return;
      }
    }
    const previous = this.online.get(id);
    const { maxMembers } = this.deps.limits;
    // A member taking its own seat back does not make the room any fuller.
    if (!previous && this.members.count >= maxMembers) {
      this.sendError(conn, ErrorCode.RoomFull, `This room is full (${maxMembers} members).`);
      this.evict(conn, CloseCode.RoomFull, 'room full');
      return;
    }
    const crowding = previous ? null : this.online.crowding(conn.address, this.deps.limits);
    if (crowding) {
      this.sendError(conn, ErrorCode.TooManyFromAddress, tooManyFrom(crowding.scope, crowding.limit));
      this.evict(conn, CloseCode.TooManyFromAddress, 'too many from this address');
      return;
    }
    if (previous) {
      // The member came back while its old socket still looks open (a half-open link the
      // heartbeat has not caught yet, or the same key on a second device). To everyone else
      // nothing happened: no left, no joined, and it keeps the nickname they know it by.
      const member = previous.replace()!;
      this.presence.replaced(previous, conn);
      safeClose(previous.ws, CloseCode.Replaced, 'replaced by a newer connection');
      this.welcome(conn, member, hello.since);
      // Every connection starts active: a status the old one had is over (the member says it
      // again if it still holds).
      if (previous.status !== 'active') this.presence.updated(conn, member);
      return;
    }
    const member = this.members.join(id, hello.nick);
    this.welcome(conn, member, hello.since);
    this.presence.joined(conn, member);
    this.deps.onCount(this.members.count);
  }

  private welcome(conn: Conn, member: Member, since: number | undefined): void {
    conn.join(member);
    // From now on the member's own budgets count too, as it left them on its last connection.
    conn.posts.push(this.rates.posts.bucket(member.id));
    conn.fetches.push(this.rates.fetches.bucket(member.id));
    this.online.set(member.id, conn);
    // Without `since`, the latest messages; with it, exactly the gap (or its first page).
    let page: HistoryPage;
    let newest: number | undefined;
    try {
      page =
        since === undefined
          ? trimToBytes(
              { messages: this.deps.history.latest(member.id, LIMITS.backlog), more: false },
              this.deps.limits.maxReplyBytes,
              'newest',
              false,
            )
          : trimToBytes(
              this.deps.history.after(member.id, since, LIMITS.pageMax),
              this.deps.limits.maxReplyBytes,
              'oldest',
            );
      // The newest message it may see (the welcome's own when it holds the latest), or the last
      // removed seq when higher (its own last message may be gone): an honest `since` never
      // exceeds it, as seqs are never given twice.
      const latest = since === undefined ? page.messages : this.deps.history.latest(member.id, 1);
      newest = Math.max(latest.at(-1)?.seq ?? 0, this.deps.history.removedBefore - 1, 0);
    } catch (err) {
      // The member still gets in; `more` sends a catching-up member back for the gap later.
      // No `newest`: a guess could tell a member with a good copy that its copy is foreign.
      console.error('[parley host] could not read the history for a welcome:', err);
      page = { messages: [], more: since !== undefined };
    }
    this.send(conn, {
      type: 'welcome',
      v: PROTOCOL_VERSION,
      you: member,
      room: this.deps.info(),
      history: page.messages,
      more: page.more,
      heartbeatMs: this.deps.heartbeatMs,
      ...this.removedBefore(),
      ...(newest !== undefined && { newest }),
      limits: this.limits,
    });
    // Who else is here follows, a page a turn: each page its own small write.
    this.presence.welcomed(conn);
  }

  private onPost(conn: Conn, from: Member, post: PostFrame): void {
    // A resend of a stored post is answered before anything else is judged: even if the
    // recipient has left since, the post was accepted and the sender only needs the ack.
    let earlier: ChatMessage | undefined;
    try {
      earlier = this.deps.history.stored(from.id, post.cid);
    } catch (err) {
      this.storageFailed(conn, post.cid, err);
      return;
    }
    if (earlier) {
      this.send(conn, { type: 'ack', cid: post.cid, id: earlier.id, seq: earlier.seq });
      return;
    }
    let to: Member | undefined;
    if (post.to !== undefined) {
      to = this.members.get(post.to);
      if (!to) {
        // Judged against who is online now: the same post succeeds once that member is back.
        this.reject(conn, ErrorCode.NoSuchMember, 'That member is not in the room.', about(post));
        return;
      }
    }
    // Counted by member id, so no reconnect refills it; resends of stored posts (above) are free.
    const allowance = this.quota.take(from.id, Buffer.byteLength(post.text));
    if (!allowance.ok) {
      this.send(conn, {
        type: 'error',
        code: ErrorCode.QuotaExceeded,
        message: `You have reached this room's daily limit of ${this.deps.limits.dailyPostsPerMember} messages or ${Math.round(this.deps.limits.dailyBytesPerMember / 1048576)} MiB; this message was not accepted.`,
        cid: post.cid,
        retryAfterMs: allowance.retryAfterMs,
      });
      return;
    }
    // `from` comes from the connection, never from the frame: nobody can speak as someone else.
    const draft = { id: newMessageId(), ts: Date.now(), from, text: post.text, ...(to ? { to } : {}) };
    // Stored at the end of the turn with every other post the turn brings: one commit for all.
    this.pending.push({ conn, post, draft });
    this.writes.schedule();
  }

  /** Stores and answers the posts waiting for the end of the turn now, if there are any. */
  private settle(): void {
    if (this.pending.length > 0) this.storePosts();
  }

  /**
   * Stores the turn's posts, then answers each: an ack only once its message is kept, then the
   * echo and the broadcast, in seq order. A member that joined meanwhile gets them live (they
   * were not in its welcome's history); one that left, or whose recipient left, gets nothing.
   */
  private storePosts(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const { history } = this.deps;
    const entries = batch.map(({ draft, post }) => ({ draft, cid: post.cid }));
    let results: (Appended | { error: unknown })[];
    try {
      results = history.appendAll(entries);
    } catch (error) {
      results = batch.map(() => ({ error }));
    }
    batch.forEach((pending, i) => guard(() => this.posted(pending, results[i]!)));
  }

  private posted({ conn, post, draft }: AcceptedPost, stored: Appended | { error: unknown }): void {
    if ('error' in stored || stored.duplicate) this.quota.refund(draft.from.id, Buffer.byteLength(post.text));
    if ('error' in stored) {
      this.storageFailed(conn, post.cid, stored.error);
      return;
    }
    const { message } = stored;
    this.send(conn, { type: 'ack', cid: post.cid, id: message.id, seq: message.seq });
    if (stored.duplicate) return;

    // Only the sender learns the cid, so it alone can match the echo to what it typed.
    this.send(conn, { type: 'message', message: { ...message, cid: post.cid } });
    // Whoever just arrived is announced before what it says.
    this.presence.flushIfPending();
    const forOthers = prepare({ type: 'message', message });
    if (draft.to) {
      const recipient = this.online.get(draft.to.id);
      if (recipient && recipient !== conn) this.deliver(recipient, forOthers);
      return;
    }
    for (const other of this.online.values()) if (other !== conn) this.deliver(other, forOthers);
  }

  private onFetch(conn: Conn, member: Member, fetch: FetchFrame): void {
    // A page read now must hold the posts accepted before this fetch.
    this.settle();
    const limit = Math.min(fetch.limit ?? LIMITS.backlog, LIMITS.pageMax);
    let page: HistoryPage;
    try {
      const { maxReplyBytes } = this.deps.limits;
      page =
        fetch.before !== undefined
          ? trimToBytes(this.deps.history.before(member.id, fetch.before, limit), maxReplyBytes, 'newest')
          : trimToBytes(this.deps.history.after(member.id, fetch.after ?? 0, limit), maxReplyBytes, 'oldest');
    } catch (err) {
      console.error('[parley host] could not read the history for a fetch:', err);
      this.sendError(
        conn,
        ErrorCode.StorageFailed,
        'The room’s history cannot be read right now.',
        about(fetch),
      );
      return;
    }
    const ref = fetch.ref === undefined ? {} : { ref: fetch.ref };
    this.send(conn, {
      type: 'page',
      ...ref,
      messages: page.messages,
      more: page.more,
      ...this.removedBefore(),
    });
  }

  /**
   * Answers a fetch now if little waits unsent for the member, or holds it until that drains:
   * a member that asks and never reads gets one bounded answer, not a pile of them. A fetch
   * beyond the few that may wait is refused RATE_LIMITED (a catch-up has one in flight).
   */
  private fetchWhenDrained(conn: Conn, member: Member, fetch: FetchFrame): void {
    const { maxReplyBytes, maxWaitingFetches } = this.deps.limits;
    if (conn.waiting.length === 0 && (!conn.socket || conn.ws.bufferedAmount < maxReplyBytes)) {
      this.onFetch(conn, member, fetch);
    } else if (conn.waiting.length < maxWaitingFetches) {
      conn.waiting.push(fetch);
    } else {
      this.reject(conn, ErrorCode.RateLimited, RATE_LIMITED_FETCH, about(fetch));
    }
  }

  /** Answers held fetches, in order, while the member's unsent bytes stay under the budget. */
  private serveWaiting(conn: Conn): void {
    const { maxReplyBytes } = this.deps.limits;
    for (let member = conn.member; member && conn.waiting.length > 0; member = conn.member) {
      if (conn.ws.bufferedAmount >= maxReplyBytes) break;
      this.onFetch(conn, member, conn.waiting.shift()!);
    }
  }

  /** The welcome's and page's `removedBefore`, once the retention policy removed anything. */
  private removedBefore(): { removedBefore?: number } {
    const seq = this.deps.history.removedBefore;
    return seq > 0 ? { removedBefore: seq } : {};
  }

  private storageFailed(conn: Conn, cid: string, err: unknown): void {
    if (err instanceof StorageFullError) {
      // Expected while the disk is full, and once per refused post: no stack in the log.
      this.sendError(
        conn,
        ErrorCode.StorageFull,
        'The host’s disk is full, so your message was not accepted; it stays in your outbox and will be sent again later.',
        { cid },
      );
      return;
    }
    console.error('[parley host] could not store a message:', err);
    this.sendError(
      conn,
      ErrorCode.StorageFailed,
      'The host could not store your message; it will be sent again.',
      { cid },
    );
  }

  private onClose(conn: Conn, code: number): void {
    this.conns.delete(conn);
    if (this.conns.size === 0) for (const resolve of this.drained.splice(0)) resolve();
    this.release(conn, QUIT_CODES.has(code) ? 'quit' : 'dropped');
  }

  /** Gives up the connection's seat, if it still holds one, and tells everyone else. */
  private release(conn: Conn, reason: 'quit' | 'dropped'): void {
    if (!conn.member) {
      conn.leave(); // no seat to give up; its handshake deadline goes with it
      return;
    }
    this.settle();
    const member = conn.leave()!;
    this.online.delete(member.id);
    this.members.leave(member.id);
    this.presence.left(conn, member, reason);
    this.deps.onCount(this.members.count);
  }

  /**
   * The host ends a connection that broke a limit. Its member leaves now, as dropped (whatever
   * code its closing handshake ends with, and without waiting for it); the close itself is cut
   * short by ws's closeTimeout if the peer never answers it (a stalled reader never will).
   */
  private evict(conn: Conn, code: number, reason: string): void {
    this.release(conn, 'dropped');
    safeClose(conn.ws, code, reason);
  }

  /** Sends prepared bytes, unless too much already waits for this member (see maxBufferedBytes). */
  private deliver(conn: Conn, data: Prepared): void {
    if (conn.ws.readyState !== WebSocket.OPEN) return;
    if (conn.ws.bufferedAmount > this.deps.limits.maxBufferedBytes) {
      this.evict(conn, CloseCode.TooSlow, 'too slow to keep up');
      return;
    }
    if (conn.socket) this.writes.hold(conn.socket);
    sendPrepared(conn.ws, conn.socket, data);
  }

  private send(conn: Conn, frame: HostFrame): void {
    // Whatever the room answers comes after the posts it accepted before it, as if each post
    // had been stored the moment it came in: answers keep the order of the frames they answer.
    this.settle();
    this.deliver(conn, prepare(frame));
  }

  /** An error frame, with the cid of the post or the ref of the fetch it answers (see `about`). */
  private sendError(conn: Conn, code: string, message: string, to: Correlation = {}): void {
    this.send(conn, { type: 'error', code, message, ...to });
  }

  /**
   * Answers a frame the member should not have sent, and counts it: one too many within the
   * flood window closes the connection with 1008. Garbage and posts over the rate limit count
   * alike, so neither a firehose of junk nor one of posts can keep the host busy for long.
   */
  private reject(conn: Conn, code: ErrorCode, message: string, to: Correlation = {}): void {
    this.sendError(conn, code, message, to);
    if (!conn.strikes.take()) this.evict(conn, CloseCode.PolicyViolation, 'too many rejected frames');
  }
}

/**
 * What an error about this frame echoes so the member can tell which one failed: a post's
 * `cid`, a fetch's `ref` (when it has one); nothing for a hello.
 */
function about(frame: ClientFrame): Correlation {
  if (frame.type === 'post') return { cid: frame.cid };
  if (frame.type === 'fetch' && frame.ref !== undefined) return { ref: frame.ref };
  return {};
}

/** The error code and sentence for a passcode verdict that refuses. */
function passcodeRefusal(verdict: Exclude<Verdict, { ok: true }>): [ErrorCode, string] {
  if (verdict.code !== 'locked') {
    return verdict.code === 'required'
      ? [ErrorCode.PasscodeRequired, 'This room has a passcode. Enter it to join.']
      : [ErrorCode.BadPasscode, 'That passcode is not right.'];
  }
  const why = {
    address: 'Too many wrong passcodes from this address',
    network: 'Too many wrong passcodes from your network',
    room: 'This room is receiving many wrong passcodes',
  }[verdict.scope];
  return [ErrorCode.TooManyAttempts, `${why}; try again in ${verdict.waitS} s.`];
}

const RATE_LIMITED_POST =
  'You are sending messages too fast; this one was not accepted. Send it again shortly.';
const RATE_LIMITED_FETCH = 'You are asking for history too fast; ask again shortly.';
const RATE_LIMITED_STATUS = 'You are changing your status too often; this change was not taken.';

const tooManyFrom = (scope: 'address' | 'prefix', limit: number): string =>
  scope === 'address'
    ? `This room already has ${limit} members from your address; one of them must leave before another can join.`
    : `This room already has ${limit} members from your network; one of them must leave before another can join.`;

/** Runs a handler so that a bug in it is logged instead of taking the whole host down. */
function guard(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    console.error('[parley host] unexpected error while serving a member:', err);
  }
}

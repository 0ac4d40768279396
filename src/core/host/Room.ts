import type { RawData, WebSocket } from 'ws';
import { decodeClientFrame } from '../../shared/codec';
import {
  CloseCode,
  ErrorCode,
  LIMITS,
  PROTOCOL_VERSION,
  type ChatMessage,
  type ClientFrame,
  type Member,
  type RoomInfo,
} from '../../shared/protocol';
import type { HistoryPage, HistoryStore } from './history';
import { memberIdFromKey } from '../memberId';
import { correlationId } from './correlationId';
import { newMessageId } from './ids';
import { Members } from './Members';
import { prepare, safeClose, sendFrame, sendPrepared } from './outbound';

/** One member connection as the room sees it. */
export interface Conn {
  readonly ws: WebSocket;
  /** Null until the hello is accepted, and again once a newer connection has taken over. */
  member: Member | null;
  /** A newer connection of the same member took over: this one's close must stay silent. */
  replaced: boolean;
  /** Whether anything (a pong or a frame) arrived since the last heartbeat ping. */
  alive: boolean;
}

/** What the room needs from its host. */
export interface RoomDeps {
  info(): RoomInfo;
  history: HistoryStore;
  heartbeatMs: number;
  onCount(count: number): void;
}

/**
 * Close codes that mean the member closed on purpose: 1000, 1001, and 1005, which is a
 * proper closing handshake whose frame carried no code. Anything else (1006 after a terminate,
 * 1009 for an oversized frame...) means the link failed under it.
 */
const QUIT_CODES = new Set<number>([CloseCode.Normal, CloseCode.GoingAway, 1005]);

type PostFrame = Extract<ClientFrame, { type: 'post' }>;
type HelloFrame = Extract<ClientFrame, { type: 'hello' }>;
type FetchFrame = Extract<ClientFrame, { type: 'fetch' }>;

/**
 * The chat itself: handshakes, posts and presence over a set of sockets. Every handler is
 * answer-don't-throw: whatever one member sends, the others keep being served.
 */
export class Room {
  /** Every open connection, joined or not (the heartbeat and shutdown need them all). */
  readonly conns = new Set<Conn>();
  readonly members = new Members();
  /** The connection currently holding each member's seat. */
  private readonly online = new Map<string, Conn>();
  private drained: (() => void)[] = [];

  constructor(private readonly deps: RoomDeps) {}

  attach(ws: WebSocket): void {
    const conn: Conn = { ws, member: null, replaced: false, alive: true };
    this.conns.add(conn);
    // Errors are always followed by 'close', which does the cleanup; unheard they would crash us.
    ws.on('error', () => {});
    ws.on('pong', () => (conn.alive = true));
    ws.on('message', (data, isBinary) => {
      conn.alive = true;
      guard(() => this.onMessage(conn, data, isBinary));
    });
    ws.on('close', (code) => guard(() => this.onClose(conn, code)));
  }

  /** Closes every connection, terminating those that have not finished closing after `graceMs`. */
  async closeAll(code: number, reason: string, graceMs: number): Promise<void> {
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
    if (isBinary) {
      this.sendError(conn, ErrorCode.BinaryFrame, 'Frames must be JSON text, not binary.');
      return;
    }
    const raw = data.toString();
    const decoded = decodeClientFrame(raw);
    if (!decoded.ok) {
      this.sendError(conn, decoded.code, decoded.message, correlationId(raw));
      if (decoded.code === ErrorCode.VersionMismatch) {
        safeClose(conn.ws, CloseCode.VersionMismatch, 'protocol version mismatch');
      }
      return;
    }
    const frame = decoded.frame;
    if (frame.type === 'hello') {
      if (conn.member || conn.replaced)
        this.sendError(conn, ErrorCode.AlreadyJoined, 'You have already joined.');
      else this.onHello(conn, frame);
    } else if (!conn.member) {
      const cid = frame.type === 'post' ? frame.cid : undefined;
      this.sendError(conn, ErrorCode.NotJoined, 'Send a hello before anything else.', cid);
    } else if (frame.type === 'post') {
      this.onPost(conn, conn.member, frame);
    } else {
      this.onFetch(conn, conn.member, frame);
    }
  }

  private onHello(conn: Conn, hello: HelloFrame): void {
    const id = memberIdFromKey(hello.key);
    const previous = this.online.get(id);
    if (previous) {
      // The member came back while its old socket still looks open (a half-open link the
      // heartbeat has not caught yet, or the same key on a second device). To everyone else
      // nothing happened: no left, no joined, and it keeps the nickname they know it by.
      const member = previous.member!;
      previous.replaced = true;
      previous.member = null;
      safeClose(previous.ws, CloseCode.Replaced, 'replaced by a newer connection');
      this.welcome(conn, member, hello.since);
      return;
    }
    const member = this.members.join(id, hello.nick);
    this.welcome(conn, member, hello.since);
    const joined = prepare({ type: 'joined', member, count: this.members.count });
    for (const other of this.online.values()) if (other !== conn) sendPrepared(other.ws, joined);
    this.deps.onCount(this.members.count);
  }

  private welcome(conn: Conn, member: Member, since: number | undefined): void {
    conn.member = member;
    this.online.set(member.id, conn);
    // Without `since`, the latest messages; with it, exactly the gap (or its first page).
    let page: HistoryPage;
    try {
      page =
        since === undefined
          ? { messages: this.deps.history.latest(member.id, LIMITS.backlog), more: false }
          : this.deps.history.after(member.id, since, LIMITS.pageMax);
    } catch (err) {
      // The member still gets in; `more` sends a catching-up member back for the gap later.
      console.error('[parley host] could not read the history for a welcome:', err);
      page = { messages: [], more: since !== undefined };
    }
    sendFrame(conn.ws, {
      type: 'welcome',
      v: PROTOCOL_VERSION,
      you: member,
      room: this.deps.info(),
      members: this.members.list(),
      history: page.messages,
      more: page.more,
      heartbeatMs: this.deps.heartbeatMs,
    });
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
      sendFrame(conn.ws, { type: 'ack', cid: post.cid, id: earlier.id, seq: earlier.seq });
      return;
    }
    let to: Member | undefined;
    if (post.to !== undefined) {
      to = this.members.get(post.to);
      if (!to) {
        this.sendError(conn, ErrorCode.NoSuchMember, 'That member is not in the room.', post.cid);
        return;
      }
    }
    // `from` comes from the connection, never from the frame: nobody can speak as someone else.
    const draft = { id: newMessageId(), ts: Date.now(), from, text: post.text, ...(to ? { to } : {}) };
    let stored: { message: ChatMessage; duplicate: boolean };
    try {
      stored = this.deps.history.append(draft, post.cid);
    } catch (err) {
      this.storageFailed(conn, post.cid, err);
      return;
    }
    const { message } = stored;
    sendFrame(conn.ws, { type: 'ack', cid: post.cid, id: message.id, seq: message.seq });
    if (stored.duplicate) return;

    // Only the sender learns the cid, so it alone can match the echo to what it typed.
    sendFrame(conn.ws, { type: 'message', message: { ...message, cid: post.cid } });
    const forOthers = prepare({ type: 'message', message });
    if (to) {
      const recipient = this.online.get(to.id);
      if (recipient && recipient !== conn) sendPrepared(recipient.ws, forOthers);
      return;
    }
    for (const other of this.online.values()) if (other !== conn) sendPrepared(other.ws, forOthers);
  }

  private onFetch(conn: Conn, member: Member, fetch: FetchFrame): void {
    const limit = Math.min(fetch.limit ?? LIMITS.backlog, LIMITS.pageMax);
    let page: HistoryPage;
    try {
      page =
        fetch.before !== undefined
          ? this.deps.history.before(member.id, fetch.before, limit)
          : this.deps.history.after(member.id, fetch.after ?? 0, limit);
    } catch (err) {
      console.error('[parley host] could not read the history for a fetch:', err);
      this.sendError(conn, ErrorCode.StorageFailed, 'The room’s history cannot be read right now.');
      return;
    }
    const ref = fetch.ref === undefined ? {} : { ref: fetch.ref };
    sendFrame(conn.ws, { type: 'page', ...ref, messages: page.messages, more: page.more });
  }

  private storageFailed(conn: Conn, cid: string, err: unknown): void {
    console.error('[parley host] could not store a message:', err);
    this.sendError(
      conn,
      ErrorCode.StorageFailed,
      'The host could not store your message; it will be sent again.',
      cid,
    );
  }

  private onClose(conn: Conn, code: number): void {
    this.conns.delete(conn);
    if (this.conns.size === 0) for (const resolve of this.drained.splice(0)) resolve();
    const member = conn.member;
    if (!member || conn.replaced) return;
    this.online.delete(member.id);
    this.members.leave(member.id);
    const reason = QUIT_CODES.has(code) ? 'quit' : 'dropped';
    const left = prepare({ type: 'left', member, count: this.members.count, reason });
    for (const other of this.online.values()) sendPrepared(other.ws, left);
    this.deps.onCount(this.members.count);
  }

  private sendError(conn: Conn, code: string, message: string, cid?: string): void {
    sendFrame(
      conn.ws,
      cid === undefined ? { type: 'error', code, message } : { type: 'error', code, message, cid },
    );
  }
}

/** Runs a handler so that a bug in it is logged instead of taking the whole host down. */
function guard(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    console.error('[parley host] unexpected error while serving a member:', err);
  }
}

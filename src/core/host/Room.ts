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
import type { HistoryStore } from './history';
import { correlationId } from './correlationId';
import { newMessageId } from './ids';
import { Members, type Seat } from './Members';
import { prepare, safeClose, sendFrame, sendPrepared } from './outbound';

/** One member connection as the room sees it. */
export interface Conn {
  readonly ws: WebSocket;
  /** Null until the hello is accepted, and again once a newer connection has taken the seat. */
  seat: Seat | null;
  /** A newer connection resumed this member: this one's close must stay silent. */
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
    const conn: Conn = { ws, seat: null, replaced: false, alive: true };
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
      if (conn.seat || conn.replaced)
        this.sendError(conn, ErrorCode.AlreadyJoined, 'You have already joined.');
      else this.onHello(conn, frame);
    } else if (!conn.seat) {
      this.sendError(conn, ErrorCode.NotJoined, 'Send a hello before anything else.', frame.cid);
    } else {
      this.onPost(conn, conn.seat.member, frame);
    }
  }

  private onHello(conn: Conn, hello: HelloFrame): void {
    const existing = hello.resume === undefined ? undefined : this.members.online(hello.resume);
    const previous = existing && this.online.get(existing.member.id);
    if (existing && previous) {
      // The member came back while its old socket still looks open (a half-open link the
      // heartbeat has not caught yet). To everyone else nothing happened: no left, no joined.
      previous.replaced = true;
      previous.seat = null;
      safeClose(previous.ws, CloseCode.Replaced, 'replaced by a newer connection');
      this.seat(conn, existing);
      return;
    }
    const seat = this.members.join(hello.nick, hello.resume);
    this.seat(conn, seat);
    const joined = prepare({ type: 'joined', member: seat.member, count: this.members.count });
    for (const other of this.online.values()) if (other !== conn) sendPrepared(other.ws, joined);
    this.deps.onCount(this.members.count);
  }

  private seat(conn: Conn, seat: Seat): void {
    conn.seat = seat;
    this.online.set(seat.member.id, conn);
    sendFrame(conn.ws, {
      type: 'welcome',
      v: PROTOCOL_VERSION,
      you: seat.member,
      token: seat.token,
      room: this.deps.info(),
      members: this.members.list(),
      history: this.deps.history.recent(seat.member.id, LIMITS.backlog),
      heartbeatMs: this.deps.heartbeatMs,
    });
  }

  private onPost(conn: Conn, from: Member, post: PostFrame): void {
    let to: Member | undefined;
    if (post.to !== undefined) {
      to = this.members.get(post.to)?.member;
      if (!to) {
        this.sendError(conn, ErrorCode.NoSuchMember, 'That member is not in the room.', post.cid);
        return;
      }
    }
    // `from` comes from the connection, never from the frame: nobody can speak as someone else.
    const message: ChatMessage = { id: newMessageId(), ts: Date.now(), from, text: post.text };
    if (to) message.to = to;
    this.deps.history.append(message);

    // Only the sender learns the cid, so it alone can match the echo to what it typed.
    const forOthers = prepare({ type: 'message', message });
    const forSender =
      post.cid === undefined
        ? forOthers
        : prepare({ type: 'message', message: { ...message, cid: post.cid } });
    sendPrepared(conn.ws, forSender);
    if (to) {
      const recipient = this.online.get(to.id);
      if (recipient && recipient !== conn) sendPrepared(recipient.ws, forOthers);
      return;
    }
    for (const other of this.online.values()) if (other !== conn) sendPrepared(other.ws, forOthers);
  }

  private onClose(conn: Conn, code: number): void {
    this.conns.delete(conn);
    if (this.conns.size === 0) for (const resolve of this.drained.splice(0)) resolve();
    const seat = conn.seat;
    if (!seat || conn.replaced) return;
    this.online.delete(seat.member.id);
    this.members.leave(seat.member.id);
    const reason = QUIT_CODES.has(code) ? 'quit' : 'dropped';
    const left = prepare({ type: 'left', member: seat.member, count: this.members.count, reason });
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

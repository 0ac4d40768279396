import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:https';
import { onTestFinished } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { memberIdFromPublicKey } from '../../../src/core/memberKey';
import { randomToken } from '../../../src/core/passcode';
import { testIdentity } from './identity';
import { decodeClientFrame, encodeFrame } from '../../../src/shared/codec';
import {
  ErrorCode,
  LIMITS,
  PROTOCOL_VERSION,
  type ChatMessage,
  type ClientFrame,
  type HostFrame,
  type Member,
  type PresenceFrame,
  type WelcomeFrame,
} from '../../../src/shared/protocol';

export type Hello = Extract<ClientFrame, { type: 'hello' }>;
export type Post = Extract<ClientFrame, { type: 'post' }>;
export type Fetch = Extract<ClientFrame, { type: 'fetch' }>;

/**
 * A welcome for a one-member room, with `overrides` applied. A real host follows it with at
 * least one `roster` frame; scripted tests send one (or none, which a client must survive).
 */
export function welcomeFor(hello: Hello, overrides: Partial<WelcomeFrame> = {}): WelcomeFrame {
  const you = { id: memberIdFromPublicKey(hello.pub), nick: hello.nick };
  return {
    type: 'welcome',
    v: PROTOCOL_VERSION,
    you,
    room: { v: PROTOCOL_VERSION, id: 'fake-room', name: 'Fake', host: 'Faker', members: 1 },
    history: [],
    more: false,
    heartbeatMs: 10_000,
    ...overrides,
  };
}

interface Peer {
  ws: WebSocket;
  hello: Hello;
  send: (frame: HostFrame | string) => void;
}

async function listen(
  port: number,
  onConnection: (ws: WebSocket) => void,
  onChallenge?: (nonce: string) => void,
): Promise<{ wss: WebSocketServer; port: number }> {
  // TLS with the shared test identity: the real client speaks wss only.
  const identity = await testIdentity();
  const server: Server = createServer({ key: identity.key, cert: identity.cert });
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  wss.on('connection', (ws) => {
    ws.on('error', () => {});
    onConnection(ws);
    // Like a real host, it speaks first: the member signs its hello over this nonce (the fake
    // never checks the signature; the real host's tests do).
    const nonce = randomToken(32);
    onChallenge?.(nonce);
    ws.send(encodeFrame({ type: 'challenge', nonce }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port }, () => resolve());
  });
  const address = server.address();
  return { wss, port: typeof address === 'object' && address !== null ? address.port : 0 };
}

function shut(wss: WebSocketServer): Promise<void> {
  return new Promise((resolve) => {
    for (const ws of wss.clients) ws.terminate();
    // Closing the WebSocketServer does not close a server it was given.
    const server = wss.options.server as Server | undefined;
    wss.close(() => {
      if (!server) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    });
  });
}

/**
 * A scripted stand-in for a room host, for making a RoomClient face what a real host would
 * never send. `onHello` runs on each connection's hello with helpers to answer it; `onFrame`
 * sees every later frame from that connection.
 */
export async function startFakeHost(
  onHello: (peer: Peer) => void,
  onFrame?: (peer: Peer, frame: ClientFrame) => void,
): Promise<number> {
  const { wss, port } = await listen(0, (ws) => {
    let peer: Peer | null = null;
    ws.on('message', (data) => {
      const decoded = decodeClientFrame(data.toString());
      if (!decoded.ok) return;
      if (peer) {
        onFrame?.(peer, decoded.frame);
        return;
      }
      if (decoded.frame.type !== 'hello') return;
      const send = (frame: HostFrame | string): void =>
        ws.send(typeof frame === 'string' ? frame : encodeFrame(frame));
      peer = { ws, hello: decoded.frame, send };
      onHello(peer);
    });
  });
  onTestFinished(() => shut(wss));
  return port;
}

/**
 * What the room does with a post: store it (and ack and broadcast it), swallow it (as if lost
 * on the way), store it quietly (as if the ack and echo were lost on the way back), or refuse it.
 */
export type PostVerdict = 'store' | 'swallow' | 'store-quietly' | { code: string; message?: string };

/** Events a FakeRoom emits, for tests to wait on. */
export type FakeRoomEvents = {
  hello: [hello: Hello];
  /** Any frame after a hello, whatever became of it. */
  frame: [frame: ClientFrame, from: Member];
  /** A post was stored as a new message (not for a duplicate cid). */
  stored: [message: ChatMessage, cid: string];
  /** A member's connection closed, with the WebSocket close code it saw. */
  disconnected: [member: Member, code: number];
  /** The room pinged everyone (with `pingMs`). */
  pinged: [];
};

export interface FakeRoomOptions {
  /** Listen on this port (to come back where a stopped room was); default a free one. */
  port?: number;
  heartbeatMs?: number;
  /** Ping every member this often (keeps their watchdogs fed); default never. */
  pingMs?: number;
  /** Messages in a first-time welcome; default 50. */
  backlog?: number;
  /** Most messages in a catch-up welcome or page, whatever the member asks for; default 200. */
  pageMax?: number;
  /** The room's id and name in welcomes; default 'fake-room' / 'Fake'. */
  roomId?: string;
  name?: string;
  /** Most members per roster frame after a welcome; default LIMITS.rosterPage. */
  rosterPage?: number;
}

/**
 * A small but honest room host: numbers messages 1, 2, 3..., stores a cid once (a resend is
 * acked again, not stored again), answers `since` and `fetch`, keeps private messages to
 * their two members, and follows each welcome with the roster (everyone present but the
 * newcomer, in pages, the last `done`). It announces no presence by itself: tests do, with
 * `announce`, and `seat` members who are present without a connection. Tests steer it: `verdict` decides each post's fate, `say` posts as
 * someone else, `drop` cuts every connection, `restart` goes away and comes back on the same
 * port with its history intact (a host restart).
 */
export class FakeRoom extends EventEmitter<FakeRoomEvents> {
  readonly messages: ChatMessage[] = [];
  readonly hellos: Hello[] = [];
  /** The nonce of every challenge it sent, one per connection. */
  readonly challenges: string[] = [];
  /** Every frame after a hello, in arrival order. */
  readonly frames: ClientFrame[] = [];
  /** Decides each post's fate; posts are stored unless a test says otherwise. */
  verdict: (post: Post, attempt: number) => PostVerdict = () => 'store';
  private readonly byCid = new Map<string, ChatMessage>();
  private readonly postAttempts = new Map<string, number>();
  private readonly present = new Map<WebSocket, Member>();
  /** Members present without a connection (seated by a test), in join order. */
  private readonly seated = new Map<string, Member>();
  private readonly known = new Map<string, Member>();
  private wss: WebSocketServer | null = null;
  private pinger: NodeJS.Timeout | null = null;
  private _port = 0;
  private nextId = 1;

  private constructor(private readonly opts: FakeRoomOptions) {
    super();
  }

  /** A room on 127.0.0.1, stopped when the test ends. */
  static async start(opts: FakeRoomOptions = {}): Promise<FakeRoom> {
    const room = new FakeRoom(opts);
    await room.listen(opts.port ?? 0);
    onTestFinished(() => room.stop());
    return room;
  }

  get port(): number {
    return this._port;
  }

  /** Members connected now, in join order. */
  get members(): Member[] {
    return [...this.present.values()];
  }

  /**
   * Members the room lists in its rosters and counts without their having a connection, as
   * if they had joined before anyone connected. They can be `say`'s sender.
   */
  seat(...members: Member[]): void {
    for (const member of members) {
      this.seated.set(member.id, member);
      this.known.set(member.id, member);
    }
  }

  /** Seated members leave (quietly: announce it if the members should hear). */
  unseat(...members: Member[]): void {
    for (const member of members) this.seated.delete(member.id);
  }

  /** Everyone the room counts as present: the seated, then the connected, in join order. */
  get everyone(): Member[] {
    return [...this.seated.values(), ...this.present.values()];
  }

  /** Stores a message from someone else and sends it to whoever may see it. */
  say(text: string, from: Member = { id: 'other', nick: 'Other' }, to?: Member): ChatMessage {
    this.known.set(from.id, from);
    const message = this.store(text, from, to);
    this.broadcast(message, null);
    return message;
  }

  /**
   * Sends every connection a presence frame, as the host would after its coalescing window:
   * `joined` and `left` as given (a test may name someone nobody was told of), `count`
   * defaulting to how many the room counts. It changes nothing the room itself keeps.
   */
  announce(change: { joined?: Member[]; left?: PresenceFrame['left']; count?: number }): void {
    const frame: PresenceFrame = {
      type: 'presence',
      joined: change.joined ?? [],
      left: change.left ?? [],
      count: change.count ?? this.everyone.length,
    };
    for (const ws of this.present.keys()) ws.send(encodeFrame(frame));
  }

  /** Cuts every connection without a closing handshake, as a failing network would. */
  drop(): void {
    for (const ws of this.present.keys()) ws.terminate();
  }

  /** Closes the room (1001, "the host closed the room") and stops listening. */
  async stop(): Promise<void> {
    if (this.pinger) clearInterval(this.pinger);
    this.pinger = null;
    const wss = this.wss;
    this.wss = null;
    if (!wss) return;
    // A clean 1001 to everyone first (what a host shutting down sends), then the listener.
    await Promise.all(
      [...wss.clients].map(
        (ws) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => ws.terminate(), 1_000);
            ws.once('close', () => {
              clearTimeout(timer);
              resolve();
            });
            ws.close(1001, 'The room is closing.');
          }),
      ),
    );
    await shut(wss);
  }

  /** Comes back on the same port with the same history, after a stop(). */
  async restart(): Promise<void> {
    await this.stop();
    await this.listen(this._port);
  }

  private async listen(port: number): Promise<void> {
    const { wss, port: bound } = await listen(
      port,
      (ws) => this.onConnection(ws),
      (nonce) => this.challenges.push(nonce),
    );
    this.wss = wss;
    this._port = bound;
    if (this.opts.pingMs) {
      this.pinger = setInterval(() => {
        for (const ws of this.present.keys()) ws.ping();
        this.emit('pinged');
      }, this.opts.pingMs);
    }
  }

  private onConnection(ws: WebSocket): void {
    ws.on('message', (data) => {
      const decoded = decodeClientFrame(data.toString());
      if (!decoded.ok) {
        ws.send(encodeFrame({ type: 'error', code: decoded.code, message: decoded.message }));
        return;
      }
      const frame = decoded.frame;
      const me = this.present.get(ws);
      if (frame.type === 'hello') {
        if (!me) this.welcome(ws, frame);
        return;
      }
      if (!me) return;
      this.frames.push(frame);
      this.emit('frame', frame, me);
      if (frame.type === 'post') this.onPost(ws, me, frame);
      else if (frame.type === 'fetch') this.onFetch(ws, me, frame);
    });
    ws.on('close', (code) => {
      const me = this.present.get(ws);
      if (!me) return;
      this.present.delete(ws);
      this.emit('disconnected', me, code);
    });
  }

  private welcome(ws: WebSocket, hello: Hello): void {
    this.hellos.push(hello);
    const you = { id: memberIdFromPublicKey(hello.pub), nick: hello.nick };
    // The roster is who was there before: a real host's snapshot may lack the newcomer too.
    const roster = this.everyone;
    this.present.set(ws, you);
    this.known.set(you.id, you);
    const visible = this.visibleTo(you.id);
    let history: ChatMessage[];
    let more: boolean;
    if (hello.since === undefined) {
      history = visible.slice(-(this.opts.backlog ?? 50));
      more = false;
    } else {
      const after = visible.filter((m) => m.seq > hello.since!);
      history = after.slice(0, this.pageMax());
      more = after.length > history.length;
    }
    const welcome = welcomeFor(hello, {
      you,
      room: {
        v: PROTOCOL_VERSION,
        id: this.opts.roomId ?? 'fake-room',
        name: this.opts.name ?? 'Fake',
        host: 'Faker',
        members: this.everyone.length,
      },
      history: history.map((m) => this.copyFor(m, you.id)),
      more,
      // As a real host without retention: the newest seq this member may see.
      newest: visible.at(-1)?.seq ?? 0,
      heartbeatMs: this.opts.heartbeatMs ?? 10_000,
    });
    ws.send(encodeFrame(welcome));
    const size = this.opts.rosterPage ?? LIMITS.rosterPage;
    // Always at least one page, empty in an empty room, so the member knows the roster is whole.
    for (let i = 0; i === 0 || i < roster.length; i += size) {
      const members = roster.slice(i, i + size);
      ws.send(encodeFrame({ type: 'roster', members, done: i + size >= roster.length }));
    }
    this.emit('hello', hello);
  }

  private onPost(ws: WebSocket, me: Member, post: Post): void {
    const attempt = (this.postAttempts.get(post.cid) ?? 0) + 1;
    this.postAttempts.set(post.cid, attempt);
    const verdict = this.verdict(post, attempt);
    if (verdict === 'swallow') return;
    if (typeof verdict === 'object') {
      const message = verdict.message ?? `Refused (${verdict.code}).`;
      ws.send(encodeFrame({ type: 'error', code: verdict.code, message, cid: post.cid }));
      return;
    }
    const stored = this.byCid.get(post.cid);
    if (stored) {
      // A resend: acknowledge it again, store and broadcast nothing.
      ws.send(encodeFrame({ type: 'ack', cid: post.cid, id: stored.id, seq: stored.seq }));
      return;
    }
    const to = post.to === undefined ? undefined : this.known.get(post.to);
    if (post.to !== undefined && !to) {
      const message = 'That member is not in the room.';
      ws.send(encodeFrame({ type: 'error', code: ErrorCode.NoSuchMember, message, cid: post.cid }));
      return;
    }
    const message = this.store(post.text, me, to);
    this.byCid.set(post.cid, message);
    this.emit('stored', message, post.cid);
    if (verdict === 'store-quietly') return;
    ws.send(encodeFrame({ type: 'ack', cid: post.cid, id: message.id, seq: message.seq }));
    this.broadcast(message, { ws, cid: post.cid });
  }

  private onFetch(ws: WebSocket, me: Member, fetch: Fetch): void {
    const limit = Math.min(fetch.limit ?? 50, this.pageMax());
    const visible = this.visibleTo(me.id);
    let messages: ChatMessage[];
    let more: boolean;
    if (fetch.after !== undefined) {
      const after = visible.filter((m) => m.seq > fetch.after!);
      messages = after.slice(0, limit);
      more = after.length > messages.length;
    } else {
      const before = visible.filter((m) => m.seq < fetch.before!);
      messages = before.slice(-limit);
      more = before.length > messages.length;
    }
    const page = { type: 'page', messages: messages.map((m) => this.copyFor(m, me.id)), more } as const;
    ws.send(encodeFrame(fetch.ref === undefined ? page : { ...page, ref: fetch.ref }));
  }

  private store(text: string, from: Member, to?: Member): ChatMessage {
    const seq = this.messages.length + 1;
    const message: ChatMessage = { id: `msg-${this.nextId++}`, seq, ts: Date.now(), from, text };
    if (to) message.to = to;
    this.messages.push(message);
    return message;
  }

  private broadcast(message: ChatMessage, sender: { ws: WebSocket; cid: string } | null): void {
    for (const [ws, member] of this.present) {
      if (!this.maySee(message, member.id)) continue;
      const copy = ws === sender?.ws ? { ...message, cid: sender.cid } : message;
      ws.send(encodeFrame({ type: 'message', message: copy }));
    }
  }

  /** The sender's own copy carries its cid (from a resend's first store). */
  private copyFor(message: ChatMessage, memberId: string): ChatMessage {
    if (message.from.id !== memberId) return message;
    for (const [cid, stored] of this.byCid) if (stored === message) return { ...message, cid };
    return message;
  }

  private visibleTo(memberId: string): ChatMessage[] {
    return this.messages.filter((m) => this.maySee(m, memberId));
  }

  private maySee(message: ChatMessage, memberId: string): boolean {
    return message.to === undefined || message.from.id === memberId || message.to.id === memberId;
  }

  private pageMax(): number {
    return this.opts.pageMax ?? 200;
  }
}

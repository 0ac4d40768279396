import { EventEmitter } from 'node:events';
import type { ConnectionState, Endpoint } from '../../shared/api';
import { encodeFrame } from '../../shared/codec';
import type { ChatMessage, Member, RoomInfo, WelcomeFrame } from '../../shared/protocol';
import { BACKOFF_DEFAULTS, backoffDelay, type BackoffOptions } from './backoff';
import { newCid } from './cid';
import { formatAddress } from './endpoint';
import { Roster } from './Roster';
import { Link, type LinkEnd, type Problem } from './Link';

/** How a member connects to a room. */
export interface RoomClientOptions {
  /** Tried in order on every attempt; the first that completes the handshake wins. */
  endpoints: Endpoint[];
  nickname: string;
  backoff?: BackoffOptions;
  /** Per endpoint, covering the TCP connect, the upgrade and the welcome; default 5 s. */
  connectTimeoutMs?: number;
  /** The room expected at these endpoints; a welcome from any other room is refused. */
  roomId?: string;
}

/** Events a RoomClient emits. */
export interface ClientEvents {
  /** Every change of state or attempt number; `reason` says why (null when online). */
  state: [state: ConnectionState, attempt: number, reason: string | null];
  welcome: [welcome: WelcomeFrame];
  message: [message: ChatMessage];
  joined: [member: Member, count: number];
  left: [member: Member, count: number, reason: 'quit' | 'dropped'];
  problem: [error: Problem];
}

/**
 * A member's connection to one room, kept alive across drops: it reconnects with backoff,
 * resumes its seat (same id and nickname) with the token from the last welcome, and holds
 * posts made while away until it is back.
 */
export class RoomClient extends EventEmitter<ClientEvents> {
  private endpoints: Endpoint[];
  private readonly nickname: string;
  private readonly backoff: BackoffOptions;
  private readonly connectTimeoutMs: number;
  private roomId: string | null;
  private _state: ConnectionState = 'offline';
  private _attempt = 0;
  private _reason: string | null = null;
  private _address: string;
  private readonly roster = new Roster();
  private token: string | null = null;
  /** Encoded posts waiting for the next welcome, oldest first. */
  private readonly outbox: string[] = [];
  private link: Link | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private started = false;
  private closed = false;

  constructor(opts: RoomClientOptions) {
    super();
    this.endpoints = [...opts.endpoints];
    this.nickname = opts.nickname;
    this.backoff = opts.backoff ?? {};
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 5_000;
    this.roomId = opts.roomId ?? null;
    this._address = opts.endpoints[0] ? formatAddress(opts.endpoints[0]) : '';
  }

  /** 'offline' until start(). */
  get state(): ConnectionState {
    return this._state;
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
  /** Members in join order, as of the last welcome plus the joins and leaves since. */
  get members(): Member[] {
    return this.roster.list();
  }

  /** Begins connecting; only the first call counts (afterwards, see reconnectNow). */
  start(): void {
    if (this.closed || this.started) return;
    this.started = true;
    this.setState('connecting', 0, null);
    this.tryEndpoint(0, null);
  }

  /** Sends a post, or queues it until the next welcome; returns its cid. */
  post(text: string, to?: string): string {
    const cid = newCid();
    const frame = encodeFrame(
      to === undefined ? { type: 'post', text, cid } : { type: 'post', text, to, cid },
    );
    if (!(this._state === 'online' && this.link?.send(frame))) this.outbox.push(frame);
    return cid;
  }

  /** Endpoints for the next attempt (the current connection, if any, is kept). */
  setEndpoints(endpoints: Endpoint[]): void {
    this.endpoints = [...endpoints];
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
  suspend(reason: string): void {
    if (this.closed) return;
    this.halt();
    this.setState('offline', 0, reason);
  }

  /** Leaves the room for good: the host tells the others we quit. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const leaving = this.halt();
    this.outbox.length = 0;
    this.setState('offline', 0, null);
    await leaving;
  }

  /** Cancels any pending retry and closes the current link without reacting to its end. */
  private halt(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const link = this.link;
    this.link = null;
    return link ? link.close() : Promise.resolve();
  }

  private tryEndpoint(index: number, lastReason: string | null): void {
    const endpoint = this.endpoints[index];
    if (!endpoint) {
      this.retry(lastReason ?? 'There is no address to connect to.');
      return;
    }
    this._address = formatAddress(endpoint);
    const link = new Link(endpoint, { nick: this.nickname, resume: this.token }, this.connectTimeoutMs);
    this.link = link;
    // A link we have let go of (halt) may still report; only the current one counts.
    link.on('welcome', (welcome) => link === this.link && this.onWelcome(welcome));
    link.on('problem', (problem) => link === this.link && this.emit('problem', problem));
    link.on('frame', (frame) => {
      if (link !== this.link) return;
      if (frame.type === 'message') {
        this.emit('message', frame.message);
      } else if (frame.type === 'joined') {
        this.roster.joined(frame.member, frame.count);
        this.emit('joined', frame.member, frame.count);
      } else {
        this.roster.left(frame.member, frame.count);
        this.emit('left', frame.member, frame.count, frame.reason);
      }
    });
    link.on('end', (end) => {
      if (link !== this.link) return;
      this.link = null;
      this.onEnd(end, index);
    });
  }

  private onEnd(end: LinkEnd, index: number): void {
    if (end.fatal) this.setState('offline', 0, end.reason);
    else if (!end.welcomed) this.tryEndpoint(index + 1, end.reason);
    else {
      // A session that had been up starts a fresh series of attempts.
      this._attempt = 0;
      this.retry(end.reason);
    }
  }

  /** Schedules the next attempt, or gives up once maxAttempts attempts have failed. */
  private retry(reason: string): void {
    const attempt = this._attempt + 1;
    const maxAttempts = this.backoff.maxAttempts ?? BACKOFF_DEFAULTS.maxAttempts;
    if (attempt > maxAttempts) {
      this.setState('offline', 0, `Gave up after ${maxAttempts} attempts to reconnect. ${reason}`);
      return;
    }
    // The timer exists before anyone hears 'reconnecting', so a listener that suspends the
    // client (the app does, when the room has left the lobby) really stops the retries.
    this.retryTimer = setTimeout(
      () => {
        this.retryTimer = null;
        this.tryEndpoint(0, null);
      },
      backoffDelay(attempt, this.backoff),
    );
    this.setState('reconnecting', attempt, reason);
  }

  private onWelcome(welcome: WelcomeFrame): void {
    // Another room at the same address (a restart on a fixed port): never post into it.
    if (this.roomId !== null && welcome.room.id !== this.roomId) {
      this.suspend(`A different room ("${welcome.room.name}") now answers at ${this._address}.`);
      return;
    }
    this.roomId = welcome.room.id;
    this.token = welcome.token;
    this.roster.reset(welcome);
    this._state = 'online';
    this._attempt = 0;
    // Posts made while away go out now, in the order they were made, before anything new.
    const queued = this.outbox.splice(0);
    for (let i = 0; i < queued.length; i++) {
      if (!this.link?.send(queued[i]!)) {
        this.outbox.unshift(...queued.slice(i));
        break;
      }
    }
    this.emit('welcome', welcome);
    this.emitState(null);
  }

  private setState(state: ConnectionState, attempt: number, reason: string | null): void {
    if (state === this._state && attempt === this._attempt && reason === this._reason) return;
    this._state = state;
    this._attempt = attempt;
    this.emitState(reason);
  }

  private emitState(reason: string | null): void {
    this._reason = reason;
    this.emit('state', this._state, this._attempt, reason);
  }
}

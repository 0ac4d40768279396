import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { FetchFrame, Member, Status } from '../../shared/protocol';
import type { Prepared } from './outbound';
import type { PresenceConn } from './presenceChannel';
import type { TokenBucket } from './TokenBucket';

/**
 * Where a member connection is in its life, as the room sees it. Each phase holds what only
 * it has, so "joined but replaced" or "a handshake deadline on a welcomed member" cannot be
 * written down at all.
 * - `awaiting-hello`: connected, challenged; `deadline` closes it if no hello is accepted.
 * - `joined`: the hello was accepted and `member` holds its seat.
 * - `replaced`: a newer connection of the same member took the seat over; this one's close
 *   must stay silent (to everyone else nothing happened).
 * - `leaving`: it gave up its seat (or never got one) and its close is under way.
 */
export type ConnPhase =
  | { kind: 'awaiting-hello'; deadline: NodeJS.Timeout }
  | { kind: 'joined'; member: Member }
  | { kind: 'replaced' }
  | { kind: 'leaving' };

/** What a connection starts with; everything else it learns on the way. */
export interface ConnStart {
  ws: WebSocket;
  socket: Duplex | null;
  address: string;
  nonce: string;
  posts: TokenBucket[];
  fetches: TokenBucket[];
  strikes: TokenBucket;
  /** Status frames it may still send now (LIMITS.statusBurst, statusEveryMs). */
  statuses: TokenBucket;
  /** Closes the connection if no hello is accepted in time (see HostLimits.handshakeTimeoutMs). */
  deadline: NodeJS.Timeout;
}

/** One member connection as the room sees it. */
export class Conn implements PresenceConn {
  readonly ws: WebSocket;
  /** The socket under `ws`, corked while a turn's frames for it collect (see WriteBatch); null if not given. */
  readonly socket: Duplex | null;
  /** The remote address, for the passcode's per-address attempt limit. */
  readonly address: string;
  /** The nonce of the challenge sent to it: its hello must be signed over it. */
  readonly nonce: string;
  /**
   * Posts and fetches its address may still send now (see HostLimits); its member's own
   * budgets join them once the hello is accepted. Both outlive the connection (see RateBook).
   */
  readonly posts: TokenBucket[];
  readonly fetches: TokenBucket[];
  /** Frames of its that may still be rejected before it counts as flooding. */
  readonly strikes: TokenBucket;
  /** Status frames it may still send now. */
  readonly statuses: TokenBucket;
  /** Fetches held until what was already sent to it drains (see HostLimits.maxReplyBytes). */
  readonly waiting: FetchFrame[] = [];
  /** The roster pages and presence frames still to go to it (see PresenceChannel). */
  roster: Prepared[] | null = null;
  /** Whether anything (a pong or a frame) arrived since the last heartbeat ping. */
  alive = true;
  /** What its member last said of itself (a status frame); every connection starts active. */
  status: Status = 'active';
  private current: ConnPhase;

  constructor(start: ConnStart) {
    this.ws = start.ws;
    this.socket = start.socket;
    this.address = start.address;
    this.nonce = start.nonce;
    this.posts = start.posts;
    this.fetches = start.fetches;
    this.strikes = start.strikes;
    this.statuses = start.statuses;
    this.current = { kind: 'awaiting-hello', deadline: start.deadline };
  }

  get phase(): ConnPhase['kind'] {
    return this.current.kind;
  }

  /** The member holding its seat on this connection; null in every phase but `joined`. */
  get member(): Member | null {
    return this.current.kind === 'joined' ? this.current.member : null;
  }

  /** The hello was accepted: `member` takes its seat here, and the deadline no longer applies. */
  join(member: Member): void {
    this.end();
    this.current = { kind: 'joined', member };
  }

  /** A newer connection takes the seat over; returns the member it held. */
  replace(): Member | null {
    const member = this.member;
    this.end();
    this.current = { kind: 'replaced' };
    return member;
  }

  /**
   * Gives up the seat, if this connection holds one, and returns its member (null when it had
   * none, or was replaced: then nobody is to hear of it).
   */
  leave(): Member | null {
    const member = this.member;
    if (this.current.kind !== 'replaced') {
      this.end();
      this.current = { kind: 'leaving' };
    }
    return member;
  }

  /** Whatever the phase being left holds that could fire later. */
  private end(): void {
    if (this.current.kind === 'awaiting-hello') clearTimeout(this.current.deadline);
  }
}

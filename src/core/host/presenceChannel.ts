import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import type { Member, PresentMember } from '../../shared/protocol';
import type { Prepared } from './outbound';
import { PresenceLedger, type LeftReason } from './presence';

/** What the channel needs of a member's connection. */
export interface PresenceConn {
  readonly ws: WebSocket;
  readonly socket: Duplex | null;
  readonly member: Member | null;
  /**
   * While its roster is still going out: the pages left and the presence frames held behind
   * them, sent one per turn (see PresenceChannel.pump). Null once the roster is all sent.
   */
  roster: Prepared[] | null;
}

/** What the channel needs of its room. */
export interface PresenceDeps<C extends PresenceConn> {
  /** Shortest time between two presence frames, in ms (HostLimits.presenceIntervalMs). */
  intervalMs: number;
  /** Presence frames that may wait behind a roster (HostLimits.maxHeldPresence). */
  maxHeld: number;
  /** Milliseconds, for the interval: performance.now, or a test's own clock. */
  now(): number;
  /** Every connection holding a seat now. */
  online(): Iterable<C>;
  /** Members present now. */
  count(): number;
  /** Sends prepared bytes to one member (the room's own bounded send). */
  deliver(conn: C, frame: Prepared): void;
  /** Ends a member that lets too much pile up behind its roster (4005). */
  tooSlow(conn: C): void;
  /** Runs a callback so that a bug in it is logged, not thrown into a timer. */
  guard(fn: () => void): void;
}

/**
 * Who is in the room, told as the room changes: each newcomer gets the roster (as of the last
 * presence frame) in pages, a page a turn, and every member gets the joins and leaves since in
 * one presence frame per interval at most (see PresenceLedger for what a frame holds).
 */
export class PresenceChannel<C extends PresenceConn> {
  private readonly ledger = new PresenceLedger();
  /** Connections whose own arrival is among the changes not yet announced. */
  private readonly fresh = new Set<C>();
  /** How many frames each newcomer may have queued behind its roster: its pages, and maxHeld. */
  private readonly heldLimit = new WeakMap<C, number>();
  private timer: NodeJS.Timeout | null = null;
  /** The next frame of a backlog, due next turn. */
  private immediate: NodeJS.Immediate | null = null;
  private lastAt = -Infinity;

  constructor(private readonly deps: PresenceDeps<C>) {}

  /** A member took a seat on `conn`: it is announced in the next frame (to all but itself). */
  joined(conn: C, member: Member): void {
    this.ledger.joined(member);
    this.fresh.add(conn);
    this.changed();
  }

  /** The member of `conn` left (its seat is already free). */
  left(conn: C, member: Member, reason: LeftReason): void {
    this.fresh.delete(conn);
    this.ledger.left(member, reason);
    this.changed();
  }

  /** The member of `conn` changed its status: announced in the next frame, in its place in the roster. */
  updated(_conn: C, member: PresentMember): void {
    if (this.ledger.updated(member)) this.changed();
  }

  /** `next` took over the seat of `previous`: to everyone else nothing happened. */
  replaced(previous: C, next: C): void {
    if (this.fresh.delete(previous)) this.fresh.add(next);
  }

  /** Starts sending `conn` the roster, from the turn after its welcome (a write of its own). */
  welcomed(conn: C): void {
    const pages = this.ledger.rosterPages();
    conn.roster = [...pages];
    this.heldLimit.set(conn, pages.length + this.deps.maxHeld);
    this.pumpNextTurn(conn);
  }

  /** Announces all that changed now, if anything did: before a broadcast, so a sender is known first. */
  flushIfPending(): void {
    while (this.ledger.pending) this.flush();
  }

  /** No more presence frames (the room is closing). */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
  }

  /**
   * Sends the next of a newcomer's roster pages (and the presence frames held behind them),
   * then the next one in the next turn, or once the socket drains if it is backed up. One page
   * per turn keeps every write to the socket small (see FRAME_BYTES): a whole roster in one
   * write cost ~30 KB per member at 1,000 (bench/fanout). A member that stops reading gets no more pages, and one that never reads
   * is cut off once too many presence frames pile up behind them.
   */
  pump(conn: C): void {
    const queue = conn.roster;
    if (!queue) return;
    if (conn.ws.readyState !== WebSocket.OPEN) {
      conn.roster = null;
      return;
    }
    if (conn.socket?.writableNeedDrain) return;
    this.deps.deliver(conn, queue.shift()!);
    if (queue.length === 0) conn.roster = null;
    else this.pumpNextTurn(conn);
  }

  private pumpNextTurn(conn: C): void {
    setImmediate(() => this.deps.guard(() => this.pump(conn)));
  }

  /** A join or leave happened: the next frame goes out at the end of this turn, or once the interval since the last is up. */
  private changed(): void {
    if (this.timer || this.immediate) return;
    const wait = Math.max(0, this.lastAt + this.deps.intervalMs - this.deps.now());
    this.timer = setTimeout(() => this.deps.guard(() => this.flush()), wait);
  }

  /**
   * Tells every member one frame's worth of what changed since the last presence frame
   * (newcomers all but their own arrival). A backlog bigger than a frame goes out a frame per
   * turn, so that no member is handed more than a frame's bytes at once.
   */
  private flush(): void {
    this.stop();
    if (!this.ledger.pending) return;
    this.lastAt = this.deps.now();
    const batch = this.ledger.flush(this.deps.count());
    for (const conn of this.deps.online()) {
      if (this.fresh.has(conn) && batch.has(conn.member!.id)) {
        this.fresh.delete(conn);
        const rest = batch.without(conn.member!.id);
        if (rest) this.send(conn, rest);
      } else {
        this.send(conn, batch.frame);
      }
    }
    if (this.ledger.pending) this.immediate = setImmediate(() => this.deps.guard(() => this.flush()));
  }

  /** Delivers a presence frame, or holds it behind the roster pages still to go. */
  private send(conn: C, frame: Prepared): void {
    if (!conn.roster) {
      this.deps.deliver(conn, frame);
      return;
    }
    conn.roster.push(frame);
    if (conn.roster.length > (this.heldLimit.get(conn) ?? this.deps.maxHeld)) this.deps.tooSlow(conn);
  }
}

import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { originOf, type Origin } from './addressGroups';
import { UnjoinedGroups } from './UnjoinedGroups';

/** The bounds a SocketLedger keeps (the HostLimits of the same names). */
export interface LedgerLimits {
  /** Every TCP connection to the room's port, joined or not. */
  maxConnections: number;
  maxUnjoinedPerAddress: number;
  maxUnjoinedPerPrefix: number;
  /** From TCP accept to the member's welcome; a socket not welcomed by then is cut. */
  joinTimeoutMs: number;
}

/** What the ledger has done so far, for tests and the siege's figures. */
export interface LedgerCounts {
  /** Sockets accepted so far, whatever became of them. */
  seen: number;
  /** Sockets open now, and how many of them have not joined. */
  open: number;
  unjoined: number;
  /** Newcomers destroyed on arrival, because their address or prefix had its share. */
  refused: number;
  /** Older unjoined sockets destroyed to make room for a newcomer from a smaller group. */
  evicted: number;
  /** Sockets cut because they were not welcomed within joinTimeoutMs of being accepted. */
  expired: number;
}

interface Entry {
  readonly socket: Socket;
  readonly origin: Origin;
  readonly since: number;
  readonly key: string;
  joined: boolean;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Every TCP connection to the room, from the moment it is accepted, before TLS: who holds
 * how many, and who must go. Node's own `server.maxConnections` cannot do this: it drops the
 * newcomer silently, whoever holds the rest, which let one address that opened 1,100 idle
 * sockets keep every other address out.
 *
 * Here a socket that has not joined counts against its address and its prefix (see
 * addressGroups): past its address's share it is destroyed at once; past its prefix's share,
 * or the global cap, it takes the place of the oldest unjoined socket of the busiest group if
 * its own group holds fewer, and is destroyed otherwise (see UnjoinedGroups). Joined sockets
 * count towards the global cap but are never pushed out. A socket not welcomed within
 * joinTimeoutMs of its accept is cut, whatever it was doing (a TLS or HTTP dribbler included).
 */
export class SocketLedger {
  private readonly entries = new Map<string, Entry>();
  private readonly unjoined = new UnjoinedGroups<Entry>();
  private arrivals = 0;
  private readonly counts = { seen: 0, refused: 0, evicted: 0, expired: 0 };
  private closed = false;

  constructor(private readonly limits: LedgerLimits) {}

  /**
   * Counts a socket just accepted, or destroys it (or an older one) to keep the shares fair.
   * Returns whether it was admitted (false: it is already destroyed, do not serve it).
   */
  admit(socket: Socket): boolean {
    this.counts.seen++;
    const key = tupleOf(socket);
    if (this.closed || key === null) {
      this.refuse(socket);
      return false;
    }
    const origin = originOf(socket.remoteAddress);
    const { maxConnections, maxUnjoinedPerAddress, maxUnjoinedPerPrefix } = this.limits;
    if (this.unjoined.ofAddress(origin) >= maxUnjoinedPerAddress) {
      this.refuse(socket);
      return false;
    }
    if (
      this.unjoined.ofPrefix(origin) >= maxUnjoinedPerPrefix &&
      !this.evict(this.unjoined.victimWithinPrefix(origin))
    ) {
      this.refuse(socket);
      return false;
    }
    if (this.entries.size >= maxConnections && !this.evict(this.unjoined.victimOverall(origin))) {
      this.refuse(socket);
      return false;
    }
    const entry: Entry = { socket, origin, since: this.arrivals++, key, joined: false, timer: undefined };
    this.entries.set(key, entry);
    this.unjoined.add(entry);
    entry.timer = setTimeout(() => {
      this.counts.expired++;
      this.forget(entry);
      socket.destroy();
    }, this.limits.joinTimeoutMs);
    // A socket that errors is closed by Node right after; 'close' is where it is forgotten.
    socket.on('error', () => {});
    socket.once('close', () => this.forget(entry));
    return true;
  }

  /**
   * The member on this socket (the TLS socket over an admitted one, or the admitted one
   * itself) was welcomed: it no longer counts as unjoined and its join deadline is off.
   * Found by the connection's address and port pair, which the TLS socket shares with the
   * TCP one under it and which no other open connection to this server has.
   */
  joined(socket: Duplex | null): void {
    const key = socket && tupleOf(socket as Socket);
    const entry = key === null ? undefined : this.entries.get(key);
    if (!entry || entry.joined) return;
    entry.joined = true;
    clearTimeout(entry.timer);
    this.unjoined.delete(entry);
  }

  /** Destroys every socket and refuses all newcomers (the host is stopping). */
  closeAll(): void {
    this.closed = true;
    for (const entry of this.entries.values()) entry.socket.destroy();
  }

  /** What it holds and has done; see LedgerCounts. */
  stats(): LedgerCounts {
    let unjoined = 0;
    for (const entry of this.entries.values()) if (!entry.joined) unjoined++;
    return { open: this.entries.size, unjoined, ...this.counts };
  }

  private evict(victim: Entry | null): boolean {
    if (!victim) return false;
    this.counts.evicted++;
    // Forgotten now, not at its 'close': the newcomer takes its place in this same turn.
    this.forget(victim);
    victim.socket.destroy();
    return true;
  }

  /**
   * An RST instead of a FIN: the host keeps no TIME_WAIT state for a socket it never served,
   * and the sender learns at once that it was turned away.
   */
  private refuse(socket: Socket): void {
    this.counts.refused++;
    socket.on('error', () => {});
    if (typeof socket.resetAndDestroy === 'function' && !socket.destroyed) socket.resetAndDestroy();
    else socket.destroy();
  }

  private forget(entry: Entry): void {
    clearTimeout(entry.timer);
    if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
    this.unjoined.delete(entry);
  }
}

/**
 * The connection's four-tuple, as a key: unique among this server's open connections (two
 * connections from one remote address and port can only differ in the local address, on a
 * host listening on several). Null for a socket already gone (Node then reports no address).
 */
function tupleOf(socket: Socket): string | null {
  const { remoteAddress, remotePort, localAddress, localPort } = socket;
  if (!remoteAddress || remotePort === undefined) return null;
  return `${localAddress ?? ''}|${localPort ?? ''}|${remoteAddress}|${remotePort}`;
}

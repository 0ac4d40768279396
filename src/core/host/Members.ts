import type { Member } from '../../shared/protocol';
import { nickKeys, uniqueNick } from './nicknames';

/** How the room hands out nicknames (see Members). */
export interface NicknameOptions {
  /** How long a member's nickname stays its own after it leaves, in ms; default 24 h. 0: not at all. */
  reserveMs?: number;
  /** Most nicknames held for members who left (the memory bound); the oldest goes first. Default 10,000. */
  maxReserved?: number;
  /** The hosting person's nickname (RoomInfo.host): nobody but `hostMemberId` is seated under it. */
  hostNick?: string;
  /**
   * The hosting person's member id, when the host also sits in the room (the desktop app).
   * Absent (the headless host): the host's nickname is nobody's, and everyone asking for it is numbered.
   */
  hostMemberId?: string;
  /** The milliseconds clock reservations expire by; default performance.now. */
  now?: () => number;
}

export const NICKNAME_DEFAULTS = { reserveMs: 24 * 60 * 60 * 1000, maxReserved: 10_000 } as const;

/** A nickname kept for a member who left, until `until`. */
interface Reservation {
  keys: readonly string[];
  until: number;
}

/**
 * Who is online in the room, with nicknames nobody else can pass for. A member's id comes from
 * its public key (see memberIdFromPublicKey), so it is the same on every connection.
 *
 * A nickname is taken while any of its nickKeys (confusable skeletons: "Аlice" with a Cyrillic
 * А is "Alice") belongs to someone else: a member online, a member who left less than
 * `reserveMs` ago (so whoever joins while Alice is offline does not become "Alice" to the people
 * who knew her), or the host. The one it belongs to gets it back. Knows nothing about sockets,
 * so the naming rules can be read (and tested) alone.
 */
export class Members {
  /** Online members by id; a Map keeps join order, which is the order lists are shown in. */
  private readonly online = new Map<string, Member>();
  /** Every key held by an online member, a reservation or the host, and whose it is ('' for the headless host's). */
  private readonly owners = new Map<string, string>();
  /** Nicknames of members who left, oldest first (times only grow, so also soonest to expire first). */
  private readonly reserved = new Map<string, Reservation>();
  private readonly reserveMs: number;
  private readonly maxReserved: number;
  private readonly hostKeys: ReadonlySet<string>;
  private readonly now: () => number;

  constructor(opts: NicknameOptions = {}) {
    this.reserveMs = opts.reserveMs ?? NICKNAME_DEFAULTS.reserveMs;
    this.maxReserved = opts.maxReserved ?? NICKNAME_DEFAULTS.maxReserved;
    this.now = opts.now ?? (() => performance.now());
    this.hostKeys = new Set(opts.hostNick === undefined ? [] : nickKeys(opts.hostNick));
    for (const key of this.hostKeys) this.owners.set(key, opts.hostMemberId ?? '');
  }

  get count(): number {
    return this.online.size;
  }

  /** Nicknames currently held for members who left. */
  get reservedCount(): number {
    this.expire();
    return this.reserved.size;
  }

  /** Online members in join order. */
  list(): Member[] {
    return Array.from(this.online.values());
  }

  get(id: string): Member | undefined {
    return this.online.get(id);
  }

  /**
   * Seats member `id` under `nick`, numbered ("Alice (2)") if it is someone else's (see the
   * class). A member that left and comes back gets its reserved nickname again; asking for
   * another one gives the old one up. The caller makes sure `id` is not online already (a
   * second connection takes over instead).
   */
  join(id: string, nick: string): Member {
    this.expire();
    this.release(id);
    const member = {
      id,
      nick: uniqueNick(nick, (key) => this.owners.has(key) && this.owners.get(key) !== id),
    };
    this.online.set(id, member);
    for (const key of nickKeys(member.nick)) this.owners.set(key, id);
    return member;
  }

  /** Takes the member offline; its nickname stays its own for `reserveMs`. */
  leave(id: string): void {
    const member = this.online.get(id);
    if (!member) return;
    this.online.delete(id);
    const keys = nickKeys(member.nick).filter((key) => !this.hostKeys.has(key));
    if (this.reserveMs <= 0 || this.maxReserved <= 0) {
      this.forget(id, keys);
      return;
    }
    this.reserved.set(id, { keys, until: this.now() + this.reserveMs });
    // The bound: the longest-gone member's nickname is the first to be given up.
    for (const [oldest] of this.reserved) {
      if (this.reserved.size <= this.maxReserved) break;
      this.release(oldest);
    }
  }

  /** Drops reservations whose time is up. */
  private expire(): void {
    const now = this.now();
    for (const [id, reservation] of this.reserved) {
      if (reservation.until > now) break;
      this.release(id);
    }
  }

  /** Gives up what `id` holds as a member who left. */
  private release(id: string): void {
    const reservation = this.reserved.get(id);
    if (!reservation) return;
    this.reserved.delete(id);
    this.forget(id, reservation.keys);
  }

  private forget(id: string, keys: readonly string[]): void {
    for (const key of keys) if (this.owners.get(key) === id) this.owners.delete(key);
  }
}

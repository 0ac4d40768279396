import type { Member } from '../../shared/protocol';
import { newMemberId, newToken } from './ids';
import { nickKey, uniqueNick } from './nicknames';

/** An admitted member and the secret that lets it resume its session on a new connection. */
export interface Seat {
  readonly member: Member;
  readonly token: string;
}

/** How many departed members can still come back as themselves; older ones join afresh. */
const DEPARTED_LIMIT = 1000;

/**
 * Who is in the room: unique nicknames, resume tokens, and the recently departed. Knows nothing
 * about sockets, so the rules for names and resumption can be read (and tested) on their own.
 */
export class Members {
  /** Online seats by member id; a Map keeps join order, which is the order lists are shown in. */
  private readonly seats = new Map<string, Seat>();
  private readonly nickKeys = new Set<string>();
  private readonly byToken = new Map<string, Seat>();
  /** Departed seats by token, oldest first, so trimming drops the one gone longest. */
  private readonly departed = new Map<string, Seat>();

  get count(): number {
    return this.seats.size;
  }

  /** Online members in join order. */
  list(): Member[] {
    return Array.from(this.seats.values(), (s) => s.member);
  }

  get(id: string): Seat | undefined {
    return this.seats.get(id);
  }

  /** The online seat that `token` belongs to: its member is still connected (perhaps half-open). */
  online(token: string): Seat | undefined {
    return this.byToken.get(token);
  }

  /**
   * Seats a new arrival. A token of a recently departed member gives back its id, and its
   * nickname if nobody took it meanwhile; any other token is ignored and the arrival is new.
   */
  join(nick: string, resume?: string): Seat {
    const previous = resume === undefined ? undefined : this.departed.get(resume);
    const taken = (key: string): boolean => this.nickKeys.has(key);
    let seat: Seat;
    if (previous && resume !== undefined) {
      this.departed.delete(resume);
      const name = taken(nickKey(previous.member.nick)) ? uniqueNick(nick, taken) : previous.member.nick;
      seat = { member: { id: previous.member.id, nick: name }, token: previous.token };
    } else {
      seat = { member: { id: this.freshId(), nick: uniqueNick(nick, taken) }, token: newToken() };
    }
    this.seats.set(seat.member.id, seat);
    this.nickKeys.add(nickKey(seat.member.nick));
    this.byToken.set(seat.token, seat);
    return seat;
  }

  /** Frees the member's nickname and remembers its token for a later resume. */
  leave(id: string): void {
    const seat = this.seats.get(id);
    if (!seat) return;
    this.seats.delete(id);
    this.nickKeys.delete(nickKey(seat.member.nick));
    this.byToken.delete(seat.token);
    this.departed.set(seat.token, seat);
    if (this.departed.size > DEPARTED_LIMIT) {
      const oldest = this.departed.keys().next().value;
      if (oldest !== undefined) this.departed.delete(oldest);
    }
  }

  private freshId(): string {
    let id = newMemberId();
    // 72 random bits make a clash academic, but a clash would merge two people, so check anyway.
    while (this.seats.has(id)) id = newMemberId();
    return id;
  }
}

import type { Member } from '../../shared/protocol';
import { nickKey, uniqueNick } from './nicknames';

/**
 * Who is online in the room, with unique nicknames. A member's id comes from its key (see
 * memberIdFromKey), so it is the same on every connection; the nickname is unique only among
 * those online. Knows nothing about sockets, so the naming rules can be read (and tested) alone.
 */
export class Members {
  /** Online members by id; a Map keeps join order, which is the order lists are shown in. */
  private readonly online = new Map<string, Member>();
  private readonly nickKeys = new Set<string>();

  get count(): number {
    return this.online.size;
  }

  /** Online members in join order. */
  list(): Member[] {
    return Array.from(this.online.values());
  }

  get(id: string): Member | undefined {
    return this.online.get(id);
  }

  /**
   * Seats member `id` under `nick`, numbered ("Alice (2)") if someone online already has it.
   * The caller makes sure `id` is not online already (a second connection takes over instead).
   */
  join(id: string, nick: string): Member {
    const member = { id, nick: uniqueNick(nick, (key) => this.nickKeys.has(key)) };
    this.online.set(id, member);
    this.nickKeys.add(nickKey(member.nick));
    return member;
  }

  /** Frees the member's nickname. */
  leave(id: string): void {
    const member = this.online.get(id);
    if (!member) return;
    this.online.delete(id);
    this.nickKeys.delete(nickKey(member.nick));
  }
}

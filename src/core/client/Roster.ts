import type { Member, RoomInfo, WelcomeFrame } from '../../shared/protocol';

/**
 * What a member knows about its room: who it is, the room's info and who is present, as of
 * the last welcome plus the joins and leaves since.
 */
export class Roster {
  me: Member | null = null;
  room: RoomInfo | null = null;
  /** By id; a Map keeps insertion order, which is the host's join order. */
  private readonly present = new Map<string, Member>();

  /** Starts over from a welcome (a resume may have missed joins and leaves while away). */
  reset(welcome: WelcomeFrame): void {
    this.me = welcome.you;
    this.room = welcome.room;
    this.present.clear();
    for (const member of welcome.members) this.present.set(member.id, member);
  }

  joined(member: Member, count: number): void {
    this.present.set(member.id, member);
    this.setCount(count);
  }

  left(member: Member, count: number): void {
    this.present.delete(member.id);
    this.setCount(count);
  }

  list(): Member[] {
    return [...this.present.values()];
  }

  private setCount(count: number): void {
    if (this.room) this.room = { ...this.room, members: count };
  }
}

import type {
  Member,
  PresenceFrame,
  PresentMember,
  RosterFrame,
  RoomInfo,
  Status,
  WelcomeFrame,
} from '../../shared/protocol';

/** A member who left, and how: `quit` closed its connection, `dropped` stopped answering. */
export interface Departure {
  member: Member;
  reason: 'quit' | 'dropped';
}

/**
 * What one presence frame changed for this member: only real changes (a join of someone
 * already known under the same nickname, or a leave of someone never known, is none), and
 * how many members the host counts now.
 */
export interface PresenceChange {
  joined: PresentMember[];
  left: Departure[];
  /** Members already present whose status changed ('active': available again). */
  statuses: { id: string; status: Status }[];
  count: number;
}

/**
 * What a member knows about its room: who it is, the room's info and who is present, as of the
 * last welcome plus the roster pages and presence frames since. Every update costs the size of
 * the frame it comes from, never the size of the room: a room of thousands fills in pages.
 */
export class Roster {
  me: Member | null = null;
  room: RoomInfo | null = null;
  /** By id; a Map keeps insertion order: ourselves first, then the host's join order. */
  private readonly present = new Map<string, PresentMember>();
  private _done = false;

  /**
   * Starts over from a welcome (a resume may have missed joins and leaves while away): only
   * ourselves is known until the roster pages that follow it arrive.
   */
  reset(welcome: WelcomeFrame): void {
    this.me = welcome.you;
    this.room = welcome.room;
    this.present.clear();
    this.present.set(welcome.you.id, welcome.you);
    this._done = false;
  }

  /** Whether the last roster page since the welcome has arrived. */
  get done(): boolean {
    return this._done;
  }

  /** Takes in one roster page; returns the members it taught us (new, or under a new nickname). */
  addPage(page: RosterFrame): PresentMember[] {
    const added: PresentMember[] = [];
    for (const member of page.members) if (this.upsert(member) === 'news') added.push(member);
    if (page.done) this._done = true;
    return added;
  }

  /**
   * Applies a presence frame: `joined` is an upsert by id, a `left` of a member we never knew
   * is ignored (it came and went before we learned of it), and we ourselves stay present
   * whatever it says (we are connected; `you` is who we are).
   */
  applyPresence(frame: PresenceFrame): PresenceChange {
    const left: Departure[] = [];
    for (const { member, reason } of frame.left) {
      if (member.id === this.me?.id) continue;
      const known = this.present.get(member.id);
      if (!known) continue;
      this.present.delete(member.id);
      // As the member was shown: the name people saw is the one that leaves.
      left.push({ member: known, reason });
    }
    const joined: PresentMember[] = [];
    const statuses: PresenceChange['statuses'] = [];
    for (const member of frame.joined) {
      const outcome = this.upsert(member);
      if (outcome === 'news') joined.push(member);
      else if (outcome === 'status') statuses.push({ id: member.id, status: member.status ?? 'active' });
    }
    if (this.room) this.room = { ...this.room, members: frame.count };
    return { joined, left, statuses, count: frame.count };
  }

  /** Members in the order above; a copy, so its cost is the room's size (callers take it rarely). */
  list(): PresentMember[] {
    return [...this.present.values()];
  }

  /**
   * What `member` is: news (unknown, or known under another nickname: it left and came back), a
   * status change of one present (it keeps its place), or nothing new.
   */
  private upsert(member: PresentMember): 'news' | 'status' | 'same' {
    if (member.id === this.me?.id) return 'same';
    const known = this.present.get(member.id);
    if (known?.nick === member.nick) {
      if (known.status === member.status) return 'same';
      this.present.set(member.id, member);
      return 'status';
    }
    // One that came back under a new name joined again: it goes to the end of the join order.
    if (known) this.present.delete(member.id);
    this.present.set(member.id, member);
    return 'news';
  }
}

import { LIMITS, type Member } from '../../shared/protocol';
import type { Prepared } from './outbound';

/** Why a member left, as a presence frame says it. */
export type LeftReason = 'quit' | 'dropped';

/** One member's latest change since the last presence frame, its JSON made once. */
interface Change {
  member: Member;
  /** Absent: joined (or came back under a new nickname). */
  left?: LeftReason;
  json: string;
}

/**
 * Who is in the room as the members were last told, and what changed since: joins and leaves
 * are not announced one frame each (filling a room of n would cost n² frames) but gathered
 * into one presence frame per flush, a member at most once, in its latest state.
 *
 * A newcomer's roster is `announced` (the room as of the last flush), in pages made once per
 * flush and shared by every newcomer until the next. What changed since reaches the newcomer
 * in the next presence frame, like everyone else; only its own arrival is left out of the one
 * it gets (`without`), since its welcome already told it who it is.
 */
export class PresenceLedger {
  /** The room as of the last flush, in join order (a Map keeps insertion order). */
  private readonly announced = new Map<string, Change>();
  private readonly changes = new Map<string, Change>();
  private pages: Prepared[] | null = null;

  /** Whether anything changed since the last flush. */
  get pending(): boolean {
    return this.changes.size > 0;
  }

  joined(member: Member): void {
    this.note({ member, json: JSON.stringify(member) });
  }

  left(member: Member, reason: LeftReason): void {
    // Never announced, so nobody knows of it (rosters are made of `announced`): gone without a word.
    if (!this.announced.has(member.id)) {
      this.changes.delete(member.id);
      return;
    }
    this.note({ member, left: reason, json: JSON.stringify({ member, reason }) });
  }

  /**
   * The roster pages of the room as of the last flush: at least one (the last says `done`),
   * each at most LIMITS.rosterPage members. The same Buffers until the next flush.
   */
  rosterPages(): readonly Prepared[] {
    if (this.pages) return this.pages;
    const members = [...this.announced.values()].map((change) => change.json);
    const pages: Prepared[] = [];
    for (let from = 0; from === 0 || from < members.length; from += LIMITS.rosterPage) {
      const page = members.slice(from, from + LIMITS.rosterPage);
      const done = from + LIMITS.rosterPage >= members.length;
      pages.push(framed('roster', `"members":[${page.join(',')}],"done":${done}`));
    }
    this.pages = pages;
    return pages;
  }

  /**
   * Ends the batch: the changes become the announced roster. `frames` (for everyone) and
   * `without(id)` (for the newcomer `id`: the same minus its own arrival) say what changed, in
   * frames of at most LIMITS.rosterPage changes; none when nothing did.
   */
  flush(count: number): { frames: Prepared[]; without(id: string): Prepared[] } {
    const changes = [...this.changes.values()];
    this.changes.clear();
    if (changes.length > 0) this.pages = null;
    for (const change of changes) {
      // A rejoin moves to the end: join order is the order of the latest arrival.
      this.announced.delete(change.member.id);
      if (!change.left) this.announced.set(change.member.id, change);
    }
    const build = (from: Change[]): Prepared[] => {
      const frames: Prepared[] = [];
      for (let i = 0; i < from.length; i += LIMITS.rosterPage) {
        const joined: string[] = [];
        const left: string[] = [];
        for (const change of from.slice(i, i + LIMITS.rosterPage))
          (change.left ? left : joined).push(change.json);
        frames.push(
          framed('presence', `"joined":[${joined.join(',')}],"left":[${left.join(',')}],"count":${count}`),
        );
      }
      return frames;
    };
    return {
      frames: build(changes),
      without: (id) => build(changes.filter((change) => change.member.id !== id)),
    };
  }

  private note(change: Change): void {
    // Delete first: the latest change goes last, so a frame lists changes in the order of the last of each.
    this.changes.delete(change.member.id);
    this.changes.set(change.member.id, change);
  }
}

/**
 * A frame's JSON from its fields' JSON, for the two frames built from pieces made once per
 * member or change and shared by every frame they go in. A test decodes both with the host
 * frame schema (host.presence.test.ts), so they cannot drift from protocol.ts.
 */
function framed(type: 'roster' | 'presence', fields: string): Prepared {
  return Buffer.from(`{"type":"${type}",${fields}}`);
}

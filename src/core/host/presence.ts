import { LIMITS, type Member, type PresentMember } from '../../shared/protocol';
import { preparedText, type Prepared } from './outbound';

/**
 * Most bytes of member JSON in one roster page or presence frame (besides LIMITS.rosterPage
 * members at most). Node keeps, for the life of each TLS socket, write buffers as large as the
 * most it was ever given in one turn (its output ring grows by 16 KiB past the ~2 KiB the
 * handshake sized it to, and never shrinks): a 4 KiB page to each newcomer and a 2 KiB presence
 * frame to everyone cost ~7 KB per member at 1,000, a room held at ~1 KiB a write costs none
 * (bench/fanout). Frames this small still coalesce: ~25 members each.
 */
export const FRAME_BYTES = 1_024;

/** Why a member left, as a presence frame says it. */
export type LeftReason = 'quit' | 'dropped';

/** One member's latest change since the last presence frame, its JSON made once. */
interface Change {
  member: PresentMember;
  /** Absent: joined (or came back under a new nickname). */
  left?: LeftReason;
  /** A member already announced changed its status: it keeps its place in the join order. */
  update?: true;
  json: string;
  /** UTF-8 bytes of `json`. */
  bytes: number;
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
    this.note(change(member, undefined, JSON.stringify(member)));
  }

  /**
   * A present member's status changed. Pending as a join still (not yet announced), it is
   * announced joined with the new status; announced, it goes as an update that keeps its
   * place. Says whether there is anything to tell.
   */
  updated(member: PresentMember): boolean {
    const pending = this.changes.get(member.id);
    if (pending?.left) return false;
    const json = JSON.stringify(member);
    if (pending && !pending.update) {
      this.note(change(member, undefined, json));
      return true;
    }
    if (!this.announced.has(member.id)) return false;
    this.note({ ...change(member, undefined, json), update: true });
    return true;
  }

  left(member: Member, reason: LeftReason): void {
    // Never announced, so nobody knows of it (rosters are made of `announced`): gone without a word.
    if (!this.announced.has(member.id)) {
      this.changes.delete(member.id);
      return;
    }
    this.note(change(member, reason, JSON.stringify({ member, reason })));
  }

  /**
   * The roster pages of the room as of the last flush: at least one (the last says `done`),
   * each within FRAME_BYTES and LIMITS.rosterPage members. The same Buffers until the next flush.
   */
  rosterPages(): readonly Prepared[] {
    if (this.pages) return this.pages;
    const members = [...this.announced.values()];
    const pages: Prepared[] = [];
    let from = 0;
    do {
      const to = from + frameful(members, from);
      const json = members.slice(from, to).map((change) => change.json);
      pages.push(framed('roster', `"members":[${json.join(',')}],"done":${to >= members.length}`));
      from = to;
    } while (from < members.length);
    this.pages = pages;
    return pages;
  }

  /**
   * Ends one frame's worth of the batch (FRAME_BYTES, LIMITS.rosterPage changes), oldest changes
   * first; what does not fit stays pending for the next flush. Those changes become the
   * announced roster. `frame` (for everyone) and `without(id)` (for the newcomer `id`: the same
   * minus its own arrival, null if nothing else is left) say what changed; `has(id)` whether
   * `id` is among it.
   */
  flush(count: number): { frame: Prepared; without(id: string): Prepared | null; has(id: string): boolean } {
    const pending = [...this.changes.values()];
    const changes = pending.slice(0, frameful(pending, 0));
    for (const change of changes) {
      this.changes.delete(change.member.id);
      // An update keeps its place (a Map's set of a present key does); a rejoin moves to the
      // end: join order is the order of the latest arrival.
      if (change.update && this.announced.has(change.member.id)) {
        this.announced.set(change.member.id, change);
        continue;
      }
      this.announced.delete(change.member.id);
      if (!change.left) this.announced.set(change.member.id, change);
    }
    if (changes.length > 0) this.pages = null;
    const ids = new Set(changes.map((change) => change.member.id));
    const build = (from: Change[]): Prepared => {
      const joined: string[] = [];
      const left: string[] = [];
      for (const change of from) (change.left ? left : joined).push(change.json);
      return framed('presence', `"joined":[${joined.join(',')}],"left":[${left.join(',')}],"count":${count}`);
    };
    return {
      frame: build(changes),
      without: (id) => {
        const others = changes.filter((change) => change.member.id !== id);
        return others.length > 0 ? build(others) : null;
      },
      has: (id) => ids.has(id),
    };
  }

  private note(change: Change): void {
    // Delete first: the latest change goes last, so a frame lists changes in the order of the last of each.
    this.changes.delete(change.member.id);
    this.changes.set(change.member.id, change);
  }
}

function change(member: PresentMember, left: LeftReason | undefined, json: string): Change {
  return { member, ...(left && { left }), json, bytes: Buffer.byteLength(json) };
}

/** How many of `items`, from `from` on, go in one frame: at least one, within both bounds. */
function frameful(items: readonly Change[], from: number): number {
  let bytes = 0;
  let n = 0;
  for (let i = from; i < items.length && n < LIMITS.rosterPage; i++, n++) {
    bytes += items[i]!.bytes + 1;
    if (n > 0 && bytes > FRAME_BYTES) break;
  }
  return n;
}

/**
 * A frame's JSON from its fields' JSON, for the two frames built from pieces made once per
 * member or change and shared by every frame they go in. A test decodes both with the host
 * frame schema (host.presence.test.ts), so they cannot drift from protocol.ts.
 */
function framed(type: 'roster' | 'presence', fields: string): Prepared {
  return preparedText(`{"type":"${type}",${fields}}`);
}

import type { Member, PresentMember, Status } from '../../../shared/protocol';

/** Nicknames compared as people read them: case and accents aside, in the user's locale. */
const collator = new Intl.Collator(undefined, { sensitivity: 'base' });

/** The members list's order: by nickname, then by id so equal nicknames keep one order. */
export function byNick(a: Member, b: Member): number {
  return collator.compare(a.nick, b.nick) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Who is in the room, sorted for the members list, kept per batch: a roster page or a
 * presence batch costs one sort of the batch and one merge pass over the list, never a pass
 * per member (a room of thousands fills in pages, and joins come coalesced).
 * No Svelte in here: the window holds `list` in a `$state.raw` and replaces it per batch.
 */
export class MemberIndex {
  readonly #byId = new Map<string, PresentMember>();
  #list: PresentMember[] = [];

  /** Sorted by `byNick`; a new array after every change, the same one when nothing changed. */
  get list(): PresentMember[] {
    return this.#list;
  }

  has(id: string): boolean {
    return this.#byId.has(id);
  }

  /** Starts over from a whole list (a session snapshot). */
  reset(members: readonly PresentMember[]): PresentMember[] {
    this.#byId.clear();
    for (const member of members) this.#byId.set(member.id, member);
    this.#list = [...this.#byId.values()].sort(byNick);
    return this.#list;
  }

  /**
   * Applies one batch: `joined` are upserts by id (a new nickname moves a member in the
   * order), `left` are ids to remove (an unknown one is ignored). Returns the new list.
   */
  apply(joined: readonly PresentMember[], left: readonly string[]): PresentMember[] {
    // Whoever changes leaves its old place; the newcomers go in, sorted, in one merge.
    const gone = new Set<string>();
    for (const id of left) if (this.#byId.delete(id)) gone.add(id);
    const incoming = new Map<string, PresentMember>();
    for (const member of joined) {
      const known = this.#byId.get(member.id);
      if (known?.nick === member.nick) continue;
      if (known) gone.add(member.id);
      incoming.set(member.id, member);
      this.#byId.set(member.id, member);
    }
    if (gone.size === 0 && incoming.size === 0) return this.#list;
    const added = [...incoming.values()].sort(byNick);
    const merged: PresentMember[] = [];
    let i = 0;
    for (const member of this.#list) {
      if (gone.has(member.id)) continue;
      while (i < added.length && byNick(added[i]!, member) < 0) merged.push(added[i++]!);
      merged.push(member);
    }
    while (i < added.length) merged.push(added[i++]!);
    this.#list = merged;
    return merged;
  }

  /**
   * Members already present who are now away, busy or active again: each keeps its place (the
   * order is by nickname). Returns the new list, or the same one if nobody known changed.
   */
  setStatuses(statuses: readonly { id: string; status: Status }[]): PresentMember[] {
    const changed = new Map<string, PresentMember>();
    for (const { id, status } of statuses) {
      const known = this.#byId.get(id);
      if (!known) continue;
      const { status: _old, ...member } = known;
      const next = status === 'active' ? member : { ...member, status };
      this.#byId.set(id, next);
      changed.set(id, next);
    }
    if (changed.size === 0) return this.#list;
    this.#list = this.#list.map((member) => changed.get(member.id) ?? member);
    return this.#list;
  }
}

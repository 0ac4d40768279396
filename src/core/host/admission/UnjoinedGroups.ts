import type { Origin } from './addressGroups';

/** Something counted against an origin. */
interface Counted {
  readonly origin: Origin;
  /** Arrival order: a smaller number came earlier. */
  readonly since: number;
}

/** The unjoined sockets of one prefix, by address, each address's in arrival order. */
interface Prefix<T> {
  count: number;
  readonly addresses: Map<string, Set<T>>;
}

/**
 * The sockets that have not joined yet, counted per address and per prefix, with the one
 * question fair admission asks: when room must be made, whose socket goes? Always the oldest
 * one of the busiest group, and only when the newcomer's own group holds fewer: max-min
 * fairness, so a group can only ever be cut down towards the others, never grow past them.
 */
export class UnjoinedGroups<T extends Counted> {
  private readonly prefixes = new Map<string, Prefix<T>>();

  add(item: T): void {
    const { address, prefix } = item.origin;
    let group = this.prefixes.get(prefix);
    if (!group) this.prefixes.set(prefix, (group = { count: 0, addresses: new Map() }));
    let sockets = group.addresses.get(address);
    if (!sockets) group.addresses.set(address, (sockets = new Set()));
    sockets.add(item);
    group.count++;
  }

  /** Forgets `item` (joined or gone); harmless if it was not counted. */
  delete(item: T): void {
    const { address, prefix } = item.origin;
    const group = this.prefixes.get(prefix);
    const sockets = group?.addresses.get(address);
    if (!group || !sockets?.delete(item)) return;
    group.count--;
    if (sockets.size === 0) group.addresses.delete(address);
    if (group.count === 0) this.prefixes.delete(prefix);
  }

  /** Unjoined sockets from this address. */
  ofAddress(origin: Origin): number {
    return this.prefixes.get(origin.prefix)?.addresses.get(origin.address)?.size ?? 0;
  }

  /** Unjoined sockets from this prefix. */
  ofPrefix(origin: Origin): number {
    return this.prefixes.get(origin.prefix)?.count ?? 0;
  }

  /**
   * The socket to give up so a newcomer from `origin` fits in its full prefix: the oldest of
   * the prefix's busiest address, if that address holds more than the newcomer's; else none.
   */
  victimWithinPrefix(origin: Origin): T | null {
    const group = this.prefixes.get(origin.prefix);
    if (!group) return null;
    const busiest = busiestOf(group.addresses.values(), bySize, sinceOfSet);
    if (!busiest || busiest.size <= this.ofAddress(origin)) return null;
    return first(busiest);
  }

  /**
   * The socket to give up so a newcomer from `origin` fits under the global cap: the oldest of
   * the busiest address of the busiest prefix, if that prefix holds more than the newcomer's;
   * if the newcomer's prefix is itself among the busiest, the same within it; else none.
   */
  victimOverall(origin: Origin): T | null {
    const busiest = busiestOf(this.prefixes.values(), (group) => group.count, sinceOfPrefix);
    if (!busiest) return null;
    if (busiest.count > this.ofPrefix(origin)) {
      return first(busiestOf(busiest.addresses.values(), bySize, sinceOfSet)!);
    }
    return this.victimWithinPrefix(origin);
  }
}

/**
 * The group with the most, ties going to the one whose oldest socket is oldest (so that of
 * equal groups the longest-waiting gives way first). Groups are never empty.
 */
function busiestOf<G>(
  groups: Iterable<G>,
  size: (group: G) => number,
  since: (group: G) => number,
): G | null {
  let best: G | null = null;
  let bestSize = 0;
  let bestSince = Infinity;
  for (const group of groups) {
    const n = size(group);
    if (n < bestSize) continue;
    const oldest = since(group);
    if (n > bestSize || oldest < bestSince) {
      best = group;
      bestSize = n;
      bestSince = oldest;
    }
  }
  return best;
}

const bySize = (sockets: Set<Counted>): number => sockets.size;
const sinceOfSet = (sockets: Set<Counted>): number => first(sockets).since;

function sinceOfPrefix(group: Prefix<Counted>): number {
  let oldest = Infinity;
  for (const sockets of group.addresses.values()) oldest = Math.min(oldest, first(sockets).since);
  return oldest;
}

function first<T>(set: Set<T>): T {
  return set.values().next().value as T;
}

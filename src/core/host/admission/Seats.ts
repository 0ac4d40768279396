import { originOf } from './addressGroups';

/** The seat limits (the HostLimits of the same names). */
export interface SeatLimits {
  maxSeatsPerAddress: number;
  maxSeatsPerPrefix: number;
}

/** Which share a newcomer would exceed, if any. */
export type Crowding = { scope: 'address' | 'prefix'; limit: number } | null;

/**
 * The room's seats: member id -> the connection holding its seat (a Map, so the room uses it
 * as it used its plain map of who is online), plus how many seats each address and each
 * prefix holds, kept up to date as seats are taken, handed over and given up. One laptop
 * with fresh member identities would otherwise take every seat of the room.
 */
export class Seats<C extends { readonly address: string }> extends Map<string, C> {
  private readonly perAddress = new Map<string, number>();
  private readonly perPrefix = new Map<string, number>();

  /** `onSeated` hears of every connection given a seat (a welcome), the one taking a seat back included. */
  constructor(private readonly onSeated: (conn: C) => void = () => {}) {
    super();
  }

  override set(id: string, conn: C): this {
    const previous = super.get(id);
    if (previous) this.count(previous.address, -1);
    super.set(id, conn);
    this.count(conn.address, +1);
    this.onSeated(conn);
    return this;
  }

  override delete(id: string): boolean {
    const previous = super.get(id);
    if (!previous) return false;
    this.count(previous.address, -1);
    return super.delete(id);
  }

  override clear(): void {
    this.perAddress.clear();
    this.perPrefix.clear();
    super.clear();
  }

  /**
   * Whether a new member from `address` would exceed its address's or its prefix's share of
   * seats. A member taking back its own seat is not new: do not ask for it.
   */
  crowding(address: string, limits: SeatLimits): Crowding {
    const origin = originOf(address);
    if ((this.perAddress.get(origin.address) ?? 0) >= limits.maxSeatsPerAddress)
      return { scope: 'address', limit: limits.maxSeatsPerAddress };
    if ((this.perPrefix.get(origin.prefix) ?? 0) >= limits.maxSeatsPerPrefix)
      return { scope: 'prefix', limit: limits.maxSeatsPerPrefix };
    return null;
  }

  private count(address: string, delta: number): void {
    const origin = originOf(address);
    bump(this.perAddress, origin.address, delta);
    bump(this.perPrefix, origin.prefix, delta);
  }
}

function bump(map: Map<string, number>, key: string, delta: number): void {
  const n = (map.get(key) ?? 0) + delta;
  if (n > 0) map.set(key, n);
  else map.delete(key);
}

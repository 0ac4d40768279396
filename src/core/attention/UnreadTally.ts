/** One room's unread messages, by conversation ('' is the room's own). */
export interface RoomUnread {
  roomId: string;
  name: string;
  counts: Record<string, number>;
}

/**
 * What waits unread in every room together: all of it, the private part (messages to you), and
 * each room that has any (for the tray), in the order the rooms were joined.
 */
export interface UnreadTotals {
  total: number;
  personal: number;
  rooms: { roomId: string; name: string; count: number }[];
}

/**
 * Adds up the unread counts of every joined room for the dock badge and the tray, and says so
 * when the totals change. Counting asks each room's saved copy, so changes are gathered and
 * counted once per `everyMs` (a burst of 200 messages costs one count, not 200).
 */
export class UnreadTally {
  private last: UnreadTotals = { total: 0, personal: 0, rooms: [] };
  private timer: NodeJS.Timeout | null = null;

  constructor(
    /** Each joined room's unread counts. */
    private readonly counts: () => Iterable<RoomUnread>,
    private readonly changed: (totals: UnreadTotals) => void,
    private readonly everyMs = 250,
  ) {}

  get totals(): UnreadTotals {
    return this.last;
  }

  /** Something may have changed the counts (a message, a read mark, a room joined or left). */
  touch(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.recount();
    }, this.everyMs);
    this.timer.unref();
  }

  /** Counts now, telling `changed` if the totals moved. */
  recount(): void {
    let total = 0;
    let personal = 0;
    const rooms: UnreadTotals['rooms'] = [];
    for (const { roomId, name, counts } of this.counts()) {
      let count = 0;
      for (const [conversation, n] of Object.entries(counts)) {
        count += n;
        if (conversation !== '') personal += n;
      }
      total += count;
      if (count > 0) rooms.push({ roomId, name, count });
    }
    const next = { total, personal, rooms };
    if (JSON.stringify(next) === JSON.stringify(this.last)) return;
    this.last = next;
    this.changed(next);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

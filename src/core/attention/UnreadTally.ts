/** What waits unread in every room together: all of it, and the private part (messages to you). */
export interface UnreadTotals {
  total: number;
  personal: number;
}

/**
 * Adds up the unread counts of every joined room for the dock badge and the tray, and says so
 * when the totals change. Counting asks each room's saved copy, so changes are gathered and
 * counted once per `everyMs` (a burst of 200 messages costs one count, not 200).
 */
export class UnreadTally {
  private last: UnreadTotals = { total: 0, personal: 0 };
  private timer: NodeJS.Timeout | null = null;

  constructor(
    /** Each joined room's unread counts by conversation ('' is the room's own). */
    private readonly counts: () => Iterable<Record<string, number>>,
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
    for (const byConversation of this.counts()) {
      for (const [conversation, n] of Object.entries(byConversation)) {
        total += n;
        if (conversation !== '') personal += n;
      }
    }
    if (total === this.last.total && personal === this.last.personal) return;
    this.last = { total, personal };
    this.changed(this.last);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

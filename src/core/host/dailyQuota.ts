/** A day in milliseconds: the period a daily quota refills over. */
const DAY_MS = 86_400_000;

/** What a member has used of its allowance, decaying towards zero as the day's allowance refills. */
interface Usage {
  posts: number;
  bytes: number;
  at: number;
}

/** A post refused by the quota: how long until it would fit, in milliseconds. */
export interface OverQuota {
  ok: false;
  retryAfterMs: number;
}

/**
 * Each member's daily allowance of posts and of bytes (UTF-8 bytes of the text), keyed by
 * member id, so reconnecting gives nothing back. A leaky bucket: the allowance refills
 * continuously at `posts` (and `bytes`) per 24 hours, so a member that was quiet may spend a
 * whole day's allowance at once and then as much again over the next 24 hours, never more; no
 * midnight at which everyone's allowance comes back at once. Kept in memory: a host restart
 * (the host's own act) gives everyone a fresh allowance.
 */
export class DailyQuota {
  private readonly usage = new Map<string, Usage>();
  private sinceSweep = 0;

  constructor(
    private readonly posts: number,
    private readonly bytes: number,
    /** Milliseconds, never going back (the room's clock). */
    private readonly now: () => number,
  ) {}

  /** Counts one post of `bytes` against `memberId`'s allowance, or says how long until it fits. */
  take(memberId: string, bytes: number): { ok: true } | OverQuota {
    const now = this.now();
    const used = this.current(memberId, now);
    const overPosts = used.posts + 1 - this.posts;
    const overBytes = used.bytes + bytes - this.bytes;
    if (overPosts > 0 || overBytes > 0) {
      const wait = Math.max((overPosts * DAY_MS) / this.posts, (overBytes * DAY_MS) / this.bytes);
      return { ok: false, retryAfterMs: Math.ceil(wait) };
    }
    used.posts += 1;
    used.bytes += bytes;
    if (!this.usage.has(memberId)) this.remember(memberId, used, now);
    return { ok: true };
  }

  /** Gives back a post counted by take() that was not stored after all (a failure, a resend). */
  refund(memberId: string, bytes: number): void {
    const used = this.usage.get(memberId);
    if (!used) return;
    used.posts = Math.max(0, used.posts - 1);
    used.bytes = Math.max(0, used.bytes - bytes);
  }

  /** Members whose usage is still counted (for tests and the host's own figures). */
  get tracked(): number {
    return this.usage.size;
  }

  /** The member's usage now, decayed since it was last looked at. */
  private current(memberId: string, now: number): Usage {
    const used = this.usage.get(memberId);
    if (!used) return { posts: 0, bytes: 0, at: now };
    const elapsed = Math.max(0, now - used.at);
    used.posts = Math.max(0, used.posts - (elapsed * this.posts) / DAY_MS);
    used.bytes = Math.max(0, used.bytes - (elapsed * this.bytes) / DAY_MS);
    used.at = now;
    return used;
  }

  /**
   * Starts counting a member. Now and then (every 1,024 new members) the members whose usage
   * has decayed to nothing are forgotten, so fresh keys cannot grow the map for good: it holds
   * at most the members who posted within the last day.
   */
  private remember(memberId: string, used: Usage, now: number): void {
    this.usage.set(memberId, used);
    if (++this.sinceSweep < 1024) return;
    this.sinceSweep = 0;
    for (const [id] of this.usage) {
      const u = this.current(id, now);
      if (u.posts === 0 && u.bytes === 0) this.usage.delete(id);
    }
  }
}

/**
 * A token bucket: holds up to `burst` tokens, refills at `perSecond`, and every allowed action
 * takes one. So a member may do `burst` things at once, then `perSecond` a second for as long
 * as it likes, and a quiet spell earns the burst back. Time comes from `now` (milliseconds,
 * any origin, never going back), so tests can drive it without waiting.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly now: () => number,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Takes a token if there is one; false means the action is over the limit. */
  take(): boolean {
    if (!this.available()) return false;
    this.tokens -= 1;
    return true;
  }

  /** Whether a token is there to take now (refilling first), without taking it. */
  available(): boolean {
    const now = this.now();
    // A clock that stepped back refills nothing (rather than draining the bucket).
    const elapsed = Math.max(0, now - this.last);
    this.last = now;
    // Guarded so an infinite rate (no limit) cannot make NaN out of 0 * Infinity.
    if (elapsed > 0) this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.perSecond) / 1000);
    return this.tokens >= 1;
  }
}

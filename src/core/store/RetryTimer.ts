/** When a store tries its unsaved writes again, after the disk refused them. */
export interface RetryPolicy {
  /** The try itself (a store's flush). */
  run: () => void;
  /** The first wait, in milliseconds. */
  ms: number;
  /** The longest wait, reached by doubling; default `ms`, a steady pace. */
  maxMs?: number;
}

/**
 * One pending try at a time, each waiting twice as long as the one before, up to `maxMs`: a
 * disk that stays full then costs a try a minute, not one per write.
 */
export class RetryTimer {
  private timer: NodeJS.Timeout | null = null;
  private tries = 0;

  constructor(private readonly policy: RetryPolicy) {}

  /** Arms the next try, unless one is already pending. */
  schedule(): void {
    if (this.timer) return;
    const { ms, maxMs = ms } = this.policy;
    // Capped, so that however long the spell the product stays finite (0 * 2 ** 1024 is NaN).
    const delay = Math.min(Math.max(ms, maxMs), ms * 2 ** Math.min(this.tries, 16));
    this.tries++;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.policy.run();
    }, delay);
    // A pending retry must not keep a quitting app, a stopping host or a test run alive.
    this.timer.unref();
  }

  /** Drops the pending try; the next spell of trouble starts again from the first wait. */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.tries = 0;
  }
}

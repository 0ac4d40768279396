/** How reconnect attempts are spaced. */
export interface BackoffOptions {
  /** Ceiling of the first delay; default 500 ms. */
  initialMs?: number;
  /** Ceiling no delay exceeds; default 15 s. */
  maxMs?: number;
  /** Reconnect attempts before giving up and going offline; default Infinity. */
  maxAttempts?: number;
  /**
   * Reconnects only (reconnectDelay): the ceiling of the first `restartAttempts` delays;
   * default 1250 ms. Growth resumes after them.
   */
  restartMaxMs?: number;
  /** Reconnects only: how many attempts the restart window lasts; default 20 (about 20 s). */
  restartAttempts?: number;
}

export const BACKOFF_DEFAULTS = {
  initialMs: 500,
  maxMs: 15_000,
  maxAttempts: Infinity,
  restartMaxMs: 1250,
  restartAttempts: 20,
} as const;

/**
 * Delay before attempt `attempt` (1-based): exponential, capped at maxMs, and jittered into
 * [0.5, 1] of that, so the members of a room that just restarted do not all knock on it in the
 * same instant.
 */
export function backoffDelay(
  attempt: number,
  opts: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const initial = opts.initialMs ?? BACKOFF_DEFAULTS.initialMs;
  const max = opts.maxMs ?? BACKOFF_DEFAULTS.maxMs;
  // Capping the exponent first keeps 2 ** n finite however long the room stays away.
  const ceiling = Math.min(max, initial * 2 ** Math.min(Math.max(attempt - 1, 0), 30));
  return Math.round(ceiling * (0.5 + random() / 2));
}

/**
 * Delay before reconnect attempt `attempt`: backoffDelay, except that during a restart window
 * (the first `restartAttempts` attempts, about 20 s by default) no delay exceeds
 * `restartMaxMs`; after it the delays grow again from there up to maxMs.
 *
 * Why: the usual reason a room goes away is its host restarting, which takes seconds. With
 * plain doubling, a member whose host came back after 5 s waited up to 8 s more (measured:
 * the last of 100 members back 7–8 s after the host listened again; bench/reconnect). With the window
 * every member is back within about restartMaxMs of the host listening, and the jitter still
 * spreads 100 members' attempts over that whole span instead of one instant. The price: about
 * one attempt per member per second at a room that stays away, for the first 20 s; a room that
 * is gone for longer is asked ever more rarely, as before.
 */
export function reconnectDelay(
  attempt: number,
  opts: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const max = opts.maxMs ?? BACKOFF_DEFAULTS.maxMs;
  const plateau = Math.min(opts.restartMaxMs ?? BACKOFF_DEFAULTS.restartMaxMs, max);
  const window = opts.restartAttempts ?? BACKOFF_DEFAULTS.restartAttempts;
  if (attempt <= window) return backoffDelay(attempt, { ...opts, maxMs: plateau }, random);
  // Past the window: twice the plateau, then doubling, as if the plateau had been attempt 1.
  return backoffDelay(attempt - window + 1, { ...opts, initialMs: plateau }, random);
}

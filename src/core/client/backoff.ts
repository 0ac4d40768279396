/** How reconnect attempts are spaced. */
export interface BackoffOptions {
  /** Ceiling of the first delay; default 500 ms. */
  initialMs?: number;
  /** Ceiling no delay exceeds; default 15 s. */
  maxMs?: number;
  /** Reconnect attempts before giving up and going offline; default Infinity. */
  maxAttempts?: number;
}

export const BACKOFF_DEFAULTS = { initialMs: 500, maxMs: 15_000, maxAttempts: Infinity } as const;

/**
 * Delay before reconnect attempt `attempt` (1-based): exponential, capped at maxMs, and
 * jittered into [0.5, 1] of that, so the members of a room that just restarted do not all
 * knock on it in the same instant.
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

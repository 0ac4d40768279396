/**
 * Timestamps and output for benchmark child processes. Every process of a benchmark runs on
 * this one machine (namespaces share its clock), so an event stamped in one process can be
 * subtracted from an event stamped in another.
 */

/** Milliseconds since the epoch, sub-millisecond: the wall clock at process start plus a monotonic clock. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

/** One JSON object per line on stdout, stamped `t` (wallNow) unless the fields carry their own. */
export function emit(event: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ event, t: wallNow(), ...fields })}\n`);
}

/**
 * A benchmark child must never outlive its benchmark: it exits when the bench closes its stdin
 * (or dies), and after `maxMs` whatever happens.
 */
export function exitWithParent(maxMs: number): void {
  process.stdin.on('end', () => process.exit(0)).resume();
  setTimeout(() => process.exit(3), maxMs).unref();
}

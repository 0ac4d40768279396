/** Connection attempts of one restart as a text histogram, to show whether they came in a herd. */

/** What one restart looked like from the members' side, times in ms since the epoch. */
export interface Restart {
  /** Which Scenario (its label). */
  scenario: string;
  killedAt: number;
  listeningAt: number;
  /** Last member welcomed again. */
  allBackAt: number;
  /** Last outbox empty again. */
  drainedAt: number;
  /** Every TCP connection attempt of every member, from the kill until all drained. */
  attempts: number[];
}

const BUCKET_MS = 100;
const BAR = 40;

/** The busiest BUCKET_MS of attempts once the host listens again. */
export function peakAfterListen(r: Restart): number {
  const counts = new Map<number, number>();
  for (const t of r.attempts) {
    if (t < r.listeningAt) continue;
    const b = Math.floor((t - r.listeningAt) / BUCKET_MS);
    counts.set(b, (counts.get(b) ?? 0) + 1);
  }
  return Math.max(0, ...counts.values());
}

/** How long before the host listens again the buckets start; earlier attempts are summed up in one line. */
const LEAD_MS = 1000;

/**
 * Attempts per bucket (100 ms unless told) from a second before the host listened again until
 * every outbox drained, one line per bucket (runs of empty buckets folded), times relative to the host listening.
 */
export function histogram(r: Restart, bucketMs = BUCKET_MS): string {
  const start = Math.max(Math.floor((r.killedAt - r.listeningAt) / bucketMs), -Math.ceil(LEAD_MS / bucketMs));
  const end = Math.floor((r.drainedAt - r.listeningAt) / bucketMs);
  const counts = new Array<number>(end - start + 1).fill(0);
  let earlier = 0;
  for (const t of r.attempts) {
    const b = Math.floor((t - r.listeningAt) / bucketMs) - start;
    if (b < 0) earlier++;
    else if (b < counts.length) counts[b]!++;
  }
  const max = Math.max(1, ...counts);
  const at = (k: number) => {
    const from = ((start + k) * bucketMs) / 1000;
    return `${from >= 0 ? '+' : ''}${from.toFixed(1)} s`.padStart(8);
  };
  const out: string[] = [];
  if (earlier) out.push(`${'earlier'.padStart(8)} ${String(earlier).padStart(4)} (while the host was down)`);
  for (let k = 0; k < counts.length; k++) {
    let run = 0;
    while (counts[k + run] === 0 && start + k + run !== 0) run++;
    if (run >= 3) {
      out.push(`${at(k)} ${'0'.padStart(4)} … for ${((run * bucketMs) / 1000).toFixed(1)} s`);
      k += run - 1;
      continue;
    }
    const n = counts[k]!;
    const mark = start + k === 0 ? ' ← host listens' : '';
    out.push(`${at(k)} ${String(n).padStart(4)} ${'█'.repeat(Math.round((n / max) * BAR))}${mark}`);
  }
  return out.join('\n');
}

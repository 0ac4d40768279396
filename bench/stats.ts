/** Order statistics over repeated runs and latency samples. */

/** The value at quantile q (0..1) by nearest rank; NaN for no samples. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

export function median(samples: readonly number[]): number {
  return quantile(samples, 0.5);
}

/** "min–max" of the runs, for a figure's note. */
export function spread(samples: readonly number[], digits = 0): string {
  if (samples.length === 0) return 'no runs';
  // A loop, not Math.min(...samples): latency samples can outnumber the call stack's arguments.
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of samples) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return `${lo.toFixed(digits)}–${hi.toFixed(digits)}`;
}

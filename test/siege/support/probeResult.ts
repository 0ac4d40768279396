/** What the good member measured, and its percentiles. */
export interface ProbeResult {
  /** Milliseconds from start to welcome; null when it never got in. */
  joinMs: number | null;
  posted: number;
  acked: number;
  echoed: number;
  /** post -> ack and post -> own echo latencies, ms. */
  ackMs: number[];
  echoMs: number[];
  /** Times the session dropped after the welcome. */
  drops: number;
  /** Error codes the room answered. */
  problems: string[];
  /** Why it could not join, when it did not. */
  reason: string | null;
  ackP50: number | null;
  ackP95: number | null;
}

/** The value below which `p` of the sorted samples lie (nearest rank); null for none. */
export function percentile(samples: number[], p: number): number | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

/** Adds the percentiles to the probe's raw line. */
export function summarize(raw: Omit<ProbeResult, 'ackP50' | 'ackP95'>): ProbeResult {
  const r = (x: number | null) => (x === null ? null : Math.round(x));
  return {
    ...raw,
    joinMs: r(raw.joinMs),
    ackP50: r(percentile(raw.ackMs, 0.5)),
    ackP95: r(percentile(raw.ackMs, 0.95)),
  };
}

/** The good member's bound that every attack states: it gets in and chats with bounded latency. */
export const GOOD_MEMBER = {
  /** Joins within this long while the attack runs. */
  joinMs: 5_000,
  /** 95th percentile of post -> ack under attack. */
  ackP95Ms: 1_000,
} as const;

/** The checks of the good member's bound, for Siege.report. */
export function goodMemberChecks(p: ProbeResult): { what: string; ok: boolean }[] {
  return [
    {
      what: `a good member joins within ${GOOD_MEMBER.joinMs / 1000} s (took ${p.joinMs === null ? `never: ${p.reason}` : `${p.joinMs} ms`})`,
      ok: p.joinMs !== null && p.joinMs <= GOOD_MEMBER.joinMs,
    },
    {
      what: `every post of the good member is acknowledged (${p.acked}/${p.posted})`,
      ok: p.posted > 0 && p.acked === p.posted,
    },
    {
      what: `its p95 post->ack is under ${GOOD_MEMBER.ackP95Ms} ms (p50 ${p.ackP50} ms, p95 ${p.ackP95} ms)`,
      ok: p.ackP95 !== null && p.ackP95 < GOOD_MEMBER.ackP95Ms,
    },
  ];
}

/** A compact rendering of the probe for the report's `measured` column. */
export function describeProbe(p: ProbeResult): string {
  if (p.joinMs === null) return 'good member never joined';
  return `good member joined in ${p.joinMs} ms, ack p50/p95 ${p.ackP50}/${p.ackP95} ms (${p.acked}/${p.posted})`;
}

/**
 * What every benchmark reports. A figure is one row of docs/BENCHMARKS.md: our result, the
 * baseline measured in the same run (absolute times on a shared 2-core machine are noise; the
 * ratio is the figure), and the goal it is held to.
 */
export interface Figure {
  /** What is measured, as a sentence fragment: "Deliveries per second at saturation". */
  name: string;
  /** "ms", "deliveries/s", "KB", "µs/delivery"... */
  unit: string;
  /** Our result (a median over `runs` unless the name says otherwise). */
  ours: number;
  /** The same figure for the baseline, measured in the same run. */
  baseline?: { label: string; value: number };
  goal: Goal;
  /** How many runs the median is over. */
  runs: number;
  /** Anything a reader needs to read the number right (spread, what was excluded...). */
  note?: string;
}

/**
 * The goal a figure is held to. `atMost`/`atLeast` compare `ours` itself; `ratioAtMost`/
 * `ratioAtLeast` compare ours / baseline.value. `report` is a figure without a goal.
 */
export type Goal =
  | { kind: 'atMost'; value: number }
  | { kind: 'atLeast'; value: number }
  | { kind: 'ratioAtMost'; value: number }
  | { kind: 'ratioAtLeast'; value: number }
  | { kind: 'report' };

export interface BenchContext {
  /** Smaller sizes and fewer runs: checks the benchmark works, its numbers mean little. */
  quick: boolean;
  /** Progress for the person watching (stderr). */
  log(message: string): void;
}

export interface BenchResult {
  figures: Figure[];
  /** Markdown shown under the group's table: timelines, histograms, what stands in the way. */
  details?: string;
}

/** One benchmark group: a section of BENCHMARKS.md. */
export interface Bench {
  id: string;
  title: string;
  /** The whole group must finish in this time, or it is stopped and reported as failed. */
  timeoutMs: number;
  run(ctx: BenchContext): Promise<BenchResult>;
}

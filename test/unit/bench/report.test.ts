import { describe, expect, it } from 'vitest';
import {
  goalMet,
  json,
  markdown,
  num,
  ratioOf,
  type GroupOutcome,
  type Machine,
} from '../../../bench/report';
import { median, quantile, spread } from '../../../bench/stats';
import type { Figure } from '../../../bench/types';

const machine: Machine = {
  date: '2026-11-22T00:00:00.000Z',
  node: '24.0.0',
  cpus: 'Test CPU',
  cores: 2,
  memoryGiB: 24,
  quick: false,
};

function figure(over: Partial<Figure>): Figure {
  return {
    name: 'Deliveries per second',
    unit: 'deliveries/s',
    ours: 90,
    goal: { kind: 'report' },
    runs: 3,
    ...over,
  };
}

describe('benchmark statistics', () => {
  it('takes quantiles by nearest rank without reordering the samples', () => {
    const samples = [5, 1, 4, 2, 3];
    expect(median(samples)).toBe(3);
    expect(quantile(samples, 0.99)).toBe(5);
    expect(quantile(samples, 0)).toBe(1);
    expect(samples).toEqual([5, 1, 4, 2, 3]);
    expect(Number.isNaN(median([]))).toBe(true);
  });

  it('reports the spread of more samples than a call can take as arguments', () => {
    const many = Array.from({ length: 300_000 }, (_, i) => i);
    expect(spread(many)).toBe('0–299999');
  });
});

describe('benchmark goals', () => {
  it('divides ours by the baseline measured in the same run', () => {
    expect(ratioOf(figure({ ours: 90, baseline: { label: 'raw ws', value: 100 } }))).toBeCloseTo(0.9);
    expect(ratioOf(figure({ ours: 90 }))).toBeUndefined();
    expect(ratioOf(figure({ ours: 90, baseline: { label: 'raw ws', value: 0 } }))).toBeUndefined();
  });

  it('judges absolute and ratio goals, and leaves report-only figures unjudged', () => {
    const base = { baseline: { label: 'raw ws', value: 100 } };
    expect(goalMet(figure({ ours: 90, goal: { kind: 'atMost', value: 100 } }))).toBe(true);
    expect(goalMet(figure({ ours: 101, goal: { kind: 'atMost', value: 100 } }))).toBe(false);
    expect(goalMet(figure({ ours: 90, goal: { kind: 'atLeast', value: 100 } }))).toBe(false);
    expect(goalMet(figure({ ...base, ours: 80, goal: { kind: 'ratioAtLeast', value: 0.8 } }))).toBe(true);
    expect(goalMet(figure({ ...base, ours: 79, goal: { kind: 'ratioAtLeast', value: 0.8 } }))).toBe(false);
    expect(goalMet(figure({ ...base, ours: 151, goal: { kind: 'ratioAtMost', value: 1.5 } }))).toBe(false);
    expect(goalMet(figure({ ours: 80, goal: { kind: 'ratioAtLeast', value: 0.8 } }))).toBeUndefined();
    expect(goalMet(figure({ goal: { kind: 'report' } }))).toBeUndefined();
  });

  it('prints numbers with at most three significant figures', () => {
    expect(num(12_345.6)).toBe('12,346');
    expect(num(47.25)).toBe('47.3');
    expect(num(3.14159)).toBe('3.14');
    expect(num(0.01234)).toBe('0.012');
  });
});

describe('the benchmark report', () => {
  const outcomes: GroupOutcome[] = [
    {
      bench: { id: 'fanout', title: 'Host fan-out' },
      date: machine.date,
      seconds: 12,
      ok: true,
      result: {
        figures: [
          figure({
            ours: 80_000,
            baseline: { label: 'raw ws | TLS', value: 100_000 },
            goal: { kind: 'ratioAtLeast', value: 0.8 },
          }),
          figure({ name: 'p99 latency', unit: 'ms', ours: 90, goal: { kind: 'atMost', value: 50 } }),
        ],
        details: 'How it was measured.',
      },
    },
    {
      bench: { id: 'window', title: 'The window' },
      date: machine.date,
      seconds: 3,
      ok: false,
      error: 'no build',
    },
  ];

  it('lists every figure with its baseline, ratio, goal and verdict, and says which groups failed', () => {
    const md = markdown(machine, outcomes);
    expect(md).toContain('**1 of 2 goals met**; 1 group(s) did not finish: The window.');
    expect(md).toContain(
      '| Deliveries per second | 80,000 deliveries/s | 100,000 deliveries/s <br><sub>raw ws \\| TLS</sub> | 0.80× | ≥ 0.8× baseline | ✅ met | 3 |',
    );
    expect(md).toContain('| p99 latency | 90.0 ms | — | — | ≤ 50.0 ms | ❌ missed | 3 |');
    expect(md).toContain('How it was measured.');
    expect(md).toContain('**Did not finish** (3 s): no build');
  });

  it("writes the same results as JSON, with each figure's ratio and verdict, in the shape --only reads back", () => {
    const parsed = JSON.parse(json(machine, outcomes)) as {
      groups: {
        bench: { id: string };
        result?: { figures: { ratio?: number; met?: boolean }[] };
        error?: string;
      }[];
    };
    expect(parsed.groups.map((g) => g.bench.id)).toEqual(['fanout', 'window']);
    expect(parsed.groups[0]!.result!.figures[0]).toMatchObject({ ratio: 0.8, met: true });
    expect(parsed.groups[1]!.error).toBe('no build');
  });
});

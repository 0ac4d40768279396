import type { Bench, BenchResult, Figure, Goal } from './types';

/** How one group ended: its figures, or why it has none. */
export type GroupOutcome = { bench: Pick<Bench, 'id' | 'title'>; seconds: number; date: string } & (
  { ok: true; result: BenchResult } | { ok: false; error: string }
);

export interface Machine {
  date: string;
  node: string;
  cpus: string;
  cores: number;
  memoryGiB: number;
  quick: boolean;
}

/** ours / baseline, when there is a baseline to divide by. */
export function ratioOf(figure: Figure): number | undefined {
  const base = figure.baseline?.value;
  return base === undefined || base === 0 ? undefined : figure.ours / base;
}

/** Whether the figure meets its goal; undefined for figures without one (or without the numbers). */
export function goalMet(figure: Figure): boolean | undefined {
  const { goal } = figure;
  const ratio = ratioOf(figure);
  switch (goal.kind) {
    case 'atMost':
      return figure.ours <= goal.value;
    case 'atLeast':
      return figure.ours >= goal.value;
    case 'ratioAtMost':
      return ratio === undefined ? undefined : ratio <= goal.value;
    case 'ratioAtLeast':
      return ratio === undefined ? undefined : ratio >= goal.value;
    case 'report':
      return undefined;
  }
}

function goalText(goal: Goal, unit: string): string {
  switch (goal.kind) {
    case 'atMost':
      return `≤ ${num(goal.value)} ${unit}`;
    case 'atLeast':
      return `≥ ${num(goal.value)} ${unit}`;
    case 'ratioAtMost':
      return `≤ ${goal.value}× baseline`;
    case 'ratioAtLeast':
      return `≥ ${goal.value}× baseline`;
    case 'report':
      return '—';
  }
}

/** Three significant figures at most, without exponent noise. */
export function num(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 100) return Math.round(value).toLocaleString('en-US');
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(abs >= 1 ? 2 : 3);
}

function verdict(met: boolean | undefined): string {
  return met === undefined ? '' : met ? '✅ met' : '❌ missed';
}

function table(figures: Figure[]): string {
  const rows = figures.map((f) => {
    const ratio = ratioOf(f);
    const cells = [
      f.name + (f.note ? ` <br><sub>${f.note}</sub>` : ''),
      `${num(f.ours)} ${f.unit}`,
      f.baseline ? `${num(f.baseline.value)} ${f.unit} <br><sub>${f.baseline.label}</sub>` : '—',
      ratio === undefined ? '—' : `${ratio.toFixed(2)}×`,
      goalText(f.goal, f.unit),
      verdict(goalMet(f)),
      String(f.runs),
    ];
    return `| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
  });
  return [
    '| Figure | Parley | Baseline | Ratio | Goal | | Runs |',
    '| --- | --: | --: | --: | --- | --- | --: |',
    ...rows,
  ].join('\n');
}

/** docs/BENCHMARKS.md: one section per group, its table, then its details. */
export function markdown(machine: Machine, outcomes: GroupOutcome[]): string {
  const all = outcomes.flatMap((o) => (o.ok ? o.result.figures : []));
  const judged = all.map(goalMet).filter((m) => m !== undefined);
  const met = judged.filter(Boolean).length;
  const failed = outcomes.filter((o) => !o.ok);
  const parts = [
    '# Benchmarks',
    '',
    '<!-- Written by `npm run bench` (bench/run.ts); edit the benchmarks, not this file. -->',
    '',
    `Run ${machine.date} on ${machine.cores} × ${machine.cpus}, ${machine.memoryGiB} GiB, Node ${machine.node}` +
      (machine.quick ? ' — **quick run: small sizes, the numbers mean little**.' : '.'),
    'Absolute times on a shared 2-core machine are noise; each baseline is measured in the same run, and',
    'the ratio is the figure to read. Medians over the runs shown unless a figure says otherwise.',
    '',
    `**${met} of ${judged.length} goals met**` +
      (failed.length
        ? `; ${failed.length} group(s) did not finish: ${failed.map((f) => f.bench.title).join(', ')}.`
        : '.'),
    '',
  ];
  for (const o of outcomes) {
    parts.push(`## ${o.bench.title}`, '', `<sub>Run ${o.date}, ${o.seconds.toFixed(0)} s.</sub>`, '');
    if (o.ok) {
      parts.push(table(o.result.figures), '');
      if (o.result.details) parts.push(o.result.details.trim(), '');
    } else {
      parts.push(`**Did not finish** (${o.seconds.toFixed(0)} s): ${o.error}`, '');
    }
  }
  return parts.join('\n');
}

/** docs/benchmarks.json: the same results for machines (and for comparing runs over time). */
export function json(machine: Machine, outcomes: GroupOutcome[]): string {
  return JSON.stringify(
    {
      machine,
      groups: outcomes.map((o) => ({
        ...o,
        ...(o.ok && {
          result: {
            ...o.result,
            figures: o.result.figures.map((f) => ({ ...f, ratio: ratioOf(f), met: goalMet(f) })),
          },
        }),
      })),
    },
    null,
    2,
  );
}

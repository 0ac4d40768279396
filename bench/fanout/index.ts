/**
 * Host fan-out (issue 5): how many deliveries per second one Parley host sustains to a room of
 * 1,000 members, how late they arrive at a moderate rate, and what an idle member costs, each
 * against a minimal https + ws broadcast server driven by the same clients in the same run.
 */
import { createIdentity } from '../../src/core/identity/createIdentity';
import { median, spread } from '../stats';
import type { Bench, BenchContext, BenchResult, Figure } from '../types';
import { details, scaleDetails } from './details';
import { TEXT_CHARS } from './ipc';
import { runOnce, type RunPlan, type RunResult } from './runOnce';

const FULL: RunPlan & { runs: number } = {
  members: 1_000,
  senders: 10,
  moderateRate: 20,
  inFlight: 32,
  phaseMs: 5_000,
  warmupMs: 1_500,
  runs: 5,
};

/**
 * The scale point (issue 9): a room of 5,000, against hashrocket's websocket-shootout anchor
 * (ws broadcast p95 172 ms at 5,000 clients). The moderate rate keeps the deliveries per second
 * of the 1,000-member plan (4 x 4,999 ~ 20 x 999), so the two latency figures are comparable;
 * fewer runs (3, an odd number, so the median is one run's), since each fills a room five times
 * the size.
 */
const SCALE: RunPlan & { runs: number } = {
  members: 5_000,
  senders: 10,
  moderateRate: 4,
  inFlight: 32,
  phaseMs: 5_000,
  warmupMs: 1_500,
  runs: 3,
};

const QUICK: RunPlan & { runs: number } = {
  members: 100,
  senders: 4,
  moderateRate: 20,
  inFlight: 32,
  phaseMs: 2_000,
  warmupMs: 500,
  runs: 1,
};

export const fanout: Bench = {
  id: 'fanout',
  title: 'Host fan-out',
  timeoutMs: 20 * 60_000,
  async run(ctx: BenchContext): Promise<BenchResult> {
    const tls = await createIdentity();
    const plans = ctx.quick ? [QUICK] : [FULL, SCALE];
    const outcomes: { plan: RunPlan & { runs: number }; parley: RunResult[]; ws: RunResult[] }[] = [];
    for (const plan of plans) {
      const parley: RunResult[] = [];
      const ws: RunResult[] = [];
      // Alternating, so a slow spell of the shared machine falls on both hosts alike.
      for (let run = 1; run <= plan.runs; run++) {
        for (const kind of ['ws', 'parley'] as const) {
          const result = await runOnce(kind, plan, tls);
          (kind === 'parley' ? parley : ws).push(result);
          ctx.log(`${plan.members} members, run ${run}/${plan.runs} ${kind}: ${summary(result)}`);
        }
      }
      outcomes.push({ plan, parley, ws });
    }
    const [first, ...rest] = outcomes;
    return {
      figures: [
        ...figures(first!.plan, first!.parley, first!.ws),
        ...rest.flatMap((o) => scaleFigures(o.plan, o.parley, o.ws)),
      ],
      details:
        details(first!.plan, first!.parley, first!.ws, TEXT_CHARS) +
        rest.map((o) => scaleDetails(o.plan, o.parley, o.ws)).join(''),
    };
  },
};

function summary(r: RunResult): string {
  const m = r.moderate;
  const s = r.saturation;
  return (
    `heap ${r.heapPerMember.toFixed(1)} KB/member, rss ${r.rssPerMember.toFixed(1)} KB/member; ` +
    `moderate ${m.deliveriesPerS.toFixed(0)}/s p50 ${m.p50.toFixed(1)} p99 ${m.p99.toFixed(1)} ms ` +
    `${m.cpuPerDelivery.toFixed(2)} µs/delivery; saturation ${s.deliveriesPerS.toFixed(0)}/s ` +
    `${s.cpuPerDelivery.toFixed(2)} µs/delivery p50 ${s.p50.toFixed(0)} ms, skipped ${s.skipped}, closed ${s.closed + m.closed}`
  );
}

/** Makes the figures of one plan: Parley's median against the baseline's, over its runs. */
function figureMaker(plan: RunPlan & { runs: number }, parley: RunResult[], ws: RunResult[]) {
  const runs = plan.runs;
  return (
    name: string,
    unit: string,
    pick: (r: RunResult) => number,
    goal: Figure['goal'],
    digits: number,
    note = '',
  ): Figure => {
    const ours = parley.map(pick);
    const base = ws.map(pick);
    return {
      name,
      unit,
      ours: median(ours),
      baseline: { label: 'minimal https + ws broadcast', value: median(base) },
      goal,
      runs,
      note: `${note}Parley runs ${spread(ours, digits)}, baseline ${spread(base, digits)}`,
    };
  };
}

function figures(plan: RunPlan & { runs: number }, parley: RunResult[], ws: RunResult[]): Figure[] {
  const m = `${plan.members.toLocaleString('en-US')} members`;
  const figure = figureMaker(plan, parley, ws);
  return [
    saturationFigure(figure, plan, 'host and clients share 2 cores. '),
    figure(
      'Host CPU per delivery at saturation',
      'µs',
      (r) => r.saturation.cpuPerDelivery,
      { kind: 'report' },
      2,
      'host process user + system time / deliveries: the host’s own cost. ',
    ),
    figure(
      `p50 delivery latency at ${plan.moderateRate} posts/s`,
      'ms',
      (r) => r.moderate.p50,
      { kind: 'report' },
      1,
      `${(plan.moderateRate * (plan.members - 1)).toLocaleString('en-US')} deliveries/s. `,
    ),
    figure(
      `p99 delivery latency at ${plan.moderateRate} posts/s`,
      'ms',
      (r) => r.moderate.p99,
      { kind: 'ratioAtMost', value: 1.5 },
      1,
      'anchor: ws broadcast p95 47 ms at 1,000 clients (websocket-shootout). ',
    ),
    figure(
      'Host CPU per delivery at the moderate rate',
      'µs',
      (r) => r.moderate.cpuPerDelivery,
      { kind: 'report' },
      2,
    ),
    figure(
      `Host heap per idle member, ${m}`,
      'KB',
      (r) => r.heapPerMember,
      { kind: 'atMost', value: 16 },
      1,
      'after a full GC, room full vs empty. ',
    ),
    figure(
      `Host RSS per idle member, ${m}`,
      'KB',
      (r) => r.rssPerMember,
      { kind: 'ratioAtMost', value: 1.5 },
      1,
      'includes TLS state and what filling the room left behind (see below). ',
    ),
  ];
}

/** Deliveries per second at saturation, the figure both plans lead with. */
function saturationFigure(
  figure: ReturnType<typeof figureMaker>,
  plan: RunPlan & { runs: number },
  more = '',
): Figure {
  return figure(
    `Deliveries per second at saturation, ${plan.members.toLocaleString('en-US')} members`,
    'deliveries/s',
    (r) => r.saturation.deliveriesPerS,
    { kind: 'ratioAtLeast', value: 0.8 },
    0,
    `closed loop, ${plan.inFlight} posts in flight per client process${more ? '; ' + more : '. '}`,
  );
}

/** The figures of the 5,000-member scale point. */
function scaleFigures(plan: RunPlan & { runs: number }, parley: RunResult[], ws: RunResult[]): Figure[] {
  const m = `${plan.members.toLocaleString('en-US')} members`;
  const figure = figureMaker(plan, parley, ws);
  return [
    saturationFigure(figure, plan),
    figure(
      `p99 delivery latency at ${plan.moderateRate} posts/s, ${m}`,
      'ms',
      (r) => r.moderate.p99,
      { kind: 'ratioAtMost', value: 1.5 },
      1,
      `${(plan.moderateRate * (plan.members - 1)).toLocaleString('en-US')} deliveries/s; anchor: ws broadcast p95 172 ms at 5,000 clients (websocket-shootout). `,
    ),
    figure(`Host RSS per idle member, ${m}`, 'KB', (r) => r.rssPerMember, { kind: 'report' }, 1),
    figure(
      `Time to fill the room, ${m}`,
      's',
      (r) => r.fillMs / 1000,
      { kind: 'report' },
      1,
      'every member connects (TLS, hello, welcome), 25 at a time per client process. ',
    ),
  ];
}

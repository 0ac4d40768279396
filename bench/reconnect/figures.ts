/** The reconnect table: per scenario, ours against the baseline; then the herd figure. */
import { median, spread } from '../stats';
import type { Figure } from '../types';
import { SCENARIOS, SCHEDULES, type Results } from './schedules';
import { peakAfterListen, type Restart } from './timeline';

const drained = (rs: Restart[]) => rs.map((r) => r.drainedAt - r.listeningAt);
const label = (id: string) => SCHEDULES.find((s) => s.id === id)!.label;

export function figures(res: Results, members: number): Figure[] {
  const out: Figure[] = [];
  for (const scenario of SCENARIOS) {
    const pick = (rs: Restart[]) => rs.filter((r) => r.scenario === scenario.label);
    const ours = pick(res.ours);
    const back = ours.map((r) => r.allBackAt - r.listeningAt);
    const down = ours.map((r) => r.listeningAt - r.killedAt);
    out.push({
      name: `Host ${scenario.label} → all ${members} members back and outboxes drained`,
      unit: 'ms',
      ours: median(drained(ours)),
      baseline: { label: label('baseline'), value: median(drained(pick(res.baseline))) },
      goal: { kind: 'atMost', value: 2000 },
      runs: ours.length,
      note: `from the restarted host's "listening" line; runs ${spread(drained(ours))} ms; all welcomed after ${spread(back)} ms; host away ${spread(down)} ms`,
    });
    const before = pick(res.doubling);
    if (before.length) {
      out.push({
        name: `The same, ${label('doubling')}`,
        unit: 'ms',
        ours: median(drained(before)),
        baseline: { label: label('baseline'), value: median(drained(pick(res.baseline))) },
        goal: { kind: 'report' },
        runs: before.length,
        note: `the schedule without the restart window, for comparison; runs ${spread(drained(before))} ms`,
      });
    }
  }
  const peak = res.ours.map(peakAfterListen);
  const basePeak = res.baseline.map(peakAfterListen);
  out.push({
    name: 'Busiest 100 ms of connection attempts after the host listens again',
    unit: 'attempts',
    ours: median(peak),
    baseline: { label: label('baseline'), value: median(basePeak) },
    goal: { kind: 'report' },
    runs: peak.length,
    note: `of ${members} members, over all scenarios; runs ${spread(peak)}`,
  });
  return out;
}

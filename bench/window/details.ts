import { cpus } from 'node:os';
import type { BundleSize } from './bundle';
import type { OpenTiming, ScrollResult } from './probe';
import type { MainThreadTasks } from './trace';

interface Measured {
  longOpens: OpenTiming[];
  shortOpens: OpenTiming[];
  scrollRuns: (ScrollResult & { trace: MainThreadTasks })[];
  seedSeconds: number;
  /** The machine's 1-minute load average when the measuring ended. */
  load: number;
  bundle: BundleSize;
  long: number;
  short: number;
  scrollThrough: number;
  pxPerFrame: number;
}

const f1 = (n: number) => n.toFixed(1);

/** The markdown under the group's table: how it was measured, and the raw runs. */
export function explain(m: Measured): string {
  const lines: string[] = [];
  lines.push(
    `Two headless hosts (\`src/cli/host.ts --no-advertise\`, the real CLI) run over host.db files seeded in one transaction ` +
      `(${m.long.toLocaleString('en')} and ${m.short} messages; seeding took ${f1(m.seedSeconds)} s); a test agent (a whole ChatApp, ` +
      `discovery off) joins them at 127.0.0.1, and Debian's Chromium runs the built renderer bound to it exactly as the e2e tests do ` +
      `(1100x720). No mDNS, loopback only. Each open is done the way a person does it: type the address, "Join by address", ` +
      `then the measured click on "Join"; the room is left again between opens, and the two rooms alternate. The first open ` +
      `of each (certificate pinning, JIT warm-up) is not counted.`,
    '',
    `The scroll: right after opening the long room, the list is scrolled up ${m.pxPerFrame} px every animation frame until ` +
      `message ${(m.long - m.scrollThrough).toLocaleString('en')} is on screen: ${m.scrollThrough.toLocaleString('en')} messages, ` +
      `which the list fetches as it nears the top, page after page, without a click.`,
    '',
    '| open | click → session event (ms) | session event → painted (ms) | click → painted (ms) |',
    '| --- | ---: | ---: | ---: |',
  );
  for (const [label, runs] of [
    [`${m.long.toLocaleString('en')} messages`, m.longOpens],
    [`${m.short} messages`, m.shortOpens],
  ] as const) {
    for (const r of runs) {
      const toSession = r.session === null ? '–' : f1(r.session - r.click);
      const render = r.session === null ? '–' : f1(r.paint - r.session);
      lines.push(`| ${label} | ${toSession} | ${render} | ${f1(r.paint - r.click)} |`);
    }
  }
  lines.push(
    '',
    `A long task is wall time, and this machine is shared: the 1-minute load average was ${f1(m.load)} on ` +
      `${cpus().length} cores when the measuring ended. The trace's thread time says how much of each long task was ` +
      'the window working, and how much it waited for a core.',
    '',
    '| scroll | frames | ms | long tasks: wall / CPU (ms) | most CPU in one task (ms) | most list items |',
    '| ---: | ---: | ---: | --- | ---: | ---: |',
  );
  m.scrollRuns.forEach((r, i) => {
    const long = r.trace.long.map((t) => `${f1(t.wallMs)} / ${f1(t.cpuMs)}`).join(', ') || 'none';
    lines.push(
      `| ${i + 1} | ${r.frames} | ${f1(r.ms)} | ${long} | ${f1(r.trace.mostCpuMs)} | ${r.mostNodes} |`,
    );
  });
  lines.push('', '| file | bytes | gzipped |', '| --- | ---: | ---: |');
  for (const file of m.bundle.files) lines.push(`| ${file.path} | ${file.raw} | ${file.gzip} |`);
  return lines.join('\n');
}

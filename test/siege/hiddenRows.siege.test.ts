import { describe, expect, it } from 'vitest';
import { requireNetnsOrSkip } from '../lan/netns';
import { describeProbe, goodMemberChecks } from './support/probeResult';
import { seedHiddenRows } from './support/seed';
import { scaled, Siege } from './support/siege';

const canRun = requireNetnsOrSkip();

describe.skipIf(!canRun)('siege 6: hidden rows make history reads expensive', () => {
  it('keeps a good member chatting while 4 members page at the allowed rate over 100,000 private rows they cannot see', async () => {
    const hidden = 100_000;
    const s = await Siege.start({ seed: (dir) => seedHiddenRows(dir, 'Siege', hidden, 200) });
    const durationMs = scaled({ short: 6_000, full: 60_000 });
    const attack = s.run('hiddenFetch', [
      ...s.targetArgs(),
      '--fetchers',
      '4',
      '--every-ms',
      '50',
      '--duration-ms',
      String(durationMs),
      '--max-ms',
      String(durationMs + 30_000),
    ]);
    await attack.next('engaged', 30_000);
    s.meter.mark();
    const probe = await s.probe({ posts: Math.floor((durationMs - 2_000) / 250), everyMs: 250 });
    const done = await attack.next<{ sent: number; pages: number; refused: Record<string, number> }>(
      'done',
      durationMs + 30_000,
    );
    const host = s.meter.stop();
    const checks = goodMemberChecks(probe);
    s.report(
      {
        attack: '6 hidden rows',
        holds: `4 fetchers at 20/s over ${hidden.toLocaleString('en')} hidden rows leave a good member's p95 ack < 1 s (joins within 5 s)`,
        measured: `${done.pages} pages served of ${done.sent} asked, host CPU ${host.cpuPct} %; ${describeProbe(probe)}`,
        figures: { hidden, done, probe },
      },
      checks,
    );
    for (const c of checks) expect(c.ok, c.what).toBe(true);
  });
});

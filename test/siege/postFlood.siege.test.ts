import { describe, expect, it } from 'vitest';
import { requireNetnsOrSkip } from '../lan/netns';
import { describeProbe, goodMemberChecks } from './support/probeResult';
import { scaled, Siege } from './support/siege';

const canRun = requireNetnsOrSkip();

/** The documented post rate (docs/PROTOCOL.md, "Limits and abuse"): a burst of 20, then 5 a second. */
const BURST = 20;
const PER_SECOND = 5;

describe.skipIf(!canRun)('siege 7: post flood by one reconnecting identity', () => {
  it('holds one identity to the documented post rate however often it reconnects', async () => {
    const s = await Siege.start();
    const durationMs = scaled({ short: 5_000, full: 60_000 });
    const attack = s.run('postFlood', [
      ...s.targetArgs(),
      '--duration-ms',
      String(durationMs),
      '--max-ms',
      String(durationMs + 30_000),
    ]);
    await attack.next('engaged', 30_000);
    s.meter.mark();
    const probe = await s.probe({ posts: scaled({ short: 8, full: 40 }), everyMs: 250 });
    const done = await attack.next<{
      acked: number;
      seconds: number;
      postsPerSecond: number;
      sessions: number;
    }>('done', durationMs + 30_000);
    const host = s.meter.stop();
    // 10 % over the bucket for timing at the edges of the window.
    const allowed = Math.ceil((BURST + PER_SECOND * done.seconds) * 1.1);
    const checks = [
      {
        what: `one identity gets at most ${allowed} posts stored in ${done.seconds.toFixed(1)} s (burst ${BURST} + ${PER_SECOND}/s; got ${done.acked}, ${done.postsPerSecond}/s over ${done.sessions} sessions)`,
        ok: done.acked <= allowed,
      },
      ...goodMemberChecks(probe),
    ];
    s.report(
      {
        attack: '7 post flood, reconnecting',
        holds: `one identity stores at most ${BURST} + ${PER_SECOND}/s posts across reconnects; good member joins within 5 s, p95 ack < 1 s`,
        measured: `${done.postsPerSecond} posts/s stored (${done.acked} in ${done.seconds.toFixed(1)} s), db +${(host.dbGrowthMB / host.seconds).toFixed(1)} MB/s; ${describeProbe(probe)}`,
        figures: { done, probe, dbGrowthMBPerSecond: host.dbGrowthMB / host.seconds },
      },
      checks,
    );
    for (const c of checks) expect(c.ok, c.what).toBe(true);
  });
});

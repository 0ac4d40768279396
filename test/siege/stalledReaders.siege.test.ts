import { describe, expect, it } from 'vitest';
import { requireNetnsOrSkip } from '../lan/netns';
import { describeProbe, goodMemberChecks } from './support/probeResult';
import { seedGroupMessages } from './support/seed';
import { scaled, Siege } from './support/siege';

const canRun = requireNetnsOrSkip();

/** Host memory the stalled readers may cost, above what it used before they came (MB). */
const MAX_RSS_DELTA_MB = 256;
/** 8,000 characters of 3 UTF-8 bytes each: a page of 200 is ~4.8 MB, a welcome of 50 ~1.2 MB. */
const FULL_TEXT = '中'.repeat(8_000);

describe.skipIf(!canRun)('siege 5: stalled readers', () => {
  it('keeps host memory within 256 MB of idle while members fetch full pages and stop reading', async () => {
    const s = await Siege.start({ seed: (dir) => seedGroupMessages(dir, 'Siege', 400, FULL_TEXT) });
    const members = scaled({ short: 60, full: 500 });
    const { ipv4 } = await s.lan.addAddresses('attacker', { ipv4: 40 });
    // The attacker's own kernel takes little: what it does not read stays with the host.
    await s.sysctl('attacker', 'net.ipv4.tcp_rmem', '4096 16384 65536');
    const attack = s.run('stalledReaders', [
      ...s.targetArgs(),
      '--members',
      String(members),
      '--v4',
      ipv4.join(','),
      '--quiet-ms',
      String(scaled({ short: 3_000, full: 10_000 })),
      '--max-ms',
      String(scaled({ short: 70_000, full: 240_000 })),
    ]);
    s.meter.mark();
    const engaged = await attack.next<{ stalled: number; alive: number; refused: Record<string, number> }>(
      'engaged',
      scaled({ short: 60_000, full: 180_000 }),
    );
    const probe = await s.probe({ posts: scaled({ short: 8, full: 40 }), everyMs: 250 });
    attack.child.kill('SIGTERM');
    const done = await attack.next<{ alive: number; closes: Record<string, number> }>('done', 20_000);
    const host = s.meter.stop();
    const delta = host.rssPeakMB - host.rssIdleMB;
    const checks = [
      {
        what: `host RSS peak within ${MAX_RSS_DELTA_MB} MB of idle (${host.rssIdleMB} -> ${host.rssPeakMB} MB, +${delta.toFixed(0)} MB)`,
        ok: delta <= MAX_RSS_DELTA_MB,
      },
      ...goodMemberChecks(probe),
    ];
    s.report(
      {
        attack: '5 stalled readers',
        holds: `${members} members that fetch a full page (~4.8 MB) and stop reading cost the host <= ${MAX_RSS_DELTA_MB} MB RSS; good member joins within 5 s, p95 ack < 1 s`,
        measured: `${engaged.stalled} stalled (refused ${JSON.stringify(engaged.refused)}; ${engaged.alive} held after the quiet spell, ${done.alive} at the end): RSS +${delta.toFixed(0)} MB; ${describeProbe(probe)}`,
        figures: { members, engaged, done, probe },
      },
      checks,
    );
    for (const c of checks) expect(c.ok, c.what).toBe(true);
  });
});

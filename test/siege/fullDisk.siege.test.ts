import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { requireNetnsOrSkip } from '../lan/netns';
import { describeProbe, goodMemberChecks } from './support/probeResult';
import { scaled, Siege } from './support/siege';

const canRun = requireNetnsOrSkip();

/** Host memory a full disk may cost above idle (MB): the overflow is bounded in bytes. */
const MAX_RSS_DELTA_MB = 100;
/** Acknowledged posts a crash may lose with the disk full: at most 1 MiB of them. */
const CHARS = 8_000;
const MAX_LOST = Math.floor((1024 * 1024) / CHARS);

describe.skipIf(!canRun)('siege 8: full disk', () => {
  it('refuses posts with a code once the disk is full, instead of acknowledging them into memory', async () => {
    const s = await Siege.start({
      tmpfsMB: scaled({ short: 8, full: 30 }),
      // The disk is under test, not the rate or the daily quota: let one member write as fast
      // and as much as it can (at the full scale the default 20 MB a day stopped the filler
      // with QUOTA_EXCEEDED before the 30 MB disk was full, so the disk went untested).
      hostArgs: [
        '--post-rate',
        '100000',
        '--post-burst',
        '100000',
        '--daily-posts',
        '1000000',
        '--daily-bytes',
        '100GB',
      ],
    });
    const durationMs = scaled({ short: 5_000, full: 45_000 });
    const attack = s.run('diskFill', [
      ...s.targetArgs(),
      '--duration-ms',
      String(durationMs),
      '--chars',
      String(CHARS),
      '--max-ms',
      String(durationMs + 30_000),
    ]);
    await attack.next('engaged', 30_000);
    s.meter.mark();
    const probe = await s.probe({ posts: 8, everyMs: 250 });
    const done = await attack.next<{
      acked: number;
      ackedAfterRefusal: number;
      refused: Record<string, number>;
      firstRefusalMs: number | null;
      ackedPerSecond: number;
    }>('done', durationMs + 30_000);
    const host = s.meter.stop();
    await s.crashHost();
    const db = new DatabaseSync(join(s.host.dataDir, 'host.db'), { readOnly: true });
    const stored = (
      db.prepare("SELECT COUNT(*) AS n FROM messages WHERE from_nick = 'Filler'").get() as { n: number }
    ).n;
    db.close();
    const lost = done.acked - stored;
    const delta = host.rssPeakMB - host.rssIdleMB;
    const checks = [
      {
        what: `posts are refused with STORAGE_FULL once the disk is full (refused ${JSON.stringify(done.refused)}, first after ${done.firstRefusalMs} ms)`,
        ok: (done.refused.STORAGE_FULL ?? 0) > 0,
      },
      {
        what: `host RSS within ${MAX_RSS_DELTA_MB} MB of idle (+${delta.toFixed(0)} MB)`,
        ok: delta <= MAX_RSS_DELTA_MB,
      },
      {
        what: `a crash loses at most ${MAX_LOST} acknowledged posts (1 MiB; acked ${done.acked}, on disk ${stored}, lost ${lost})`,
        ok: lost <= MAX_LOST,
      },
      ...goodMemberChecks(probe),
    ];
    s.report(
      {
        attack: '8 full disk',
        holds: `with the data folder on a full ${scaled({ short: 8, full: 30 })} MB tmpfs posts are refused with STORAGE_FULL, RSS <= +${MAX_RSS_DELTA_MB} MB, a crash loses <= 1 MiB of acknowledged posts`,
        measured: `${done.acked} acked (${done.ackedAfterRefusal} after the first refusal), ${stored} on disk after a crash, refused ${JSON.stringify(done.refused)}, RSS +${delta.toFixed(0)} MB; ${describeProbe(probe)}`,
        figures: { done, stored, lost, probe },
      },
      checks,
    );
    for (const c of checks) expect(c.ok, c.what).toBe(true);
  });
});

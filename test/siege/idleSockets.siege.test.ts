import { describe, expect, it } from 'vitest';
import { requireNetnsOrSkip } from '../lan/netns';
import { describeProbe, goodMemberChecks } from './support/probeResult';
import { scaled, Siege } from './support/siege';

const canRun = requireNetnsOrSkip();

describe.skipIf(!canRun)('siege 1: idle sockets', () => {
  it('lets a good member join and chat while one address holds 1,100 sockets that never send a ClientHello', async () => {
    const s = await Siege.start();
    const sockets = 1_100;
    const attack = s.run('idleSockets', [
      ...s.targetArgs(),
      '--sockets',
      String(sockets),
      '--max-ms',
      String(scaled({ short: 40_000, full: 150_000 })),
    ]);
    const engaged = await attack.next('engaged', 30_000);
    s.meter.mark();
    const probe = await s.probe({ posts: scaled({ short: 8, full: 60 }), everyMs: 250 });
    attack.child.kill('SIGTERM');
    const done = await attack.next('done', 15_000);
    const checks = goodMemberChecks(probe);
    s.report(
      {
        attack: '1 idle sockets',
        holds:
          'a good member joins within 5 s and gets p95 ack < 1 s while one address holds 1,100 silent TCP sockets',
        measured: `attacker held ${String(engaged.open)} sockets; ${describeProbe(probe)}`,
        figures: { sockets, engaged, done, probe },
      },
      checks,
    );
    for (const c of checks) expect(c.ok, c.what).toBe(true);
  });
});

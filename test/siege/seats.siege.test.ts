import { describe, expect, it } from 'vitest';
import { requireNetnsOrSkip } from '../lan/netns';
import { describeProbe, goodMemberChecks } from './support/probeResult';
import { scaled, Siege } from './support/siege';

const canRun = requireNetnsOrSkip();

/** The host's default room size (docs/PROTOCOL.md, "Limits and abuse"). */
const MAX_MEMBERS = 500;

describe.skipIf(!canRun)('siege 4: one address takes every seat', () => {
  it('keeps seats for others when one address sends 520 hellos with fresh identities', async () => {
    const s = await Siege.start();
    const hellos = 520;
    const attack = s.run('seats', [
      ...s.targetArgs(),
      '--hellos',
      String(hellos),
      '--max-ms',
      String(scaled({ short: 60_000, full: 120_000 })),
    ]);
    s.meter.mark();
    const engaged = await attack.next<{ seats: number; refused: Record<string, number>; ms: number }>(
      'engaged',
      60_000,
    );
    const probe = await s.probe({ posts: scaled({ short: 8, full: 40 }), everyMs: 250 });
    attack.child.kill('SIGTERM');
    await attack.next('done', 15_000);
    const checks = [
      {
        what: `one address holds fewer than the room's ${MAX_MEMBERS} seats (held ${engaged.seats} of ${hellos} asked)`,
        ok: engaged.seats < MAX_MEMBERS,
      },
      ...goodMemberChecks(probe),
    ];
    s.report(
      {
        attack: '4 seats from one address',
        holds: `one address cannot take all ${MAX_MEMBERS} seats; a good member joins within 5 s, p95 ack < 1 s`,
        measured: `attacker got ${engaged.seats} seats in ${engaged.ms} ms (refused ${JSON.stringify(engaged.refused)}); ${describeProbe(probe)}`,
        figures: { hellos, engaged, probe },
      },
      checks,
    );
    for (const c of checks) expect(c.ok, c.what).toBe(true);
  });
});

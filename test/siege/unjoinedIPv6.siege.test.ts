import { describe, expect, it } from 'vitest';
import { requireNetnsOrSkip } from '../lan/netns';
import { describeProbe, goodMemberChecks } from './support/probeResult';
import { scaled, Siege } from './support/siege';

const canRun = requireNetnsOrSkip();

describe.skipIf(!canRun)('siege 9: many IPv6 addresses x unjoined connections', () => {
  it('lets a good member in while 70 IPv6 addresses each hold 15 connections that never say hello', async () => {
    // Listening on every address: the attack comes over IPv6.
    const s = await Siege.start({ hostArgs: ['--bind', '::'] });
    const addresses = 70;
    const perAddress = 15;
    const { ipv6 } = await s.lan.addAddresses('attacker', { ipv6: addresses });
    const attack = s.run('unjoined', [
      ...s.targetArgs(),
      '--v6',
      '--addresses',
      ipv6.join(','),
      '--per-address',
      String(perAddress),
      '--max-ms',
      String(scaled({ short: 45_000, full: 150_000 })),
    ]);
    const engaged = await attack.next<{ open: number }>('engaged', 40_000);
    s.meter.mark();
    const probe = await s.probe({ posts: scaled({ short: 8, full: 60 }), everyMs: 250 });
    attack.child.kill('SIGTERM');
    const done = await attack.next<{ upgraded: number; refused: Record<string, number> }>('done', 15_000);
    const checks = [
      // An attack that never got through measured nothing: the host must be reachable over IPv6.
      {
        what: `the attacker reached the host over IPv6 (${done.upgraded} WebSockets opened)`,
        ok: done.upgraded > 0,
      },
      ...goodMemberChecks(probe),
    ];
    s.report(
      {
        attack: '9 IPv6 x unjoined',
        holds: `${addresses} IPv6 addresses x ${perAddress} unjoined sockets cannot keep a good member out (joins within 5 s, p95 ack < 1 s)`,
        measured: `attacker held ${engaged.open} unjoined WebSockets (refused ${JSON.stringify(done.refused)}); ${describeProbe(probe)}`,
        figures: { addresses, perAddress, engaged, done, probe },
      },
      checks,
    );
    for (const c of checks) expect(c.ok, c.what).toBe(true);
  });
});

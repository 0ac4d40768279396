import { describe, expect, it } from 'vitest';
import { requireNetnsOrSkip } from '../lan/netns';
import { describeProbe, goodMemberChecks } from './support/probeResult';
import { scaled, Siege } from './support/siege';

const canRun = requireNetnsOrSkip();

/** Wrong passcodes the host may check in any minute, room-wide, whatever the addresses. */
const MAX_CHECKED_PER_MINUTE = 60;
const PASSCODE = 'siege-right-passcode';

describe.skipIf(!canRun)('siege 2: passcode guessing by address rotation', () => {
  it('checks at most 60 wrong passcodes a minute room-wide when they come from 40 IPv4 and many IPv6 addresses, and tells the host', async () => {
    // Listening on every address, IPv6 included: the guesses come over both.
    const s = await Siege.start({ hostArgs: ['--passcode', PASSCODE, '--bind', '::'] });
    const v6count = scaled({ short: 200, full: 1_880 });
    const { ipv4, ipv6 } = await s.lan.addAddresses('attacker', { ipv4: 40, ipv6: v6count });
    // At most a minute: then every wrong passcode checked falls in one minute.
    const durationMs = scaled({ short: 6_000, full: 60_000 });
    const printedBefore = s.host.printed.length;
    const attack = s.run('passcodeGuess', [
      ...s.targetArgs(),
      '--v4',
      ipv4.join(','),
      '--v6',
      ipv6.join(','),
      '--duration-ms',
      String(durationMs),
      '--max-ms',
      String(durationMs + 30_000),
    ]);
    await attack.next('engaged', 30_000);
    s.meter.mark();
    const probe = await s.probe({ passcode: PASSCODE, posts: scaled({ short: 8, full: 40 }), everyMs: 250 });
    const done = await attack.next<{
      checked: number;
      attempts: number;
      answers: Record<string, number>;
      seconds: number;
      checkedPerMinute: number;
    }>('done', durationMs + 30_000);
    const told = s.host.printed.slice(printedBefore).filter((l) => /passcode|guess/i.test(l));
    const checks = [
      {
        what: `at most ${MAX_CHECKED_PER_MINUTE} wrong passcodes checked in ${done.seconds.toFixed(1)} s from ${ipv4.length + ipv6.length} addresses (checked ${done.checked} of ${done.attempts}; ${JSON.stringify(done.answers)})`,
        ok: done.checked <= MAX_CHECKED_PER_MINUTE,
      },
      {
        what: `the host says the room is under guessing (${told.length} lines: ${JSON.stringify(told.slice(0, 2))})`,
        ok: told.length > 0,
      },
      ...goodMemberChecks(probe),
    ];
    s.report(
      {
        attack: '2 passcode rotation',
        holds: `<= ${MAX_CHECKED_PER_MINUTE} wrong passcodes checked per minute room-wide from 40 IPv4 + ${v6count} IPv6 addresses; the host is told; the right passcode joins within 5 s`,
        measured: `${done.checked} wrong passcodes checked in ${done.seconds.toFixed(1)} s (${done.checkedPerMinute}/min), host told: ${told.length > 0 ? 'yes' : 'no'}; ${describeProbe(probe)}`,
        figures: { v4: ipv4.length, v6: ipv6.length, done, told, probe },
      },
      checks,
    );
    for (const c of checks) expect(c.ok, c.what).toBe(true);
  });
});

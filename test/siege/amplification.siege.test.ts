import { describe, expect, it } from 'vitest';
import { requireNetnsOrSkip } from '../lan/netns';
import { Siege } from './support/siege';

const canRun = requireNetnsOrSkip();

/** Responses one query may draw (one answer; a second if an announcement happens to coincide). */
const MAX_RESPONSES = 2;

describe.skipIf(!canRun)('siege 12: mDNS amplification', () => {
  it('answers a query that repeats its question 200 times with at most 2 responses', async () => {
    const s = await Siege.start({ advertise: true });
    s.meter.mark();
    const attack = s.run('mdnsSpoof', [
      ...s.targetArgs(),
      '--mode',
      'amplify',
      '--me',
      s.lan.machines.attacker!.address,
      '--repeat',
      '200',
      '--listen-ms',
      '3000',
      '--max-ms',
      '30000',
    ]);
    const done = await attack.next<{ responses: number; responseBytes: number; unsolicitedBefore: number }>(
      'done',
      30_000,
    );
    const checks = [
      // A responder that went quiet would pass the bound and break discovery: it must still answer.
      {
        what: `one query with 200 repeated questions drew at least 1 and at most ${MAX_RESPONSES} responses (drew ${done.responses}, ${done.responseBytes} bytes)`,
        ok: done.responses >= 1 && done.responses <= MAX_RESPONSES,
      },
    ];
    s.report(
      {
        attack: '12 mDNS amplification',
        holds: `one query repeating the question 200 times draws 1 to ${MAX_RESPONSES} multicast responses`,
        measured: `${done.responses} responses (${done.responseBytes} bytes) to one query; ${done.unsolicitedBefore} unsolicited in the 3 s before`,
        figures: { done },
      },
      checks,
    );
    for (const c of checks) expect(c.ok, c.what).toBe(true);
  });
});

/**
 * Attack 8: a full disk. One member posts messages of `--chars` characters as fast as the host
 * answers (`--window` in flight), for `--duration-ms`, into a room whose data folder is a small
 * tmpfs. Counts acknowledgements and refusals by code, and when the first refusal came.
 */
import { randomBytes } from 'node:crypto';
import { attackArgs, boundedLife, emit } from '../support/attacker';
import { newIdentity, RawMember } from '../support/member';

const { target, values } = attackArgs({
  'duration-ms': { type: 'string', default: '8000' },
  window: { type: 'string', default: '50' },
  chars: { type: 'string', default: '8000' },
  nick: { type: 'string', default: 'Filler' },
});
const durationMs = Number(values['duration-ms']);
const windowSize = Number(values.window);
const text = 'd'.repeat(Number(values.chars));
let acked = 0;
let ackedAfterRefusal = 0;
let firstRefusalMs: number | null = null;
let inFlight = 0;
const refused: Record<string, number> = {};
const started = performance.now();
const m = new RawMember({
  endpoint: { host: target.host, port: target.port },
  fingerprint: target.fingerprint,
  passcode: false,
});
const end = boundedLife(target.maxMs, () => {
  m.destroy();
  const seconds = (performance.now() - started) / 1000;
  return {
    acked,
    ackedAfterRefusal,
    refused,
    firstRefusalMs,
    seconds,
    closed: m.closeCode,
    ackedPerSecond: Math.round(acked / seconds),
  };
});

const outcome = await m.join({ identity: newIdentity(), nick: values.nick! });
if (outcome.kind !== 'welcome') {
  emit('engaged', { joined: false, outcome });
  end();
} else {
  const pump = () => {
    while (inFlight < windowSize && performance.now() - started < durationMs && m.closeCode === null) {
      inFlight++;
      m.send({ type: 'post', text, cid: randomBytes(12).toString('base64url') });
    }
  };
  m.onFrames((f) => {
    if (f.type === 'ack') {
      acked++;
      if (firstRefusalMs !== null) ackedAfterRefusal++;
    } else if (f.type === 'error') {
      refused[f.code] = (refused[f.code] ?? 0) + 1;
      firstRefusalMs ??= Math.round(performance.now() - started);
    } else return;
    inFlight--;
    pump();
  });
  emit('engaged', { joined: true });
  pump();
  setTimeout(end, durationMs + 1_000);
  void m.closed().then(end);
}

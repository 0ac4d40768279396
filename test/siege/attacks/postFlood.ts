/**
 * Attack 7: a post flood by one identity that reconnects. Joins, sends a burst of `--burst`
 * posts of `--chars` characters, waits for their answers, leaves, and joins again with the same
 * identity, for `--duration-ms`; counts the posts the host acknowledged (stored).
 */
import { randomBytes } from 'node:crypto';
import { attackArgs, boundedLife, emit } from '../support/attacker';
import { newIdentity, RawMember } from '../support/member';

const { target, values } = attackArgs({
  'duration-ms': { type: 'string', default: '8000' },
  burst: { type: 'string', default: '20' },
  chars: { type: 'string', default: '8000' },
});
const durationMs = Number(values['duration-ms']);
const burst = Number(values.burst);
const text = 'x'.repeat(Number(values.chars));
const identity = newIdentity();
let acked = 0;
const refused: Record<string, number> = {};
let sessions = 0;
let joinFailures = 0;
const started = performance.now();
const figures = () => {
  const seconds = (performance.now() - started) / 1000;
  return { acked, refused, sessions, joinFailures, seconds, postsPerSecond: Math.round(acked / seconds) };
};
const end = boundedLife(target.maxMs, figures);

/** One session: join, burst, wait for every answer, leave. */
async function session(): Promise<void> {
  const m = new RawMember({
    endpoint: { host: target.host, port: target.port },
    fingerprint: target.fingerprint,
    passcode: false,
  });
  const outcome = await m.join({ identity, nick: 'Flooder' });
  if (outcome.kind !== 'welcome') {
    joinFailures++;
    m.destroy();
    return;
  }
  sessions++;
  let answered = 0;
  const done = new Promise<void>((resolve) => {
    m.onFrames((f) => {
      if (f.type === 'ack') acked++;
      else if (f.type === 'error') refused[f.code] = (refused[f.code] ?? 0) + 1;
      else return;
      if (++answered >= burst) resolve();
    });
    void m.closed().then(() => resolve());
  });
  for (let i = 0; i < burst; i++) m.send({ type: 'post', text, cid: randomBytes(12).toString('base64url') });
  await done;
  m.destroy();
}

emit('engaged');
while (performance.now() - started < durationMs) await session();
end();

/**
 * Attack 6: fetchers over hidden rows. `--fetchers` members join and each asks for the latest
 * page every `--every-ms` (the allowed rate), in a room where most rows are private messages
 * none of them may see, for `--duration-ms`. Counts pages and refusals.
 */
import { attackArgs, boundedLife, emit } from '../support/attacker';
import { newIdentity, RawMember } from '../support/member';

const { target, values } = attackArgs({
  fetchers: { type: 'string', default: '4' },
  'every-ms': { type: 'string', default: '50' },
  'duration-ms': { type: 'string', default: '10000' },
});
const FAR = 2 ** 31;
const fetchers = Number(values.fetchers);
const everyMs = Number(values['every-ms']);
const durationMs = Number(values['duration-ms']);
let pages = 0;
let sent = 0;
const refused: Record<string, number> = {};
const members: RawMember[] = [];
const timers: NodeJS.Timeout[] = [];
const end = boundedLife(target.maxMs, () => {
  timers.forEach(clearInterval);
  members.forEach((m) => m.destroy());
  return { fetchers: members.length, sent, pages, refused };
});

for (let i = 0; i < fetchers; i++) {
  const m = new RawMember({
    endpoint: { host: target.host, port: target.port },
    fingerprint: target.fingerprint,
    passcode: false,
  });
  const outcome = await m.join({ identity: newIdentity(), nick: `fetcher ${i}`, since: FAR });
  if (outcome.kind !== 'welcome') continue;
  m.onFrames((f) => {
    if (f.type === 'page') pages++;
    else if (f.type === 'error') refused[f.code] = (refused[f.code] ?? 0) + 1;
  });
  members.push(m);
}
emit('engaged', { fetchers: members.length });
for (const [i, m] of members.entries()) {
  timers.push(
    setInterval(() => {
      sent++;
      m.send({ type: 'fetch', before: FAR, limit: 200, ref: `f-${i}-${sent}` });
    }, everyMs),
  );
}
setTimeout(end, durationMs);

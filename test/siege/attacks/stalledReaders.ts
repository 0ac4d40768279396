/**
 * Attack 5: stalled readers. `--members` members join (from the aliases in `--v4` in turn,
 * `--parallel` at once); once all are in, each asks for a full page of history and stops
 * reading its socket, while sending an unsolicited pong every few seconds so the host's
 * heartbeat keeps it. Then the room stays quiet for `--quiet-ms` (nothing new is sent to them,
 * so a check made only when something new is sent never runs): what the host wanted to send
 * piles up in the host. `engaged` comes after the quiet spell.
 */
import { attackArgs, boundedLife, emit } from '../support/attacker';
import { newIdentity, RawMember, refusalOf } from '../support/member';

const { target, values } = attackArgs({
  members: { type: 'string', default: '40' },
  v4: { type: 'string', default: '' },
  parallel: { type: 'string', default: '8' },
  'quiet-ms': { type: 'string', default: '3000' },
});
const members = Number(values.members);
const parallel = Number(values.parallel);
const sources = (values.v4 ?? '').split(',').filter(Boolean);
/** A seq beyond any history: `since` it nothing is new, `before` it is the latest page. */
const FAR = 2 ** 31;
const joined: RawMember[] = [];
const stalled: RawMember[] = [];
const refused: Record<string, number> = {};
let next = 0;

async function worker(): Promise<void> {
  while (next < members) {
    const i = next++;
    const localAddress = sources.length > 0 ? sources[i % sources.length] : undefined;
    const m = new RawMember({
      endpoint: { host: target.host, port: target.port },
      fingerprint: target.fingerprint,
      passcode: false,
      ...(localAddress !== undefined && { localAddress }),
    });
    // `since` far ahead: an empty welcome, so joining costs nothing and nobody is cut while
    // the others join; the full page comes only when asked for.
    const outcome = await m.join({ identity: newIdentity(), nick: `reader ${i}`, since: FAR });
    if (outcome.kind !== 'welcome') {
      const why = refusalOf(outcome);
      refused[why] = (refused[why] ?? 0) + 1;
      m.destroy();
      continue;
    }
    m.ignoreFrames();
    joined.push(m);
  }
}

const heartbeat = setInterval(() => stalled.forEach((m) => m.heartbeat()), 3_000);
boundedLife(target.maxMs, () => {
  clearInterval(heartbeat);
  const alive = stalled.filter((m) => m.closeCode === null).length;
  const closes: Record<string, number> = {};
  for (const m of stalled) if (m.closeCode !== null) closes[m.closeCode] = (closes[m.closeCode] ?? 0) + 1;
  for (const m of stalled) m.destroy();
  return { members, stalled: stalled.length, alive, closes, refused };
});
await Promise.all(Array.from({ length: parallel }, worker));
for (const [i, m] of joined.entries()) {
  m.stallReading();
  m.send({ type: 'fetch', before: FAR, limit: 200, ref: `stall-${i}` });
  stalled.push(m);
}
await new Promise((r) => setTimeout(r, Number(values['quiet-ms'])));
emit('engaged', {
  stalled: stalled.length,
  alive: stalled.filter((m) => m.closeCode === null).length,
  refused,
});

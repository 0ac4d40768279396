/**
 * Attack 4: one address takes every seat. Sends `--hellos` hellos, each with a fresh member
 * identity, from one address (never more than `--parallel` unjoined at once, under the host's
 * per-address cap), keeps every seat it was given, and reports how many it got.
 */
import { attackArgs, boundedLife, emit } from '../support/attacker';
import { newIdentity, RawMember, refusalOf } from '../support/member';

const { target, values } = attackArgs({
  hellos: { type: 'string', default: '520' },
  parallel: { type: 'string', default: '12' },
});
const hellos = Number(values.hellos);
const parallel = Number(values.parallel);
const seats: RawMember[] = [];
const refused: Record<string, number> = {};
const started = performance.now();
let next = 0;
let firstRefusalAt: number | null = null;

async function worker(): Promise<void> {
  while (next < hellos) {
    const i = next++;
    const m = new RawMember({
      endpoint: { host: target.host, port: target.port },
      fingerprint: target.fingerprint,
      passcode: false,
    });
    const outcome = await m.join({ identity: newIdentity(), nick: `seat ${i}` });
    if (outcome.kind === 'welcome') {
      m.ignoreFrames();
      seats.push(m);
    } else {
      const why = refusalOf(outcome);
      refused[why] = (refused[why] ?? 0) + 1;
      firstRefusalAt ??= performance.now() - started;
      m.destroy();
    }
  }
}

const figures = () => ({
  hellos,
  seats: seats.filter((m) => m.closeCode === null).length,
  seatsGiven: seats.length,
  refused,
  firstRefusalMs: firstRefusalAt === null ? null : Math.round(firstRefusalAt),
  ms: Math.round(performance.now() - started),
});
boundedLife(target.maxMs, figures);
await Promise.all(Array.from({ length: parallel }, worker));
emit('engaged', figures());

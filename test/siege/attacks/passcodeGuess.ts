/**
 * Attack 2: passcode guessing by address rotation. From every address in `--v4` (IPv4 aliases)
 * and `--v6` (IPv6 addresses), in turn, connects to a room with a passcode and answers its
 * challenge with a wrong proof (shaped right, costing the attacker nothing), `--parallel` at
 * once, for `--duration-ms`. Counts how the host answered: BAD_PASSCODE is a guess it checked.
 */
import { attackArgs, boundedLife, emit } from '../support/attacker';
import { newIdentity, RawMember, wrongProof } from '../support/member';

const { target, values } = attackArgs({
  v4: { type: 'string', default: '' },
  v6: { type: 'string', default: '' },
  'duration-ms': { type: 'string', default: '10000' },
  parallel: { type: 'string', default: '32' },
});
const sources = [
  ...(values.v4 ?? '')
    .split(',')
    .filter(Boolean)
    .map((a) => ({ a, host: target.host })),
  ...(values.v6 ?? '')
    .split(',')
    .filter(Boolean)
    .map((a) => ({ a, host: target.host6 })),
];
const durationMs = Number(values['duration-ms']);
const parallel = Number(values.parallel);
const answers: Record<string, number> = {};
/** When each BAD_PASSCODE came, ms from the start, to find the busiest minute. */
const checkedAt: number[] = [];
let attempts = 0;
let next = 0;
const started = performance.now();

const figures = () => {
  const seconds = (performance.now() - started) / 1000;
  const checked = answers.BAD_PASSCODE ?? 0;
  return {
    sources: sources.length,
    attempts,
    answers,
    checked,
    seconds,
    checkedPerMinute: Math.round((checked / seconds) * 60),
    lastCheckedMs: checkedAt.at(-1) ?? null,
  };
};
const end = boundedLife(target.maxMs, figures);

async function worker(): Promise<void> {
  while (performance.now() - started < durationMs) {
    const src = sources[next++ % sources.length]!;
    attempts++;
    const m = new RawMember({
      endpoint: { host: src.host, port: target.port },
      fingerprint: target.fingerprint,
      localAddress: src.a,
      passcode: true,
    });
    const outcome = await m.join({ identity: newIdentity(), nick: 'Guesser', proof: wrongProof() });
    const key =
      outcome.kind === 'error'
        ? outcome.code
        : outcome.kind === 'closed'
          ? `close ${outcome.code}`
          : outcome.kind === 'welcome'
            ? 'WELCOMED'
            : `failed: ${outcome.message.slice(0, 50)}`;
    answers[key] = (answers[key] ?? 0) + 1;
    if (key === 'BAD_PASSCODE') checkedAt.push(Math.round(performance.now() - started));
    m.destroy();
  }
}

emit('engaged', { sources: sources.length });
await Promise.all(Array.from({ length: parallel }, worker));
end();

/**
 * Attack 10: nickname impersonation. Joins once per nickname in `--nicks` (a JSON array), each
 * time as a fresh member, and reports what the host made of it: the nickname it was given, or
 * the error it was refused with. Leaves after each.
 */
import { attackArgs, boundedLife, emit } from '../support/attacker';
import { newIdentity, RawMember } from '../support/member';

const { target, values } = attackArgs({ nicks: { type: 'string', default: '[]' } });
const nicks = JSON.parse(values.nicks ?? '[]') as string[];
const results: { asked: string; given: string | null; refused: string | null }[] = [];
const end = boundedLife(target.maxMs, () => ({ results }));

for (const nick of nicks) {
  const m = new RawMember({
    endpoint: { host: target.host, port: target.port },
    fingerprint: target.fingerprint,
    passcode: false,
  });
  const outcome = await m.join({ identity: newIdentity(), nick });
  if (outcome.kind === 'welcome')
    results.push({ asked: nick, given: outcome.welcome.you.nick, refused: null });
  else
    results.push({
      asked: nick,
      given: null,
      refused: outcome.kind === 'error' ? outcome.code : outcome.kind,
    });
  m.ws.close(1000);
  await m.closed();
}
emit('engaged', { tried: results.length });
end();

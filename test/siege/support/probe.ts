/**
 * The good member: the project's own RoomClient, run in its own process on its own machine,
 * that joins while an attack is under way and posts every `--every-ms`. It prints one JSON line
 * when it is welcomed and one with its figures at the end, then exits by itself.
 *
 * node --import tsx probe.ts --host H --port P --fingerprint FP [--passcode X] [--nick N]
 *   [--posts 20] [--every-ms 250] [--join-timeout-ms 6500] [--hold-ms 0]
 */
import { parseArgs } from 'node:util';
import { RoomClient } from '../../../src/core/client/RoomClient';
import { clientOptions, newIdentity } from './member';

const { values } = parseArgs({
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
    fingerprint: { type: 'string' },
    passcode: { type: 'string' },
    nick: { type: 'string', default: 'Good member' },
    posts: { type: 'string', default: '20' },
    'every-ms': { type: 'string', default: '250' },
    'join-timeout-ms': { type: 'string', default: '6500' },
    // Stay in the room this long after the last ack (an attack that needs a member present).
    'hold-ms': { type: 'string', default: '0' },
  },
});

const posts = Number(values.posts);
const everyMs = Number(values['every-ms']);
const joinTimeoutMs = Number(values['join-timeout-ms']);
const holdMs = Number(values['hold-ms']);
const print = (line: object) => process.stdout.write(JSON.stringify(line) + '\n');

const client = new RoomClient({
  endpoints: [{ host: values.host!, port: Number(values.port) }],
  nickname: values.nick!,
  ...clientOptions(newIdentity()),
  fingerprint: values.fingerprint ?? null,
  passcode: values.passcode ?? null,
  // The app's own backoff (0.5 s doubling to 10 s): a good member retries as a real one does.
  backoff: { maxAttempts: 1_000 },
});

const started = performance.now();
let joinMs: number | null = null;
const sentAt = new Map<string, number>();
const ackMs: number[] = [];
const echoMs: number[] = [];
const problems: string[] = [];
let lastReason: string | null = null;
let drops = 0;

client.on('state', (state, _attempt, reason) => {
  // A code and its parameters, as the window would word them (shared/reasons.ts).
  if (reason) lastReason = `${reason.code}${reason.params ? ` ${JSON.stringify(reason.params)}` : ''}`;
  if (state === 'reconnecting' && joinMs !== null) drops++;
});
client.on('problem', (p) => problems.push(p.code));
client.on('ack', (cid) => {
  const at = sentAt.get(cid);
  if (at !== undefined) ackMs.push(performance.now() - at);
  if (ackMs.length === posts) void finish();
});
client.on('message', (m) => {
  const at = m.cid === undefined ? undefined : sentAt.get(m.cid);
  if (at !== undefined) echoMs.push(performance.now() - at);
});

let finished = false;
let endHold: (() => void) | null = null;
const giveUp = setTimeout(() => void finish(), joinTimeoutMs + posts * everyMs + 10_000);
const noJoin = setTimeout(() => joinMs === null && void finish(), joinTimeoutMs);

client.once('welcome', (welcome) => {
  joinMs = performance.now() - started;
  clearTimeout(noJoin);
  print({
    event: 'joined',
    joinMs,
    nick: welcome.you.nick,
    id: welcome.you.id,
    members: welcome.room.members,
  });
  let n = 0;
  const tick = setInterval(() => {
    if (n >= posts) return clearInterval(tick);
    n++;
    const cid = client.post(`probe ${n}`);
    sentAt.set(cid, performance.now());
  }, everyMs);
  if (posts === 0) void finish();
});

async function finish(): Promise<void> {
  if (finished) return;
  finished = true;
  clearTimeout(giveUp);
  clearTimeout(noJoin);
  // Present for the attack that needs us here; SIGTERM ends the stay early.
  if (joinMs !== null && holdMs > 0)
    await new Promise<void>((r) => {
      endHold = r;
      setTimeout(r, holdMs);
    });
  print({
    event: 'result',
    joinMs,
    posted: sentAt.size,
    acked: ackMs.length,
    echoed: echoMs.length,
    ackMs,
    echoMs,
    drops,
    problems,
    reason: joinMs === null ? lastReason : null,
  });
  await client.close();
  process.exit(0);
}

process.on('SIGTERM', () => (endHold ? endHold() : void finish()));
client.start();

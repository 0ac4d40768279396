/** The markdown under the reconnect table: setup, figures, the connection timelines. */
import { median } from '../stats';
import type { Results } from './schedules';
import { histogram, type Restart } from './timeline';

const last = (rs: Restart[], scenario: string) => rs.filter((r) => r.scenario === scenario).at(-1);
const block = (r: Restart | undefined, bucketMs?: number) =>
  '```\n' + (r ? histogram(r, bucketMs) : 'no run') + '\n```';

export function explain(res: Results): string {
  const scenario = 'SIGTERM, down 5 s';
  const attempts = (rs: Restart[]) => Math.round(median(rs.map((r) => r.attempts.length)));
  return `
**Setup.** One simulated machine (a network namespace of its own, over its loopback; no mDNS:
members join by address). The real headless host (\`src/cli/host.ts --no-advertise\`, fixed port
and data folder, so a restart brings back the same room) and 100 real \`RoomClient\`s in two
processes, each member with its own member database and that database's persistent outbox,
pinned to the host's certificate, with the app's reconnect options (as \`RoomSession\` passes
them: 500 ms first, 10 s at most, 30 attempts). Each run: the host is stopped (SIGTERM, the
members get a close; or SIGKILL, their sockets are reset), every member notices, every member
queues one message, and the host is started again, at once or 5 s after it stopped. Timed from
the moment the restarted host prints "listening" until the last member is welcomed and the last
outbox is empty (every post acknowledged). Every TCP connection attempt is stamped in the
members' processes (Node's \`net.client.socket\` diagnostics channel). The baseline is the same
members retrying every 25–50 ms without growth: about the fastest the host can take everyone
back, at the price of a herd (${attempts(res.baseline)} attempts per restart against
${attempts(res.ours)} for the app's schedule, median).

**What changed.** Before, reconnect delays simply doubled (0.5, 1, 2, 4, 8 s, jittered into
[0.5, 1] of that). A host back within about a second was fine, but one that took 5 s found its
members in a 2–4 or 4–8 s wait: the last came back seconds later (the "before" row). Now the
first 20 attempts (about 20 s) are at most 1.25 s apart (still jittered), and growth resumes
after them (\`reconnectDelay\` in src/core/client/backoff.ts), so a restarted host has everyone
back within about 1.25 s plus the handshakes, whenever in those 20 s it returns.

Connection attempts per 100 ms around the last "${scenario}" restart, the app's schedule (times
relative to the host listening again):

${block(last(res.ours, scenario))}

Before (plain doubling), per 500 ms, as it lasts longer:

${block(last(res.doubling, scenario), 500)}

Baseline (every 25–50 ms):

${block(last(res.baseline, scenario))}
`;
}

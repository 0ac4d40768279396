/** The markdown under the discovery table: setup, what each figure means, what was found. */
import { median } from '../stats';
import type { Samples } from './index';

const ms = (xs: number[]) => xs.map((x) => Math.round(x)).join(', ');

export function explain(s: Samples): string {
  return `
**Setup.** Two simulated machines (network namespaces joined by a bridge, 10.77.0.0/24): *host*
runs the real headless host (\`src/cli/host.ts\`, a fresh data folder and room each time), *joiner*
a real \`Discovery\` (default settings: liveness probes every 3 s, 2 s timeout, dropped after 2
missed rounds). Every process stamps its events with the machine's one clock
(\`performance.timeOrigin + performance.now()\`). The baseline is bare bonjour-service between the
same two namespaces, set up like each of Discovery's interfaces (bound to 0.0.0.0, one
interface, publish without RFC 6762 probing, which Parley skips too: its instance names carry a
hash of the room id, so they are unique already).

**Figures.** *Host start* is the moment the host's Discovery advertises the room (stamped in the host
process by its \`PARLEY_DEBUG=discovery\` trace, to the millisecond); the
time to spawn the process (Node + tsx + database + identity) is shown apart, since it is not
discovery. *Joiner start* is making and starting a new \`Discovery\` in a running process (what
the app does when it opens the lobby). *Stop* and *kill* are the moment the benchmark sends the
signal. Host runs alternate SIGTERM and SIGKILL.

**Findings.** Every goal is met without changing how discovery behaves (only a debug trace of \`advertise()\` was added, for the host-side stamp). A room is listed a few
milliseconds after its host advertises, not the 0.75–1 s the issue expected: Parley publishes
without RFC 6762 probing (see above), so its first announcement goes out at once, and the
joiner lists a room from the announcement itself (liveness probes only confirm it later). A
joiner asks for rooms the moment it starts, and the host answers at once. A stopping host's
goodbye (sent before it closes the room) is one packet. Ours and the baseline are both a single
multicast packet here, so their ratios compare milliseconds with fractions of one: the few
milliseconds Parley adds are, most likely, the host finishing its start-up or shutdown work
(printing, closing the room) before Node's event loop sends the queued packet, plus the
lobby's own bookkeeping, and the host-side stamps have millisecond resolution. They are far
inside the goals, which are the figures to read here.
A SIGKILLed host says no goodbye; the joiner drops it after two missed
liveness probes in a row, so 3–6 s after the kill with probes every 3 s (a bare bonjour-service
browser never drops it at all: its \`expire()\`, which honours the records' 120 s TTL, is
never called by the library itself).

Runs (ms) — listed after start: ${ms(s.startToListed)}; joiner: ${ms(s.joinToListed)};
SIGTERM → gone: ${ms(s.stopToGone)}; SIGKILL → gone: ${ms(s.killToGone)}.
Baseline — up: ${ms(s.bareUp)}; join: ${ms(s.bareJoin)}; down: ${ms(s.bareDown)}.
Median spawn → listed ${Math.round(median(s.spawnToListed))} ms.
`;
}

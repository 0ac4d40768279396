import { median } from '../stats';
import type { RunPlan, RunResult } from './runOnce';

const f = (v: number, digits = 1): string => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');

/** The markdown under the fan-out table: the setup, what each figure means, and what was found. */
export function details(
  plan: RunPlan & { runs: number },
  parley: RunResult[],
  ws: RunResult[],
  textChars: number,
): string {
  const med = (rs: RunResult[], pick: (r: RunResult) => number): number => median(rs.map(pick));
  const rate = (v: number): string => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : 'n/a');
  const row = (label: string, rs: RunResult[]): string =>
    [
      label,
      rate(med(rs, (r) => r.saturation.deliveriesPerS)),
      f(
        med(rs, (r) => r.saturation.cpuPerDelivery),
        2,
      ),
      f(
        med(rs, (r) => r.saturation.writesPerDelivery),
        3,
      ),
      f(
        med(rs, (r) => r.moderate.cpuPerDelivery),
        2,
      ),
      f(
        med(rs, (r) => r.moderate.writesPerDelivery),
        3,
      ),
      `${f(med(rs, (r) => r.moderate.p50))} / ${f(med(rs, (r) => r.moderate.p99))}`,
      `${f(med(rs, (r) => r.heapPerMember))} / ${f(med(rs, (r) => r.heapTotalPerMember))} / ${f(med(rs, (r) => r.externalPerMember))} / ${f(med(rs, (r) => r.rssPerMember))}`,
      String(rs.reduce((n, r) => n + r.moderate.closed + r.saturation.closed, 0)),
    ].join(' | ');
  return `
**Setup.** One room of ${plan.members.toLocaleString('en-US')} members on loopback, TLS on every connection (both hosts
serve the same self-signed P-256 certificate; rooms are wss-only). The host runs alone in its own Node process; the
members are split over 2 client processes (ws clients, perMessageDeflate off), so the host's CPU and memory are its own —
but on this 2-core machine the clients compete with it for CPU, so the deliveries-per-second figures are partly the
clients' (they parse every frame as JSON, Parley's bigger frames cost them more). **Host CPU per delivery** (user + system
time of the host process, read from /proc, over the measured window, divided by the deliveries received in it) isolates
the host's own cost. ${plan.senders} members post ${textChars}-character texts carrying their send time (performance.timeOrigin +
performance.now(): one wall-clock-anchored, monotonic, sub-millisecond clock shared by the processes of one machine); a
*delivery* is a post arriving at a member other than its sender (Parley's echo to the sender and its ack are not counted,
though the host pays for them). Latency is send to receipt on that clock.

- **Baseline**: a minimal node:https + \`ws\` server, perMessageDeflate off, that relays each incoming frame's raw bytes to
  every other client. **Parley**: the real RoomHost with its SQLite history (host.db in a temporary folder, WAL): every
  post is parsed by schema, stored (the posts of one event-loop turn in one transaction; acked only once committed), echoed to its sender and broadcast
  once-serialised to the other ${plan.members - 1}. Members do the real hello (random 32-character keys) and wait for their welcome.
  The bench raises Parley's per-member limits so they do not shape the result: postsPerSecond and postBurst 1,000,000,
  maxMembers 5,000, maxConnections 10,000, maxUnjoinedPerAddress 10,000 (every member connects from 127.0.0.1), maxBufferedBytes 256 MiB (the baseline has no such bounds).
- **Saturation**: closed loop — each client process keeps ${plan.inFlight} of its posts inside the host (posted, not yet
  received by its last-joined member, whom both hosts serve last), so the host never runs dry and its queue stays
  bounded. ${f(plan.phaseMs / 1000)} s per phase, the first ${f(plan.warmupMs / 1000)} s left out.
- **Moderate rate**: ${plan.moderateRate} posts/s in all (${(plan.moderateRate * (plan.members - 1)).toLocaleString('en-US')} deliveries/s), open loop, a rate both hosts
  sustain with most of the machine idle.
- **Memory**: host heap and RSS after a full GC (twice, --expose-gc) with the room full and idle, minus the same for the
  empty host, per member. Every member must learn who is in the room, so filling a room of n sends each member O(n)
  bytes of roster and presence (n²/2 member entries in all); the baseline's members receive nothing while it fills.
  What that traffic leaves behind, found by hand (this machine, 1,000 members):
  - **Node's TLS output ring** keeps, for the life of each socket, buffers as large as the most it was handed in one
    event-loop turn (it grows by 16 KiB past the ~2 KiB the handshake sized it to and never shrinks). On a bare TLS
    server one 9,000-byte write pins +11.5 KB per socket, the same bytes as 900-byte writes a turn apart +2.8 KB. So
    Parley's roster pages and presence frames hold about 1 KiB of member JSON each (FRAME_BYTES in
    src/core/host/presence.ts), the first page goes out the turn after the welcome, a newcomer gets one page a turn
    and a presence backlog drains a frame a turn (~7 KB per member less than 4 KiB pages in the welcome's turn).
    The price is more writes while a big room fills, each a system call: with 4 KiB frames (A/B by hand) 3,000
    members filled in 19.6 s against 24.8 s, and 1,000 cost 88–90 KB per member against 82–83.
  - **V8's young generation**: what the fill allocates passes through it, and its pages stay resident once touched
    (after the fill: the baseline's 9.4 MB, Parley's 22 MB of 32 MB reserved, empty after the GC: a cost of the
    process, not of each member, which the 1,000 members here share). Writing each prepared frame to the socket whole,
    its WebSocket header built once per frame instead of once per member by ws.send, cut what the fill allocates and
    ~7 KB per member of it (A/B, 3 pairs).
  - Earlier: the history query of each welcome had SQLite set up a temporary file's pager for its IN (...) set, ~22 KB
    per member (temp_store=MEMORY removed it); Node's per-socket copy of the ALPN list pinned 64 KiB Buffer-pool
    chunks, ~10 KB per member of external memory (the host drops it after the handshake, RoomHost.ts).
  The heap figure also carries one-off costs (code compiled and caches filled by the first joins), which 1,000
  members amortise and 100 (--quick) do not.
- ${plan.runs} runs per host, alternating baseline and Parley; medians over runs. The machine is shared with other
  benchmarks: single runs vary by 2× or more, so read the ratios and the CPU-per-delivery figures, not absolute rates.

Medians of the secondary figures (writes = the host's write system calls, from /proc/PID/io):

| Host | deliveries/s at saturation | CPU µs/delivery, saturation | writes/delivery, saturation | CPU µs/delivery, moderate | writes/delivery, moderate | p50 / p99 ms, moderate | KB/member: heap used / heap reserved / external / RSS | members cut off |
| --- | --: | --: | --: | --: | --: | --: | --: | --: |
| ${row('Parley', parley)} |
| ${row('ws baseline', ws)} |

${FINDINGS}
`;
}

/** What profiling the host found, and what was changed (numbers from this machine, see the issue notes). */
const FINDINGS = `
**What costs what** (a \`node --cpu-prof\` profile of the Parley host through a whole run at 1,000 members, before the
changes below). Of the host's busy time, ~57% is the per-member socket write — Node's TLS \`writev\` (encryption and
the system call) — plus a few per cent of stream bookkeeping around it, and ~10% is garbage collection; the Room's own
code (deliver, onPost, encoding) is ~3%. Per post, the SQLite append is ~1% of busy time, the resend (cid) lookup
~0.3%, zod parsing ~0.2%; the welcome's history reads ~2% while the room fills. Already right before this work: a
message is serialised once per broadcast (outbound.ts \`prepare\`) and the same Buffer goes to every member, and
perMessageDeflate is off on the server (and on the bench's clients).

**Changed**, each measured as A/B pairs alternated on this machine (medians, before → after):

1. A member's writes are corked until the end of the event-loop turn and released together in setImmediate
   (src/core/host/writeBatch.ts): the posts one turn handles leave as one TLS record and one system call per member.
   3 pairs at 1,000 members, at saturation: host write calls per delivery 0.070 → 0.043, host CPU per delivery 1.68 → 1.44 µs (−14%). At the
   moderate rate: write calls per delivery 1.01 → 0.87, CPU 15.4 → 13.3 µs, p99 143 → 83 ms (latency is noisy here;
   it did not get worse: the fan-out loop only buffers, and the writes follow in one tight loop). Deliveries per second
   at saturation did not move measurably (331k → 287k, within the run-to-run spread): on 2 cores the clients, not the
   host, are the limit.
2. sendPrepared no longer allocates a no-op callback and an options object per member per message.
3. SqliteHistory.append no longer repeats the resend lookup the Room has just made (~20 µs measured alone): the insert
   itself (INSERT OR IGNORE on UNIQUE(room_id, from_id, cid)) detects a resend, which is then read back and acked with
   its stored seq as before.
4. A turn's posts are stored together: the Room queues each accepted post and, at the end of the turn (before the
   turn's writes go out), stores them all through HistoryStore.appendAll — one SQLite transaction, one commit — then
   acks, echoes and broadcasts each in seq order. The ack still leaves only once its row is committed (or, with the
   disk refusing writes, kept in the in-memory overflow, as before); a transaction that fails rolls back and its posts
   go the single way, append(), unchanged. Anything else the room answers first settles the queue, so every member
   sees answers in the order of the frames they answer. Measured alone, an append costs ~100 µs with its own commit
   and ~17 µs inside a transaction. A/B (3 pairs, medians, 100 members, where the per-post cost shows): host
   CPU per delivery at saturation 1.51 → 1.24 µs (−18%), deliveries/s 449k → 521k, write calls per delivery
   0.155 → 0.084 (a turn's answers now leave together). At 1,000 members the difference was inside the noise.
5. A prepared frame carries its whole WebSocket text frame (header and payload, built once) and goes straight to each
   member's socket (src/core/host/outbound.ts): ws.send built a header per member and handed the socket two chunks.
   ws with perMessageDeflate off writes each of its own frames (pings, close) whole and at once, so nothing lands
   inside one, and ws.bufferedAmount still counts these bytes. A/B (3 pairs, 1,000 members): host CPU per delivery
   at saturation 3.55 / 3.93 / 3.31 → 2.79 / 2.62 / 2.43 µs, deliveries/s +10%, RSS per idle member
   85.6 / 92.7 / 84.3 → 78.8 / 78.7 / 79.2 KB.

**Not changed.** \`bufferutil\` was not added: ws uses it only to mask and unmask frames, a server never masks what it sends,
and the host unmasks one ~150-byte frame per post, not per delivery — not one profile sample falls there.
`;

/** The markdown for the 5,000-member scale point, under the main plan's. */
export function scaleDetails(plan: RunPlan & { runs: number }, parley: RunResult[], ws: RunResult[]): string {
  const med = (rs: RunResult[], pick: (r: RunResult) => number): number => median(rs.map(pick));
  const row = (label: string, rs: RunResult[]): string =>
    [
      label,
      Math.round(med(rs, (r) => r.saturation.deliveriesPerS)).toLocaleString('en-US'),
      f(
        med(rs, (r) => r.saturation.cpuPerDelivery),
        2,
      ),
      `${f(med(rs, (r) => r.moderate.p50))} / ${f(med(rs, (r) => r.moderate.p99))}`,
      `${f(med(rs, (r) => r.heapPerMember))} / ${f(med(rs, (r) => r.rssPerMember))}`,
      f(med(rs, (r) => r.fillMs / 1000)),
      String(rs.reduce((n, r) => n + r.moderate.closed + r.saturation.closed, 0)),
    ].join(' | ');
  return `
**Scale point: ${plan.members.toLocaleString('en-US')} members.** The same two hosts, clients and phases with a room five
times the size (${plan.runs} runs each, alternating). The moderate rate is ${plan.moderateRate} posts/s, so the deliveries per second
(${(plan.moderateRate * (plan.members - 1)).toLocaleString('en-US')}) match the 1,000-member plan's. Filling the room is where a
protocol that welcomes with the whole member list and announces every join to everyone pays n²: Parley sends the roster
in pages of about 1 KiB after the welcome (one page per turn, from a snapshot shared by every newcomer) and joins in
presence frames coalesced over 250 ms, so each member receives O(n) bytes of roster and presence, in frames about
20 times fewer than n.

| Host | deliveries/s at saturation | CPU µs/delivery, saturation | p50 / p99 ms, moderate | KB/member: heap / RSS | fill s | members cut off |
| --- | --: | --: | --: | --: | --: | --: |
| ${row('Parley', parley)} |
| ${row('ws baseline', ws)} |
`;
}

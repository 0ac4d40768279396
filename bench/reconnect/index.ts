/**
 * Reconnect: 100 members connected to a room whose host is restarted (same data folder, same
 * port, so the same room). How long after the host listens again until every member is back
 * and every outbox (one message queued while the host was down) is drained, and whether the
 * members come back spread out (jittered backoff) rather than as a herd.
 *
 * Everything runs on one simulated machine (a network namespace of its own, over its loopback):
 * no mDNS is involved, members join by address, and no port can clash with anything else.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { jsonLines, type Lan } from '../../test/lan/netns';
import { benchLan } from '../support/lan';
import { command, nextEvent, reap, stopChild, type Stamped } from '../support/children';
import { wallNow } from '../support/clock';
import type { Bench, BenchContext } from '../types';
import { explain } from './explain';
import { figures } from './figures';
import { startHost, type RunningHost } from '../support/host';
import { SCHEDULES, type Results, type Scenario, type Schedule } from './schedules';
import { peakAfterListen, type Restart } from './timeline';

const MEMBERS_SCRIPT = resolve(import.meta.dirname, 'members.ts');
const MEMBERS = 100;
const PROCESSES = 2;
const PORT = 4000;

export const reconnect: Bench = {
  id: 'reconnect',
  title: 'Reconnect after a host restart',
  timeoutMs: 300_000,
  async run(ctx) {
    const lan = await benchLan(['box']);
    const dir = await mkdtemp(join(tmpdir(), 'parley-bench-reconnect-'));
    try {
      const runs = ctx.quick ? 1 : 4;
      const hostArgs = ['--name', 'Reconnect', '--nick', 'Bench', '--port', String(PORT)];
      hostArgs.push('--data', join(dir, 'host'), '--no-advertise', '--max-members', '1000');
      // All 100 members share one address here, where on a LAN each machine has its own: the
      // per-address bound on connections that have not joined yet would hold most of them back.
      hostArgs.push('--max-unjoined-per-address', '1000', '--max-unjoined-per-prefix', '1000');
      // All 100 members run on one simulated machine, so one address.
      hostArgs.push('--max-seats-per-address', '1000', '--max-seats-per-prefix', '1000');
      const session = { lan, hostArgs, host: await startHost(lan, 'box', hostArgs) };
      const results: Results = { ours: [], doubling: [], baseline: [] };
      for (const schedule of SCHEDULES) {
        results[schedule.id] = await series(session, runs, join(dir, schedule.id), schedule, ctx);
      }
      await stopChild(session.host.child, 'SIGTERM');
      return { figures: figures(results, MEMBERS), details: explain(results) };
    } finally {
      await lan.destroy();
      await rm(dir, { recursive: true, force: true });
    }
  },
};

interface Session {
  lan: Lan;
  hostArgs: string[];
  host: RunningHost;
}

/** Connects 100 members, then restarts the host `runs` times in each scenario. */
async function series(
  session: Session,
  runs: number,
  dataDir: string,
  schedule: Schedule,
  ctx: BenchContext,
): Promise<Restart[]> {
  const { lan, host } = session;
  const per = MEMBERS / PROCESSES;
  const groups: ChildProcess[] = [];
  for (let p = 0; p < PROCESSES; p++) {
    const args = ['--port', String(PORT), '--room', host.roomId, '--fingerprint', host.fingerprint];
    args.push('--data', dataDir, '--count', String(per), '--first', String(p * per));
    args.push('--backoff', JSON.stringify(schedule.backoff));
    const env = { PARLEY_REQUIRE_NETNS: '1' };
    groups.push(lan.spawn('box', process.execPath, ['--import', 'tsx', MEMBERS_SCRIPT, ...args], { env }));
  }
  try {
    await Promise.all(groups.map((g) => everyMember(g, per, 'welcome', 60_000)));
    const restarts: Restart[] = [];
    for (let i = 0; i < runs; i++) {
      for (const scenario of schedule.scenarios) {
        const r = await restart(session, groups, per, scenario);
        restarts.push(r);
        ctx.log(
          `${schedule.id} ${scenario.label}: down ${ms(r.listeningAt - r.killedAt)}, all back +${ms(r.allBackAt - r.listeningAt)}, drained +${ms(r.drainedAt - r.listeningAt)}, ${r.attempts.length} attempts, peak ${peakAfterListen(r)}/100 ms`,
        );
      }
    }
    return restarts;
  } finally {
    for (const g of groups) command(g, { cmd: 'close' });
    await Promise.all(groups.map((g) => reap(g, 5000)));
  }
}

/** One restart: kill, every member notices, every member queues a post, host back, all drained. */
async function restart(
  session: Session,
  groups: ChildProcess[],
  per: number,
  scenario: Scenario,
): Promise<Restart> {
  const { signal, outageMs } = scenario;
  const marks = groups.map((g) => jsonLines(g).all.length);
  const killedAt = wallNow();
  await stopChild(session.host.child, signal);
  await Promise.all(
    groups.map((g) => everyMember(g, per, 'state', 30_000, (l) => l.state === 'reconnecting')),
  );
  for (const g of groups) command(g, { cmd: 'post' });
  await Promise.all(groups.map((g) => nextEvent(g, 'posted', 30_000)));
  // A chosen outage length, not a stand-in for an event: how long the host stays away is the
  // variable under test (the members' backoff has grown by then).
  const rest = killedAt + outageMs - wallNow();
  if (rest > 0) await new Promise((r) => setTimeout(r, rest));
  session.host = await startHost(session.lan, 'box', session.hostArgs);
  const welcomes = await Promise.all(groups.map((g) => everyMember(g, per, 'welcome', 60_000)));
  const drained = await Promise.all(groups.map((g) => nextEvent(g, 'drained', 60_000)));
  const attempts = groups.flatMap((g, k) =>
    jsonLines(g)
      .all.slice(marks[k])
      .filter((l) => l.event === 'attempt')
      .map((l) => l.t as number),
  );
  return {
    scenario: scenario.label,
    killedAt,
    listeningAt: session.host.listeningAt,
    allBackAt: Math.max(...welcomes),
    drainedAt: Math.max(...drained.map((d) => d.t)),
    attempts,
  };
}

/** Waits until each of the `count` members of a process has printed `event` (from now on); the last one's time. */
async function everyMember(
  child: ChildProcess,
  count: number,
  event: string,
  timeoutMs: number,
  also: (line: Stamped) => boolean = () => true,
): Promise<number> {
  const seen = new Set<unknown>();
  const last = await nextEvent(child, event, timeoutMs, (l) => {
    if (also(l)) seen.add(l.i);
    return seen.size === count;
  });
  return last.t;
}

const ms = (x: number) => `${Math.round(x)} ms`;

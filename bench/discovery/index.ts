/**
 * Discovery: how fast a room appears in, and leaves, another machine's lobby. Two simulated
 * machines (network namespaces, test/lan/netns.ts) on one bridge: "host" runs the real headless
 * host (src/cli/host.ts), "joiner" a real Discovery (watcher.ts). The baseline is bare
 * bonjour-service (bare.ts) publishing and browsing between the same two namespaces in the same
 * run, so the ratio shows what Parley's lobby adds over the mDNS library.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Lan } from '../../test/lan/netns';
import { benchLan } from '../support/lan';
import { command, nextEvent, stopChild, type Stamped } from '../support/children';
import { wallNow } from '../support/clock';
import { startHost } from '../support/host';
import { median, spread } from '../stats';
import type { Bench, BenchContext, BenchResult, Figure } from '../types';
import { explain } from './explain';

const WATCHER = resolve(import.meta.dirname, 'watcher.ts');
const BARE = resolve(import.meta.dirname, 'bare.ts');
/** Discovery's default liveness probe interval, which the SIGKILL figure depends on. */
const PROBE_INTERVAL_MS = 3000;

type Rooms = Stamped & { ids: string[] };

/** Samples of one run of the group, in milliseconds. */
export interface Samples {
  spawnToListed: number[];
  startToListed: number[];
  joinToListed: number[];
  stopToGone: number[];
  killToGone: number[];
  bareUp: number[];
  bareJoin: number[];
  bareDown: number[];
}

export const discovery: Bench = {
  id: 'discovery',
  title: 'Discovery',
  timeoutMs: 300_000,
  async run(ctx) {
    const runs = ctx.quick ? 3 : 10;
    const lan = await benchLan(['host', 'joiner']);
    const dataDirs: string[] = [];
    try {
      const samples = await measure(lan, runs, ctx, dataDirs);
      return result(samples);
    } finally {
      await lan.destroy();
      await Promise.all(dataDirs.map((d) => rm(d, { recursive: true, force: true })));
    }
  },
};

async function measure(lan: Lan, runs: number, ctx: BenchContext, dataDirs: string[]): Promise<Samples> {
  const s: Samples = {
    spawnToListed: [],
    startToListed: [],
    joinToListed: [],
    stopToGone: [],
    killToGone: [],
    bareUp: [],
    bareJoin: [],
    bareDown: [],
  };
  const node = (machine: string, script: string, args: string[] = []) =>
    lan.spawn(machine, process.execPath, ['--import', 'tsx', script, ...args]);
  const watcher = node('joiner', WATCHER, ['--probe-interval', String(PROBE_INTERVAL_MS)]);
  await nextEvent(watcher, 'browsing', 30_000);
  const bareHost = node('host', BARE, ['--interface', lan.machines.host!.address]);
  const bareJoiner = node('joiner', BARE, ['--interface', lan.machines.joiner!.address]);
  command(bareJoiner, { cmd: 'browse' });
  await nextEvent(bareJoiner, 'browsing', 30_000);

  const hostAddress = lan.machines.host!.address;
  const startRoom = async (label: string) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'parley-bench-discovery-'));
    dataDirs.push(dataDir);
    const spawnedAt = wallNow();
    const args = ['--interface', hostAddress, '--name', label, '--nick', 'Bench', '--data', dataDir];
    return { ...(await startHost(lan, 'host', args, hostAddress)), spawnedAt };
  };
  const listed = (id: string) => nextEvent<Rooms>(watcher, 'rooms', 15_000, (l) => l.ids.includes(id));
  const gone = (id: string, timeoutMs: number) =>
    nextEvent<Rooms>(watcher, 'rooms', timeoutMs, (l) => !l.ids.includes(id));

  // Host start, then its end: a goodbye (SIGTERM) and a crash (SIGKILL) in turn.
  for (let i = 0; i < 2 * runs; i++) {
    const host = await startRoom(`Bench ${i}`);
    const up = await listed(host.roomId);
    const advertisedAt = host.advertisedAt;
    if (advertisedAt === undefined) throw new Error('The host printed no "advertise" trace.');
    s.startToListed.push(up.t - advertisedAt);
    s.spawnToListed.push(up.t - host.spawnedAt);
    const kill = i % 2 === 0 ? 'SIGTERM' : 'SIGKILL';
    const at = wallNow();
    host.child.kill(kill);
    const down = await gone(host.roomId, kill === 'SIGTERM' ? 10_000 : 30_000);
    (kill === 'SIGTERM' ? s.stopToGone : s.killToGone).push(down.t - at);
    await stopChild(host.child);
    ctx.log(
      `host ${i + 1}/${2 * runs}: listed ${Math.round(up.t - advertisedAt)} ms, ${kill} → gone ${Math.round(down.t - at)} ms`,
    );
  }

  // A joiner starting while the room is up.
  const host = await startRoom('Bench join');
  await listed(host.roomId);
  for (let i = 0; i < runs; i++) {
    command(watcher, { cmd: 'restart' });
    const start = await nextEvent(watcher, 'browsing', 10_000);
    const up = await listed(host.roomId);
    s.joinToListed.push(up.t - start.t);
  }
  await stopChild(host.child);
  ctx.log(`joiner start → listed: ${s.joinToListed.map(Math.round).join(', ')} ms`);

  // The baseline: the same three moments with bare bonjour-service.
  for (let i = 0; i < runs; i++) {
    const name = `bare-${i}`;
    command(bareHost, { cmd: 'publish', name });
    const publishing = await nextEvent(bareHost, 'publishing', 10_000);
    const up = await nextEvent(bareJoiner, 'up', 10_000, (l) => l.name === name);
    s.bareUp.push(up.t - publishing.t);
    const at = wallNow();
    command(bareHost, { cmd: 'unpublish' });
    const down = await nextEvent(bareJoiner, 'down', 10_000, (l) => l.name === name);
    s.bareDown.push(down.t - at);
  }
  command(bareHost, { cmd: 'publish', name: 'bare-join' });
  for (let i = 0; i < runs; i++) {
    command(bareJoiner, { cmd: 'browse' });
    const start = await nextEvent(bareJoiner, 'browsing', 10_000);
    const up = await nextEvent(bareJoiner, 'up', 10_000, (l) => l.name === 'bare-join');
    s.bareJoin.push(up.t - start.t);
  }
  ctx.log(
    `baseline up ${s.bareUp.map(Math.round).join(', ')}; join ${s.bareJoin.map(Math.round).join(', ')}; down ${s.bareDown.map(Math.round).join(', ')} ms`,
  );
  for (const child of [watcher, bareHost, bareJoiner] as ChildProcess[]) child.stdin?.end();
  return s;
}

function result(s: Samples): BenchResult {
  const range = (xs: number[]) => `runs ${spread(xs)} ms`;
  const figures: Figure[] = [
    {
      name: 'Host start → room listed in the other lobby',
      unit: 'ms',
      ours: median(s.startToListed),
      baseline: { label: 'bare bonjour publish → browser "up"', value: median(s.bareUp) },
      goal: { kind: 'atMost', value: 1000 },
      runs: s.startToListed.length,
      note: `from the host's Discovery.advertise() (stamped in the host; ms resolution) to the joiner's lobby event; ${range(s.startToListed)}`,
    },
    {
      name: 'Joiner start → room (already up) listed',
      unit: 'ms',
      ours: median(s.joinToListed),
      baseline: { label: 'bare bonjour browser start → "up"', value: median(s.bareJoin) },
      goal: { kind: 'atMost', value: 300 },
      runs: s.joinToListed.length,
      note: `from making a Discovery in a running process (no process start-up) to its lobby event; ${range(s.joinToListed)}`,
    },
    {
      name: 'Host stopped (SIGTERM) → room gone from the lobby',
      unit: 'ms',
      ours: median(s.stopToGone),
      baseline: { label: 'bare bonjour unpublish → browser "down"', value: median(s.bareDown) },
      goal: { kind: 'atMost', value: 500 },
      runs: s.stopToGone.length,
      note: `from the signal to the lobby event; the host says goodbye first, then closes the room; ${range(s.stopToGone)}`,
    },
    {
      name: 'Host killed (SIGKILL) → room gone from the lobby',
      unit: 'ms',
      ours: median(s.killToGone),
      goal: { kind: 'atMost', value: 10_000 },
      runs: s.killToGone.length,
      note: `no goodbye: dropped by liveness probes (every ${PROBE_INTERVAL_MS / 1000} s, the default); a bare bonjour-service browser keeps it forever (nothing calls its expire()); ${range(s.killToGone)}`,
    },
    {
      name: 'Host process spawned → room listed',
      unit: 'ms',
      ours: median(s.spawnToListed),
      goal: { kind: 'report' },
      runs: s.spawnToListed.length,
      note: `the first figure plus starting Node + tsx, opening the database and loading the identity; ${range(s.spawnToListed)}`,
    },
  ];
  return { figures, details: explain(s) };
}

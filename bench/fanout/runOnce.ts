/**
 * One run against one host: fill the room, weigh the idle members, then a phase at a moderate
 * rate (latency) and one far above what the host can do (throughput). Everything it starts, it
 * ends, whatever happens.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quantile } from '../stats';
import { cpuMicrosOf, writeCallsOf } from './cpuTime';
import { forkClient, forkHost, type ClientChild, type HostChild } from './children';
import { now, type HostKind, type HostStats } from './ipc';

/** The sizes of one run (see index.ts for the values used). */
export interface RunPlan {
  members: number;
  /** Members that post, spread over the client processes. */
  senders: number;
  /** Posts per second, all senders together, in the latency phase. */
  moderateRate: number;
  /**
   * Posts each client process keeps in the host in the throughput phase (posted, not yet at
   * its last-joined member): enough that the host never runs out of work, few enough that the
   * queue, and so the drain after the phase, stays short.
   */
  inFlight: number;
  /** How long each phase sends, and how much of its start is left out of the figures. */
  phaseMs: number;
  warmupMs: number;
}

/** What one phase measured. */
export interface PhaseResult {
  /** Deliveries (a post arriving at one member other than its sender) per second. */
  deliveriesPerS: number;
  p50: number;
  p99: number;
  /** Host CPU time (user + system) per delivery, in µs. */
  cpuPerDelivery: number;
  /** Host write system calls per delivery (NaN without /proc). */
  writesPerDelivery: number;
  /** Posts the senders skipped because their socket was backed up (the host was not reading). */
  skipped: number;
  /** Member connections the host closed during the phase (should be none). */
  closed: number;
}

export interface RunResult {
  kind: HostKind;
  /** From the first connection to the last member's welcome (the baseline: its last open), in ms. */
  fillMs: number;
  /** Host heap and RSS growth per idle member, in KB (1,024 bytes), after a full GC. */
  heapPerMember: number;
  rssPerMember: number;
  /** The same for the V8 heap reserved and for external memory (see HostStats), in KB. */
  heapTotalPerMember: number;
  externalPerMember: number;
  moderate: PhaseResult;
  saturation: PhaseResult;
}

const CLIENT_PROCESSES = 2;

export async function runOnce(
  kind: HostKind,
  plan: RunPlan,
  tls: { key: string; cert: string },
): Promise<RunResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-fanout-'));
  const host = forkHost();
  const clients: ClientChild[] = [];
  try {
    const { port } = await host.ask({ cmd: 'start', kind, ...tls, dataDir }, 'ready');
    for (let i = 0; i < CLIENT_PROCESSES; i++) clients.push(forkClient());
    const empty = await stats(host, true);
    const share = Math.ceil(plan.members / CLIENT_PROCESSES);
    const fillFrom = now();
    await Promise.all(
      clients.map((c, i) =>
        c.ask(
          { cmd: 'connect', kind, port, first: i * share, count: Math.min(share, plan.members - i * share) },
          'connected',
        ),
      ),
    );
    const fillMs = now() - fillFrom;
    await settle(host);
    const full = await stats(host, true);
    const heapPerMember = (full.heapUsed - empty.heapUsed) / plan.members / 1024;
    const rssPerMember = (full.rss - empty.rss) / plan.members / 1024;
    const heapTotalPerMember = (full.heapTotal - empty.heapTotal) / plan.members / 1024;
    const externalPerMember = (full.external - empty.external) / plan.members / 1024;
    const moderate = await phase(host, clients, plan, plan.moderateRate, null);
    await settle(host);
    // As fast as the host takes them: the in-flight bound is what limits the rate.
    const saturation = await phase(host, clients, plan, 1_000_000, plan.inFlight);
    return {
      kind,
      fillMs,
      heapPerMember,
      rssPerMember,
      heapTotalPerMember,
      externalPerMember,
      moderate,
      saturation,
    };
  } finally {
    await Promise.all(clients.map((c) => c.end({ cmd: 'stop' })));
    await host.end({ cmd: 'stop' });
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function stats(host: HostChild, gc: boolean): Promise<HostStats> {
  return (await host.ask({ cmd: 'stats', gc }, 'stats')).stats;
}

/**
 * Waits until the host is idle: under 5% of a core over a quarter second (the joins' and the
 * last phase's fan-out have drained). Bounded: after 20 s it goes on regardless.
 */
async function settle(host: HostChild): Promise<void> {
  const deadline = now() + 20_000;
  let before = await stats(host, false);
  while (now() < deadline) {
    await until(now() + 250);
    const after = await stats(host, false);
    const busy = (after.cpuMicros - before.cpuMicros) / 1000 / 250;
    before = after;
    if (busy < 0.05) return;
  }
}

/** The host's CPU time so far: from /proc when there is one (see cpuTime.ts), else asked. */
async function cpuMicros(host: HostChild): Promise<number> {
  return cpuMicrosOf(host.pid) ?? (await stats(host, false)).cpuMicros;
}

/** Resolves at a time on the shared clock (a measurement schedule, not a wait for an event). */
function until(t: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, t - now())));
}

async function phase(
  host: HostChild,
  clients: ClientChild[],
  plan: RunPlan,
  rate: number,
  maxInFlight: number | null,
): Promise<PhaseResult> {
  const start = now() + 300;
  const end = start + plan.phaseMs;
  const measureFrom = start + plan.warmupMs;
  const loads = clients.map((c) =>
    c.ask(
      {
        cmd: 'load',
        senders: Math.max(1, Math.floor(plan.senders / clients.length)),
        rate: rate / clients.length,
        maxInFlight,
        start,
        end,
        measureFrom,
        measureTo: end,
      },
      'loaded',
    ),
  );
  await until(measureFrom);
  const cpuFrom = await cpuMicros(host);
  const writesFrom = writeCallsOf(host.pid) ?? Number.NaN;
  await until(end);
  const cpuTo = await cpuMicros(host);
  const writesTo = writeCallsOf(host.pid) ?? Number.NaN;
  const results = await Promise.all(loads);
  const deliveries = results.reduce((n, r) => n + r.deliveries, 0);
  const latencies = results.flatMap((r) => r.latencies);
  return {
    deliveriesPerS: deliveries / ((end - measureFrom) / 1000),
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    cpuPerDelivery: deliveries ? (cpuTo - cpuFrom) / deliveries : Number.NaN,
    writesPerDelivery: deliveries ? (writesTo - writesFrom) / deliveries : Number.NaN,
    skipped: results.reduce((n, r) => n + r.skipped, 0),
    closed: results.reduce((n, r) => n + r.closed, 0),
  };
}

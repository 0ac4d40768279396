/**
 * The siege harness: a simulated LAN with the real headless host (`src/cli/host.ts`) on one
 * machine, the attacker on another (its own processes, so the host's CPU is measured alone) and
 * a good member on a third. The host is metered from /proc while the attack runs; each attack
 * reports one JSON line of figures and then asserts what must hold.
 *
 * Every process and namespace belongs to the siege and goes with `dispose()` (the test calls it
 * from onTestFinished); attacks are bounded in count and time by their own arguments.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { expect, onTestFinished } from 'vitest';
import { createLan, jsonLines, type Lan, type Line } from '../../lan/netns';
import { keepLog } from '../../support/logs';
import { HostMeter, type HostFigures } from './meter';
import { summarize, type ProbeResult } from './probeResult';

export { type ProbeResult } from './probeResult';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../../..');
const CLI = join(ROOT, 'src/cli/host.ts');
const PROBE = resolve(import.meta.dirname, 'probe.ts');
/** Where the attack scripts live. */
export const ATTACKS = resolve(import.meta.dirname, '../attacks');

/** `short` in `npm test` (CI), `full` under `npm run siege` (the figures). */
export const SCALE: 'short' | 'full' = process.env.SIEGE_SCALE === 'full' ? 'full' : 'short';

/** The value for the scale this run uses. */
export function scaled<T>(values: { short: T; full: T }): T {
  return values[SCALE];
}

/** The headless host under siege. */
export interface SiegeHost {
  child: ChildProcess;
  pid: number;
  port: number;
  roomId: string;
  fingerprint: string;
  /** The host machine's IPv4 and IPv6 addresses. */
  address: string;
  address6: string;
  dataDir: string;
  /** Everything the host printed (stdout and stderr lines), in order. */
  printed: string[];
}

/** A child process run for the siege, printing JSON lines. */
export interface SiegeProcess {
  child: ChildProcess;
  /** The next JSON line with `event` equal to `event` (see JsonLines.next). */
  next<T extends Line = Line>(event: string, timeoutMs: number): Promise<T>;
  /** Resolves once it has exited. */
  exited(): Promise<void>;
}

/** How to set a siege up. */
export interface SiegeOptions {
  /** Machines beyond `host`, `attacker` and `member`. */
  machines?: string[];
  /** Extra host CLI arguments (the name, data folder and interface are given). */
  hostArgs?: string[];
  /** Leave out `--interface` (the host then listens everywhere, IPv6 included). */
  anyInterface?: boolean;
  /** Leave out `--no-advertise` (discovery attacks need the room on mDNS). */
  advertise?: boolean;
  /** The host's data folder; default a fresh temporary folder. */
  dataDir?: string;
  /** Puts the data folder on a tmpfs of this many MB (a small disk that fills up). */
  tmpfsMB?: number;
  /** Fills the data folder before the host starts (seeded history). */
  seed?: (dataDir: string) => void;
  /** The room's name. */
  room?: string;
}

/** One attack's figures and verdict, as `npm run siege` tabulates them. */
export interface SiegeReport {
  attack: string;
  /** The siege's test file, relative to the repository (what proves the row). */
  test: string;
  scale: 'short' | 'full';
  /** What must hold, in one sentence with its bound. */
  holds: string;
  /** What was measured, in one short sentence with the figures. */
  measured: string;
  pass: boolean;
  host: HostFigures;
  figures: Record<string, unknown>;
}

/** A check the attack makes: printed with the report, then asserted. */
export interface Check {
  what: string;
  ok: boolean;
}

export class Siege {
  readonly meter: HostMeter;
  private readonly children = new Set<ChildProcess>();

  private constructor(
    readonly lan: Lan,
    readonly host: SiegeHost,
  ) {
    this.meter = new HostMeter(host.pid, host.dataDir);
  }

  /** Builds the LAN, starts the host and its meter; disposed when the test finishes. */
  static async start(opts: SiegeOptions = {}): Promise<Siege> {
    const lan = await createLan(['host', 'attacker', 'member', ...(opts.machines ?? [])], { ipv6: true });
    const ownDataDir = opts.dataDir ? null : mkdtempSync(join(tmpdir(), 'parley-siege-'));
    const dataDir = opts.dataDir ?? join(ownDataDir!, 'host');
    let siege: Siege | null = null;
    let mounted: string | null = null;
    onTestFinished(async () => {
      if (siege) await siege.dispose();
      else await lan.destroy();
      // After the host is gone (lan.destroy kills it), nothing holds the mount.
      if (mounted) await run('umount', [mounted]);
      if (ownDataDir) rmSync(ownDataDir, { recursive: true, force: true });
    });
    if (opts.tmpfsMB !== undefined) {
      mkdirSync(dataDir, { recursive: true });
      await run('mount', ['-t', 'tmpfs', '-o', `size=${opts.tmpfsMB}m,mode=0700`, 'parley-siege', dataDir]);
      mounted = dataDir;
    }
    opts.seed?.(dataDir);
    const host = await startHost(lan, dataDir, opts);
    siege = new Siege(lan, host);
    siege.meter.start();
    return siege;
  }

  /** The host's endpoint as the attacker and the member reach it over IPv4. */
  get endpoint(): { host: string; port: number } {
    return { host: this.host.address, port: this.host.port };
  }

  /** Arguments every attack script takes: where the room is and who it is. */
  targetArgs(): string[] {
    const h = this.host;
    return [
      '--host',
      h.address,
      '--host6',
      h.address6,
      '--port',
      String(h.port),
      '--fingerprint',
      h.fingerprint,
      '--room',
      h.roomId,
    ];
  }

  /** Sets a sysctl inside one machine's namespace (per-namespace settings only, e.g. tcp_rmem). */
  async sysctl(machine: string, key: string, value: string): Promise<void> {
    await run('ip', [
      'netns',
      'exec',
      this.lan.machines[machine]!.ns,
      'sysctl',
      '-q',
      '-w',
      `${key}=${value}`,
    ]);
  }

  /** Runs an attack script (test/siege/attacks/NAME.ts) on `machine` (default the attacker). */
  run(script: string, args: string[], machine = 'attacker'): SiegeProcess {
    const child = this.lan.spawn(machine, process.execPath, [
      '--import',
      'tsx',
      join(ATTACKS, `${script}.ts`),
      ...args,
    ]);
    return this.track(child, `${script}-${machine}`);
  }

  /** Runs any node script on `machine`. */
  node(machine: string, file: string, args: string[], name: string): SiegeProcess {
    const child = this.lan.spawn(machine, process.execPath, ['--import', 'tsx', file, ...args]);
    return this.track(child, name);
  }

  private track(child: ChildProcess, name: string): SiegeProcess {
    keepLog(child, `siege-${name}`);
    this.children.add(child);
    const exit = new Promise<void>((r) => {
      if (child.exitCode !== null || child.signalCode !== null) r();
      else child.once('exit', () => r());
    });
    void exit.then(() => this.children.delete(child));
    return {
      child,
      next: <T extends Line = Line>(event: string, timeoutMs: number) =>
        jsonLines(child).next<T>((l) => l.event === event, timeoutMs, `"${event}" from ${name}`),
      exited: () => exit,
    };
  }

  /**
   * Starts the good member on the `member` machine and resolves with what it measured: it
   * joins, posts `posts` messages `everyMs` apart, and exits.
   */
  async probe(
    opts: { posts?: number; everyMs?: number; passcode?: string; nick?: string; holdMs?: number } = {},
  ): Promise<ProbeResult> {
    const p = this.startProbe(opts);
    const result = await p.next<ProbeResult & Line>('result', 120_000);
    return summarize(result);
  }

  /** Starts the good member without waiting for it (see probe). */
  startProbe(
    opts: { posts?: number; everyMs?: number; passcode?: string; nick?: string; holdMs?: number } = {},
  ): SiegeProcess {
    const h = this.host;
    const args = ['--host', h.address, '--port', String(h.port), '--fingerprint', h.fingerprint];
    if (opts.posts !== undefined) args.push('--posts', String(opts.posts));
    if (opts.everyMs !== undefined) args.push('--every-ms', String(opts.everyMs));
    if (opts.passcode !== undefined) args.push('--passcode', opts.passcode);
    if (opts.nick !== undefined) args.push('--nick', opts.nick);
    if (opts.holdMs !== undefined) args.push('--hold-ms', String(opts.holdMs));
    return this.node('member', PROBE, args, 'probe');
  }

  /**
   * Stops the meter, prints the report as one JSON line (and appends it to $SIEGE_RESULTS for
   * `npm run siege`), then asserts every check.
   */
  report(r: Omit<SiegeReport, 'scale' | 'pass' | 'host' | 'test'>, checks: Check[]): SiegeReport {
    const host = this.meter.stop();
    const pass = checks.every((c) => c.ok);
    const test = relative(ROOT, expect.getState().testPath ?? '');
    const report: SiegeReport = { ...r, test, scale: SCALE, pass, host, figures: { ...r.figures, checks } };
    const line = JSON.stringify({ siege: report });
    console.log(line);
    if (process.env.SIEGE_RESULTS) appendFileSync(process.env.SIEGE_RESULTS, line + '\n');
    return report;
  }

  /** Kills the host as a crash would (SIGKILL), and resolves once it is gone. */
  async crashHost(): Promise<void> {
    this.meter.stop();
    const child = this.host.child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGKILL');
    await gone;
  }

  /** Kills every process of the siege and removes the LAN (the test's teardown removes the data). */
  async dispose(): Promise<void> {
    this.meter.stop();
    await this.lan.destroy();
  }
}

/** Starts the real CLI on the `host` machine; resolves once it printed its fingerprint and advertising line. */
function startHost(lan: Lan, dataDir: string, opts: SiegeOptions): Promise<SiegeHost> {
  const machine = lan.machines.host!;
  const args = [
    '--import',
    'tsx',
    CLI,
    '--name',
    opts.room ?? 'Siege',
    '--data',
    dataDir,
    '--nick',
    'Host desk',
  ];
  if (!opts.anyInterface) args.push('--interface', machine.address);
  if (!opts.advertise) args.push('--no-advertise');
  args.push(...(opts.hostArgs ?? []));
  const child = lan.spawn('host', process.execPath, args);
  keepLog(child, 'siege-host');
  const printed: string[] = [];
  child.stderr?.on('data', (d: Buffer) => printed.push(...d.toString().trimEnd().split('\n')));
  return new Promise((resolveHost, reject) => {
    let roomId = '';
    let port = 0;
    let fingerprint = '';
    const timer = setTimeout(() => reject(new Error(`host did not start:\n${printed.join('\n')}`)), 30_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      printed.push(line);
      roomId ||= /\(id ([^)]+)\)/.exec(line)?.[1] ?? '';
      const listening = /listening on wss:\/\/([\d.]+):(\d+)/.exec(line);
      if (listening) port = Number(listening[2]);
      fingerprint ||= /fingerprint \(SHA-256\) ([0-9a-f]{64})/.exec(line)?.[1] ?? '';
      if (/advertised/i.test(line) && port && fingerprint) {
        clearTimeout(timer);
        resolveHost({
          child,
          pid: child.pid!,
          port,
          roomId,
          fingerprint,
          address: machine.address,
          address6: machine.address6!,
          dataDir,
          printed,
        });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`host exited ${code}:\n${printed.join('\n')}`));
    });
  });
}

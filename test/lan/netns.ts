/**
 * The simulated LAN: Linux network namespaces joined by a bridge. Each machine is a namespace
 * with one veth "cable" into a hub namespace that holds the bridge, an address in 10.77.0.0/24
 * and a multicast route, so mDNS stays inside namespaces the test made (DESIGN.md's hard rule).
 *
 * Every interface is created with `ip -n <ns>`, so nothing is ever added to the machine's own
 * network namespace. Shared by the LAN tests and the Playwright e2e tests.
 */
import { execFile, execFileSync, spawn as spawnChild, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';

import { jsonLines } from './jsonLines';

export { jsonLines, lines, waitForLine, type JsonLines, type Line } from './jsonLines';

const run = promisify(execFile);

/** One simulated computer. */
export interface Machine {
  name: string;
  /** Its network namespace (for `ip netns exec`). */
  ns: string;
  /** Its IPv4 address on the LAN. */
  address: string;
}

export interface Lan {
  machines: Record<string, Machine>;
  /** Runs `command` inside `machine`'s namespace, with the inherited environment plus `opts.env`. */
  spawn(
    machine: string,
    command: string,
    args: string[],
    opts?: { env?: Record<string, string>; cwd?: string },
  ): ChildProcess;
  /** Plugs the machine's cable in or pulls it (the hub side of its veth goes up or down). */
  setLink(machine: string, up: boolean): Promise<void>;
  /** Kills every process it spawned (and anything else left in its namespaces), then deletes them. */
  destroy(): Promise<void>;
}

/** Every namespace this fixture makes starts with this; the pid after it tells whose it is. */
const PREFIX = 'parley-lan-';
const SUBNET = '10.77.0';
const MACHINE_NAME = /^[a-z][a-z0-9-]{0,15}$/;

let counter = 0;
let availability: { ok: true } | { ok: false; why: string } | undefined;

/** Live LANs of this process, for the exit handler. */
const live = new Set<{ namespaces: string[]; children: Set<ChildProcess> }>();

/** Whether this process can build a LAN: it must be root and `ip netns add` must work. */
export function netnsAvailable(): { ok: true } | { ok: false; why: string } {
  if (availability) return availability;
  if (process.platform !== 'linux')
    return (availability = { ok: false, why: `network namespaces need Linux, this is ${process.platform}` });
  if (process.getuid?.() !== 0)
    return (availability = { ok: false, why: 'creating network namespaces needs root (ip netns add)' });
  const probe = `${PREFIX}${process.pid}-probe`;
  try {
    execFileSync('ip', ['netns', 'add', probe], { stdio: 'pipe' });
    execFileSync('ip', ['netns', 'del', probe], { stdio: 'pipe' });
    availability = { ok: true };
  } catch (err) {
    const detail = (err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message;
    availability = { ok: false, why: `\`ip netns add\` failed: ${detail}` };
  }
  return availability;
}

/**
 * True when LAN tests can run. When they cannot: throws if CI is set (LAN tests must not be
 * skipped there), otherwise prints why and returns false so the caller can skip.
 */
export function requireNetnsOrSkip(): boolean {
  const status = netnsAvailable();
  if (status.ok) return true;
  if (process.env.CI)
    throw new Error(`LAN tests cannot run, and CI does not allow skipping them: ${status.why}.`);
  console.warn(`Skipping LAN tests: ${status.why}.`);
  return false;
}

/** Builds a LAN with one machine per name, at 10.77.0.10, 10.77.0.11, ... in that order. */
export async function createLan(names: string[]): Promise<Lan> {
  const status = netnsAvailable();
  if (!status.ok) throw new Error(`Cannot create a simulated LAN: ${status.why}.`);
  for (const name of names) {
    if (!MACHINE_NAME.test(name)) throw new Error(`Machine name "${name}" must match ${MACHINE_NAME}.`);
  }
  if (new Set(names).size !== names.length) throw new Error('Machine names must be unique.');
  if (names.length > 200) throw new Error('At most 200 machines fit in 10.77.0.10-209.');
  await sweepOrphans();

  const base = `${PREFIX}${process.pid}-${++counter}`;
  const hub = `${base}-hub`;
  const state = { namespaces: [] as string[], children: new Set<ChildProcess>() };
  live.add(state);
  const machines: Record<string, Machine> = {};
  const ip = (...args: string[]) => run('ip', args);

  try {
    await ip('netns', 'add', hub);
    state.namespaces.push(hub);
    await ip('-n', hub, 'link', 'set', 'lo', 'up');
    // No multicast snooping: with no IGMP querier on this LAN it could stop flooding mDNS.
    await ip('-n', hub, 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0', 'forward_delay', '0');
    await ip('-n', hub, 'link', 'set', 'br0', 'up');
    for (const [i, name] of names.entries()) {
      const ns = `${base}-${name}`;
      const address = `${SUBNET}.${10 + i}`;
      await ip('netns', 'add', ns);
      state.namespaces.push(ns);
      await ip('-n', ns, 'link', 'set', 'lo', 'up');
      await ip('-n', hub, 'link', 'add', `p${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
      await ip('-n', hub, 'link', 'set', `p${i}`, 'master', 'br0');
      await ip('-n', hub, 'link', 'set', `p${i}`, 'up');
      await ip('-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
      await ip('-n', ns, 'link', 'set', 'eth0', 'up');
      await ip('-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', 'eth0');
      machines[name] = { name, ns, address };
    }
  } catch (err) {
    await teardown(state);
    throw err;
  }

  const machine = (name: string): Machine => {
    const m = machines[name];
    if (!m) throw new Error(`No machine "${name}" on this LAN (${Object.keys(machines).join(', ')}).`);
    return m;
  };
  let destroyed: Promise<void> | null = null;

  return {
    machines,
    spawn(name, command, args, opts = {}) {
      if (destroyed) throw new Error('This LAN has been destroyed.');
      const child = spawnChild('ip', ['netns', 'exec', machine(name).ns, command, ...args], {
        env: { ...process.env, ...opts.env },
        cwd: opts.cwd,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      state.children.add(child);
      child.once('exit', () => state.children.delete(child));
      // An unread pipe that fills up would stall the child; a dead child's stdin must not crash us.
      child.stdin?.on('error', () => {});
      jsonLines(child); // start recording stdout now, so no line is missed
      return child;
    },
    async setLink(name, up) {
      const index = names.indexOf(machine(name).name);
      await ip('-n', hub, 'link', 'set', `p${index}`, up ? 'up' : 'down');
    },
    destroy() {
      destroyed ??= teardown(state);
      return destroyed;
    },
  };
}

async function teardown(state: { namespaces: string[]; children: Set<ChildProcess> }): Promise<void> {
  await Promise.all(
    [...state.children].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
  // Machines first, the hub (which holds the other ends of the cables) last.
  for (const ns of [...state.namespaces].reverse()) await deleteNamespace(ns);
  live.delete(state);
}

/** Kills whatever still runs in the namespace (grandchildren included), then deletes it. */
async function deleteNamespace(ns: string): Promise<void> {
  try {
    const { stdout } = await run('ip', ['netns', 'pids', ns]);
    for (const pid of stdout.split(/\s+/).filter(Boolean).map(Number)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  } catch {
    // The namespace may already be gone.
  }
  try {
    await run('ip', ['netns', 'del', ns]);
  } catch {
    // Already deleted.
  }
}

/** Deletes namespaces left by fixture processes that died without cleaning up (e.g. SIGKILL). */
async function sweepOrphans(): Promise<void> {
  let listing: string;
  try {
    listing = (await run('ip', ['netns', 'list'])).stdout;
  } catch {
    return;
  }
  for (const line of listing.split('\n')) {
    const ns = line.split(' ')[0] ?? '';
    const match = new RegExp(`^${PREFIX}(\\d+)-`).exec(ns);
    if (!match || isAlive(Number(match[1]))) continue;
    await deleteNamespace(ns);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Kills what the live LANs of this process spawned and deletes their namespaces, synchronously. */
function cleanupSync(): void {
  for (const state of live) {
    for (const child of state.children) {
      try {
        child.kill('SIGKILL');
      } catch {
        // Already gone.
      }
    }
    for (const ns of [...state.namespaces].reverse()) {
      try {
        const pids = execFileSync('ip', ['netns', 'pids', ns], { stdio: 'pipe' }).toString();
        for (const pid of pids.split(/\s+/).filter(Boolean)) {
          try {
            process.kill(Number(pid), 'SIGKILL');
          } catch {
            // Already gone.
          }
        }
        execFileSync('ip', ['netns', 'del', ns], { stdio: 'pipe' });
      } catch {
        // Nothing more can be done while exiting.
      }
    }
  }
  live.clear();
}

// Best effort when the test process ends without destroy() (a crash, a forgotten afterAll, a
// runner that terminates its worker). createLan also sweeps namespaces of dead processes.
process.on('exit', cleanupSync);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    cleanupSync();
    // Let the signal do what it would have done, unless someone else handles it.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  });
}

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
  /** Its IPv6 address on the LAN's unique local /64 (fd77::/64), when the LAN has IPv6. */
  address6?: string;
}

/** Addresses added to a machine by `Lan.addAddresses`, all on its one eth0. */
export interface ExtraAddresses {
  /** IPv4 aliases in 10.77.(index + 1).0/24: a /24 of the machine's own, routed on the LAN. */
  ipv4: string[];
  /** IPv6 addresses in the LAN's fd77::/64 (what one laptop can claim on a SLAAC segment); LANs with IPv6 only. */
  ipv6: string[];
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
  /**
   * Gives `machine` `ipv4` more IPv4 addresses (at most 254) and `ipv6` more IPv6 addresses
   * (at most 65,535) on its eth0, on top of those of earlier calls; resolves with all of them.
   * For attacks that rotate source addresses (bind a socket's `localAddress` to one).
   */
  addAddresses(machine: string, counts: { ipv4?: number; ipv6?: number }): Promise<ExtraAddresses>;
  /** Kills every process it spawned (and anything else left in its namespaces), then deletes them. */
  destroy(): Promise<void>;
}

/** Every namespace this fixture makes starts with this; the pid after it tells whose it is. */
const PREFIX = 'parley-lan-';
const SUBNET = '10.77.0';
/** Every machine's aliases (10.77.1.0/24 onwards) are on-link too: one route for the /16. */
const ALIAS_RANGE = '10.77.0.0/16';
/** The LAN's unique local IPv6 prefix (RFC 4193), one /64 like a SLAAC segment. */
const PREFIX6 = 'fd77::';
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

/** How a LAN is built beyond its machines. */
export interface LanOptions {
  /**
   * Also give the LAN IPv6: each machine an address in fd77::/64 (fd77::10, fd77::11, ...), and
   * `addAddresses` IPv6 addresses on demand. Off by default: an IPv6 address changes what
   * discovery announces (AAAA records), which the LAN tests pin down.
   */
  ipv6?: boolean;
}

/** Builds a LAN with one machine per name, at 10.77.0.10, 10.77.0.11, ... in that order. */
export async function createLan(names: string[], opts: LanOptions = {}): Promise<Lan> {
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
      const address6 = `${PREFIX6}${10 + i}`;
      await ip('netns', 'add', ns);
      state.namespaces.push(ns);
      await ip('-n', ns, 'link', 'set', 'lo', 'up');
      await ip('-n', hub, 'link', 'add', `p${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
      await ip('-n', hub, 'link', 'set', `p${i}`, 'master', 'br0');
      await ip('-n', hub, 'link', 'set', `p${i}`, 'up');
      await ip('-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
      await ip('-n', ns, 'link', 'set', 'eth0', 'up');
      await ip('-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', 'eth0');
      await ip('-n', ns, 'route', 'add', ALIAS_RANGE, 'dev', 'eth0');
      // nodad: usable at once (duplicate address detection would hold it for a second or so).
      if (opts.ipv6) await ip('-n', ns, 'addr', 'add', `${address6}/64`, 'dev', 'eth0', 'nodad');
      machines[name] = { name, ns, address, ...(opts.ipv6 && { address6 }) };
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
  const extras = new Map<string, ExtraAddresses>();

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
    async addAddresses(name, counts) {
      const m = machine(name);
      const index = names.indexOf(m.name);
      const have = extras.get(name) ?? { ipv4: [], ipv6: [] };
      extras.set(name, have);
      const ipv4 = counts.ipv4 ?? 0;
      const ipv6 = counts.ipv6 ?? 0;
      if (have.ipv4.length + ipv4 > 254) throw new Error('At most 254 IPv4 aliases fit in one /24.');
      if (have.ipv6.length + ipv6 > 0xffff) throw new Error('At most 65,535 extra IPv6 addresses.');
      if (ipv6 > 0 && !opts.ipv6) throw new Error('This LAN has no IPv6: createLan(names, { ipv6: true }).');
      // One `ip -batch` for all of them: a thousand separate `ip` processes would take seconds.
      const commands: string[] = [];
      const added: ExtraAddresses = { ipv4: [], ipv6: [] };
      for (let k = 0; k < ipv4; k++) {
        const a = `10.77.${index + 1}.${have.ipv4.length + k + 1}`;
        added.ipv4.push(a);
        commands.push(`addr add ${a}/32 dev eth0`);
      }
      for (let k = 0; k < ipv6; k++) {
        const a = `${PREFIX6}${(index + 1).toString(16)}:${(have.ipv6.length + k + 1).toString(16)}`;
        added.ipv6.push(a);
        commands.push(`addr add ${a}/128 dev eth0 nodad`);
      }
      if (commands.length > 0) await batch(m.ns, commands);
      have.ipv4.push(...added.ipv4);
      have.ipv6.push(...added.ipv6);
      return { ipv4: [...have.ipv4], ipv6: [...have.ipv6] };
    },
    destroy() {
      destroyed ??= teardown(state);
      return destroyed;
    },
  };
}

/** Runs `ip` commands inside `ns` in one process (`ip -n NS -batch -`). */
function batch(ns: string, commands: string[]): Promise<void> {
  return new Promise((resolveBatch, reject) => {
    const child = spawnChild('ip', ['-n', ns, '-batch', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolveBatch()
        : reject(new Error(`ip -batch in ${ns} failed (${code}): ${stderr.trim()}`)),
    );
    child.stdin.end(commands.join('\n') + '\n');
  });
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

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { seedHistory } from '../../test/support/seedHistory';
import { AgentClient } from '../../test/support/AgentClient';

const ROOT = resolve(import.meta.dirname, '../..');
const HOST_CLI = join(ROOT, 'src/cli/host.ts');
const AGENT = join(ROOT, 'test/support/agent.ts');

/**
 * Everything the benchmark starts: processes and temp folders. `dispose` ends them all, and is
 * also run on the way out of the process, so an overrun or a crash leaves nothing behind.
 */
export class Leftovers {
  readonly #children = new Set<ChildProcess>();
  readonly #dirs = new Set<string>();
  readonly #onExit = () => this.#killNow();

  constructor() {
    process.once('exit', this.#onExit);
  }

  dir(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    this.#dirs.add(dir);
    return dir;
  }

  /** Starts `node --import tsx script args`, killed with the rest. */
  node(script: string, args: string[]): ChildProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#children.add(child);
    child.once('exit', () => this.#children.delete(child));
    return child;
  }

  async dispose(): Promise<void> {
    const gone = [...this.#children].map(
      (child) =>
        new Promise<void>((r) =>
          child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r()),
        ),
    );
    this.#killNow();
    await Promise.all(gone);
    process.removeListener('exit', this.#onExit);
  }

  #killNow(): void {
    for (const child of this.#children) child.kill('SIGKILL');
    for (const dir of this.#dirs) rmSync(dir, { recursive: true, force: true });
    this.#dirs.clear();
  }
}

/** Resolves with the first line matching `pattern`; rejects if the process exits or takes too long. */
function lineOf(
  child: ChildProcess,
  pattern: RegExp,
  what: string,
  timeoutMs = 30_000,
): Promise<RegExpExecArray> {
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolveLine, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${what}: nothing after ${timeoutMs} ms\n${stderr}`)),
      timeoutMs,
    );
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = pattern.exec(line);
      if (!m) return;
      clearTimeout(timer);
      resolveLine(m);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code})\n${stderr}`));
    });
  });
}

/** A headless host (`npm run host`) not advertised anywhere, reached at 127.0.0.1. */
export interface LoopbackRoom {
  name: string;
  /** "127.0.0.1:port", what a member types into "Join by address". */
  address: string;
  /** Messages in its history, numbered 1 to `count`. */
  count: number;
}

/**
 * Seeds a room of `count` messages (one transaction) and starts the real headless host over it
 * with --no-advertise: no mDNS at all; the benchmark joins it by its loopback address.
 */
export async function startRoom(left: Leftovers, name: string, count: number): Promise<LoopbackRoom> {
  const data = left.dir('parley-bench-host-');
  seedHistory(data, name, count);
  const child = left.node(HOST_CLI, [
    '--name',
    name,
    '--data',
    data,
    '--no-advertise',
    '--nick',
    'Bench host',
  ]);
  const m = await lineOf(child, /listening on wss:\/\/127\.0\.0\.1:(\d+)/, `host of ${name}`);
  return { name, address: `127.0.0.1:${m[1]}`, count };
}

/** The test agent (a whole ChatApp, discovery off) the window is bound to, as in the e2e tests. */
export async function startMember(left: Leftovers): Promise<AgentClient> {
  return (await startMemberProcess(left)).client;
}

/** startMember, with the agent's process (to read its CPU time and memory from /proc). */
export async function startMemberProcess(left: Leftovers): Promise<{ client: AgentClient; pid: number }> {
  const dir = left.dir('parley-bench-member-');
  const socket = join(dir, 'agent.sock');
  const child = left.node(AGENT, [
    '--socket',
    socket,
    '--data',
    join(dir, 'data'),
    '--nick',
    'Reader',
    '--no-discovery',
  ]);
  await lineOf(child, /"ready"/, 'member agent');
  const client = await AgentClient.connect(socket);
  await client.syncFromSnapshot();
  return { client, pid: child.pid! };
}

import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Lan } from '../lan/netns';
import { AgentClient } from './AgentClient';
import { keepLog } from './logs';

const AGENT = resolve(import.meta.dirname, 'agent.ts');

/** A headless Parley app running on one simulated machine, and the client that drives it. */
export interface RunningAgent {
  client: AgentClient;
  child: ChildProcess;
  machine: string;
  /** The machine's LAN address. */
  address: string;
  /** The app's data folder (settings, member.db, host.db). */
  dataDir: string;
  /** Kills the process and removes its data folder. */
  dispose(): Promise<void>;
}

/** Waits for a child's `{"event":"ready"}` line; rejects with its stderr if it exits first. */
function ready(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolveReady, reject) => {
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(
      () => reject(new Error(`agent not ready after ${timeoutMs} ms\n${stderr}`)),
      timeoutMs,
    );
    lines.on('line', (line) => {
      if (line.includes('"ready"')) {
        clearTimeout(timer);
        resolveReady();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`agent exited (${code}) before it was ready\n${stderr}`));
    });
  });
}

/** Starts the test agent (a whole ChatApp) inside `machine`'s namespace. */
export async function startAgent(
  lan: Lan,
  machine: string,
  nick: string,
  opts: { discovery?: boolean; probeMs?: number; dataDir?: string } = {},
): Promise<RunningAgent> {
  const dir = mkdtempSync(join(tmpdir(), `parley-${machine}-`));
  const socket = join(dir, 'agent.sock');
  // A given data folder outlives the agent (an app restarted on the same data); ours does not.
  const dataDir = opts.dataDir ?? join(dir, 'data');
  const args = ['--import', 'tsx', AGENT, '--socket', socket, '--data', dataDir, '--nick', nick];
  if (opts.discovery === false) args.push('--no-discovery');
  if (opts.probeMs !== undefined) args.push('--probe-ms', String(opts.probeMs));
  const child = lan.spawn(machine, process.execPath, args);
  keepLog(child, `agent-${machine}`);
  await ready(child, 30_000);
  const client = await AgentClient.connect(socket);
  await client.syncFromSnapshot();
  return {
    client,
    child,
    machine,
    address: lan.machines[machine]!.address,
    dataDir,
    async dispose() {
      client.close();
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Stops an agent the friendly way (SIGTERM: it leaves rooms and sends goodbyes) and waits. */
export async function stopGracefully(agent: RunningAgent): Promise<number | null> {
  const exited = new Promise<number | null>((r) => agent.child.once('exit', (code) => r(code)));
  agent.child.kill('SIGTERM');
  return exited;
}

import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Lan } from '../lan/netns';
import { keepLog } from './logs';

const CLI = resolve(import.meta.dirname, '../../src/cli/host.ts');

/** `npm run host` running on one simulated machine. */
export interface HeadlessHost {
  child: ChildProcess;
  roomId: string;
  port: number;
  /** Everything it printed so far. */
  printed: string[];
}

/**
 * Starts the headless host (the real CLI) on `machine` and resolves once it prints the address
 * it listens on there. Extra CLI arguments (`--data`, `--port`…) pass through.
 */
export function startHeadlessHost(lan: Lan, machine: string, args: string[]): Promise<HeadlessHost> {
  const address = lan.machines[machine]!.address;
  const child = lan.spawn(machine, process.execPath, [
    '--import',
    'tsx',
    CLI,
    '--interface',
    address,
    ...args,
  ]);
  keepLog(child, `host-${machine}`);
  const printed: string[] = [];
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolveHost, reject) => {
    let roomId = '';
    createInterface({ input: child.stdout! }).on('line', (line) => {
      printed.push(line);
      const id = /\(id ([^)]+)\)/.exec(line);
      if (id) roomId = id[1]!;
      const m = /listening on wss:\/\/([\d.]+):(\d+)/.exec(line);
      if (m && m[1] === address) resolveHost({ child, roomId, port: Number(m[2]), printed });
    });
    child.once('exit', (code) => reject(new Error(`host exited ${code}:\n${printed.join('\n')}\n${stderr}`)));
  });
}

/** Resolves with the exit code once the process has exited. */
export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((r) => child.once('exit', (code) => r(code)));
}

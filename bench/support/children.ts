/** Reading and stopping the child processes of a benchmark. */
import type { ChildProcess } from 'node:child_process';
import { waitForLine, type Line } from '../../test/lan/netns';

/** A JSON line printed by a bench child (see clock.ts emit): `event` and its timestamp `t`. */
export type Stamped = Line & { event: string; t: number };

/** The child's next line with this `event` (and, if given, satisfying `also`). */
export function nextEvent<T extends Stamped = Stamped>(
  child: ChildProcess,
  event: string,
  timeoutMs: number,
  also: (line: T) => boolean = () => true,
): Promise<T> {
  return waitForLine<T>(child, (l) => l.event === event && also(l), timeoutMs, `"${event}"`);
}

/** Sends one JSON command line to the child. */
export function command(child: ChildProcess, cmd: Record<string, unknown>): void {
  child.stdin!.write(`${JSON.stringify(cmd)}\n`);
}

/** Resolves once the child has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Kills the child with `signal` unless it has exited, and waits for it to be gone. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  await exited(child);
}

/** Waits up to `graceMs` for the child to exit by itself (after being told to), then kills it. */
export async function reap(child: ChildProcess, graceMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
  await Promise.race([exited(child), late]);
  clearTimeout(timer);
  await stopChild(child);
}

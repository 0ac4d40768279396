/**
 * The fan-out benchmark's child processes, seen from the parent: forked with tsx, asked a
 * question over IPC, answered (or failing loudly when a child errs or dies), and always ended.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { ClientCommand, ClientReply, HostCommand, HostReply } from './ipc';

/**
 * No single request may take longer than this; the group's own time limit is the backstop.
 * Filling the 5,000-member room is the longest (~60 s for Parley on 2 shared cores).
 */
const REQUEST_TIMEOUT_MS = 180_000;

/** A forked child that answers each command with one reply. */
export class Child<Command, Reply extends { type: string }> {
  private readonly proc: ChildProcess;
  private exited = false;

  constructor(file: string, execArgv: string[]) {
    this.proc = fork(resolve(import.meta.dirname, file), [], {
      execArgv: ['--import', 'tsx', ...execArgv],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.proc.once('exit', () => (this.exited = true));
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  /** Sends `command` and resolves with the next reply of type `type`. */
  ask<T extends Reply['type']>(command: Command, type: T): Promise<Extract<Reply, { type: T }>> {
    return new Promise((resolvePromise, reject) => {
      const cleanup = (): void => {
        clearTimeout(timer);
        this.proc.off('message', onMessage);
        this.proc.off('exit', onExit);
      };
      const onMessage = (raw: unknown): void => {
        const reply = raw as Reply | { type: 'error'; message: string };
        if (reply.type === type) {
          cleanup();
          resolvePromise(reply as Extract<Reply, { type: T }>);
        } else if (reply.type === 'error') {
          cleanup();
          reject(new Error((reply as { message: string }).message));
        }
      };
      const onExit = (code: number | null): void => {
        cleanup();
        reject(new Error(`a benchmark process exited (${code}) while asked for "${type}"`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`a benchmark process did not answer "${type}" in time`));
      }, REQUEST_TIMEOUT_MS);
      this.proc.on('message', onMessage);
      this.proc.once('exit', onExit);
      this.proc.send(command as object);
    });
  }

  /** Asks the child to stop, and kills it if it has not within `graceMs`. */
  async end(stop: Command, graceMs = 5_000): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((r) => this.proc.once('exit', () => r()));
    try {
      this.proc.send(stop as object);
    } catch {
      // The channel is already closed: the kill below settles it.
    }
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
  }
}

export type HostChild = Child<HostCommand, HostReply>;
export type ClientChild = Child<ClientCommand, ClientReply>;

/**
 * The host runs with --expose-gc, so its memory figures are taken after a full collection.
 * FANOUT_HOST_FLAGS adds Node flags for finding costs, e.g. "--cpu-prof --cpu-prof-dir=/tmp/p".
 */
export function forkHost(): HostChild {
  const extra = process.env.FANOUT_HOST_FLAGS?.split(' ').filter(Boolean) ?? [];
  return new Child<HostCommand, HostReply>('hostProcess.ts', ['--expose-gc', ...extra]);
}

export function forkClient(): ClientChild {
  return new Child<ClientCommand, ClientReply>('clientProcess.ts', []);
}

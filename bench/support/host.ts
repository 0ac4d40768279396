/** The real headless host (src/cli/host.ts), started on a benchmark's simulated machine. */
import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Lan } from '../../test/lan/netns';
import { wallNow } from './clock';

const CLI = resolve(import.meta.dirname, '../../src/cli/host.ts');

export interface RunningHost {
  child: ChildProcess;
  roomId: string;
  fingerprint: string;
  /** When its "listening on wss://ADDRESS:PORT" line reached us (printed once it listens). */
  listeningAt: number;
  /**
   * When its Discovery advertised the room, stamped by the host itself (its PARLEY_DEBUG=discovery
   * trace, millisecond resolution); undefined when it does not advertise.
   */
  advertisedAt: number | undefined;
}

/**
 * Starts the host on `machine` with `args` and resolves once it listens on `address` and has
 * told its fingerprint. Runs with PARLEY_REQUIRE_NETNS=1: any mDNS stays in the namespace.
 */
export function startHost(
  lan: Lan,
  machine: string,
  args: string[],
  address = '127.0.0.1',
): Promise<RunningHost> {
  const child = lan.spawn(machine, process.execPath, ['--import', 'tsx', CLI, ...args], {
    env: { PARLEY_REQUIRE_NETNS: '1', PARLEY_DEBUG: 'discovery' },
  });
  let stderr = '';
  let advertisedAt: number | undefined;
  createInterface({ input: child.stderr! }).on('line', (line) => {
    stderr = (stderr + line + '\n').slice(-4000);
    const traced = /^\[discovery (\S+)\] advertise /.exec(line);
    if (traced && advertisedAt === undefined) advertisedAt = Date.parse(traced[1]!);
  });
  return new Promise((resolveHost, reject) => {
    let roomId = '';
    let listeningAt = 0;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const id = /\(id ([^)]+)\)/.exec(line);
      if (id) roomId = id[1]!;
      if (line.includes(`listening on wss://${address}:`)) listeningAt = wallNow();
      const fp = /fingerprint \(SHA-256\) ([0-9a-f]{64})/.exec(line);
      // The trace is written (stderr) before the listening lines (stdout), but the two pipes
      // may be read in either order: it is looked up again by whoever needs it.
      if (fp && listeningAt) {
        resolveHost({
          child,
          roomId,
          fingerprint: fp[1]!,
          listeningAt,
          get advertisedAt() {
            return advertisedAt;
          },
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`host exited (${code}) before listening:\n${stderr}`)));
  });
}

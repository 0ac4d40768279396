import { connect, type Socket } from 'node:net';
import { onTestFinished } from 'vitest';
import type { LedgerCounts } from '../../../src/core/host/admission/SocketLedger';
import type { RoomHost } from '../../../src/core/host/RoomHost';

/** How long a flood helper waits for the host to have seen what was sent, before failing the test. */
const WAIT_MS = 10_000;

/** How many connections a flood opens at once (the host's listen backlog is 511). */
const CHUNK = 100;

/** How an IdleFlood connects. */
export interface FloodOptions {
  /** Local addresses to connect from, in turn (all of 127.0.0.0/8 is this machine's). */
  from: string[];
  /** Open a new connection whenever the host closes one, as an attacker renewing its hold would. */
  refill?: boolean;
  /** Most connections to open in all, refills included: the attack stops by itself. */
  maxOpens?: number;
}

/**
 * TCP connections to a room that never send a byte (no ClientHello): the idle-socket attack.
 * Every socket is destroyed when the test ends, and refilling stops.
 */
export class IdleFlood {
  /** Connections opened so far, refills included. */
  opened = 0;
  /** Of those, the ones the host has closed or reset. */
  closed = 0;
  private readonly open = new Set<Socket>();
  private next = 0;
  private stopped = false;
  private readonly maxOpens: number;
  private onClosed: (() => void) | null = null;

  private constructor(
    private readonly port: number,
    private readonly opts: FloodOptions,
  ) {
    this.maxOpens = opts.maxOpens ?? 20_000;
  }

  /** Opens `count` idle connections to 127.0.0.1:port and resolves once each has connected or failed. */
  static async start(port: number, count: number, opts: FloodOptions): Promise<IdleFlood> {
    const flood = new IdleFlood(port, opts);
    onTestFinished(() => flood.stop());
    for (let done = 0; done < count; done += CHUNK) {
      const chunk = Math.min(CHUNK, count - done);
      await Promise.all(Array.from({ length: chunk }, () => flood.connectOne()));
    }
    return flood;
  }

  /** Connections still open on this side (the host has not closed them, or we have not seen it yet). */
  get held(): number {
    return this.open.size;
  }

  /** Resolves once the host has closed every connection opened so far (refilling must be off). */
  async allClosed(): Promise<void> {
    while (this.open.size > 0) await new Promise<void>((resolve) => (this.onClosed = resolve));
  }

  /** Stops refilling and destroys every connection still open. */
  stop(): void {
    this.stopped = true;
    for (const socket of this.open) socket.destroy();
  }

  private connectOne(): Promise<void> {
    if (this.stopped || this.opened >= this.maxOpens) return Promise.resolve();
    const localAddress = this.opts.from[this.next++ % this.opts.from.length]!;
    this.opened++;
    const socket = connect({ port: this.port, host: '127.0.0.1', localAddress });
    this.open.add(socket);
    return new Promise((resolve) => {
      socket.once('connect', () => resolve());
      socket.on('error', () => {});
      socket.once('close', () => {
        resolve();
        this.open.delete(socket);
        if (this.stopped) return;
        this.closed++;
        this.onClosed?.();
        if (this.opts.refill) void this.connectOne();
      });
    });
  }
}

/** Resolves once the host's admission counts satisfy `check` (its accepts and closes run on this event loop). */
export async function admissionUntil(
  host: RoomHost,
  check: (counts: LedgerCounts) => boolean,
): Promise<LedgerCounts> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const counts = host.admission();
    if (check(counts)) return counts;
    if (Date.now() > deadline)
      throw new Error(
        `the host's admission did not get there within ${WAIT_MS} ms: ${JSON.stringify(counts)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Resolves once the host has accepted (and judged) at least `count` TCP connections in all. */
export function hostHasSeen(host: RoomHost, count: number): Promise<LedgerCounts> {
  return admissionUntil(host, (counts) => counts.seen >= count);
}

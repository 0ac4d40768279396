/**
 * What the fan-out benchmark's processes say to each other over Node's IPC channel. These are
 * the benchmark's own processes, started by it; nothing here crosses the network.
 */

/** Characters of text in each post (the send time, padding, the sending process's tag). */
export const TEXT_CHARS = 100;

/** Which host a run measures. */
export type HostKind = 'parley' | 'ws';

/** Parent -> host process. */
export type HostCommand =
  | { cmd: 'start'; kind: HostKind; key: string; cert: string; dataDir: string }
  | { cmd: 'stats'; gc: boolean }
  | { cmd: 'stop' };

/** What a host process reports about itself. */
export interface HostStats {
  /** process.cpuUsage(): user + system microseconds since the process started. */
  cpuMicros: number;
  heapUsed: number;
  /** V8 heap reserved (used or not): part of the RSS that heapUsed does not show. */
  heapTotal: number;
  /** Memory outside the V8 heap that JS objects hold (Buffers...). */
  external: number;
  rss: number;
}

/** Host process -> parent. */
export type HostReply =
  { type: 'ready'; port: number } | { type: 'stats'; stats: HostStats } | { type: 'error'; message: string };

/** Parent -> client process. */
export type ClientCommand =
  | { cmd: 'connect'; kind: HostKind; port: number; count: number; first: number }
  | {
      cmd: 'load';
      /** How many of this process's connections send (the first ones). */
      senders: number;
      /** Posts per second this process sends in all, spread over its senders. */
      rate: number;
      /**
       * Most of this process's posts not yet seen by its last-joined member (see
       * clientProcess.ts); null: no bound, a fixed rate whatever the host does.
       */
      maxInFlight: number | null;
      /** Shared clock (see now()): sending runs from `start` to `end`. */
      start: number;
      end: number;
      /** Deliveries received within [measureFrom, measureTo) are counted and timed. */
      measureFrom: number;
      measureTo: number;
    }
  | { cmd: 'stop' };

/** Client process -> parent. */
export type ClientReply =
  | { type: 'connected'; count: number }
  | {
      type: 'loaded';
      /** Posts sent, and posts skipped because the sender's socket was backed up. */
      sent: number;
      skipped: number;
      /** Deliveries received in the measured window. */
      deliveries: number;
      /** Send-to-receipt milliseconds of those deliveries. */
      latencies: number[];
      /** Connections the host closed during the load (a host that cut slow members). */
      closed: number;
    }
  | { type: 'error'; message: string };

/**
 * Milliseconds on a clock every process on this machine shares: performance.timeOrigin is when
 * this process started, on the wall clock, to a fraction of a millisecond, and performance.now()
 * counts from there monotonically. Date.now() alone would do too, but only to whole milliseconds.
 */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

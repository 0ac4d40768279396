/**
 * Meters the host process from outside, as `top` would: CPU from /proc/PID/stat (user + system
 * ticks), resident memory from /proc/PID/status (VmRSS), sampled every 100 ms so a short peak
 * is seen, and the size of its database (host.db plus its write-ahead log).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** What the host spent during the attack. */
export interface HostFigures {
  /** CPU of the host process over the attack, in % of one core. */
  cpuPct: number;
  /** Resident memory when the attack began, at its peak, and at the end (MB). */
  rssIdleMB: number;
  rssPeakMB: number;
  rssFinalMB: number;
  /** The database (host.db + host.db-wal) at the end, and its growth during the attack (MB). */
  dbMB: number;
  dbGrowthMB: number;
  /** Seconds from mark() (the attack's start) to stop(). */
  seconds: number;
}

const TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const MB = 1024 * 1024;

/** Meters one process; start() begins sampling, mark() starts the attack window, stop() ends it. */
export class HostMeter {
  private timer: NodeJS.Timeout | null = null;
  private peakKB = 0;
  private lastKB = 0;
  private mark0: { at: number; ticks: number; rssKB: number; db: number } | null = null;
  private result: HostFigures | null = null;

  constructor(
    private readonly pid: number,
    private readonly dataDir: string,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.sample(), 100);
    this.timer.unref();
    this.mark();
  }

  /** The attack begins now: CPU, peak RSS and db growth are counted from here. */
  mark(): void {
    this.sample();
    this.peakKB = this.lastKB;
    this.mark0 = { at: performance.now(), ticks: this.ticks(), rssKB: this.lastKB, db: this.dbBytes() };
  }

  /** The host's resident memory now (MB). */
  rssMB(): number {
    this.sample();
    return this.lastKB / 1024;
  }

  /** The database's size now (MB). */
  dbMB(): number {
    return this.dbBytes() / MB;
  }

  /** Ends the window (idempotent) and returns the figures. */
  stop(): HostFigures {
    if (this.result) return this.result;
    this.sample();
    if (this.timer) clearInterval(this.timer);
    const m = this.mark0!;
    const seconds = (performance.now() - m.at) / 1000;
    const ticks = this.ticks() - m.ticks;
    const db = this.dbBytes();
    const round = (x: number) => Math.round(x * 10) / 10;
    this.result = {
      cpuPct: round(seconds > 0 ? (ticks / TICKS / seconds) * 100 : 0),
      rssIdleMB: round(m.rssKB / 1024),
      rssPeakMB: round(this.peakKB / 1024),
      rssFinalMB: round(this.lastKB / 1024),
      dbMB: round(db / MB),
      dbGrowthMB: round((db - m.db) / MB),
      seconds: round(seconds),
    };
    return this.result;
  }

  private sample(): void {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      if (kb > 0) this.lastKB = kb;
      this.peakKB = Math.max(this.peakKB, this.lastKB);
    } catch {
      // The host has exited: keep the last figures.
    }
  }

  private lastTicks = 0;
  private ticks(): number {
    try {
      const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
      // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      this.lastTicks = Number(fields[11]) + Number(fields[12]);
    } catch {
      // Gone: the last reading stands.
    }
    return this.lastTicks;
  }

  private dbBytes(): number {
    let total = 0;
    for (const f of ['host.db', 'host.db-wal']) {
      try {
        total += statSync(join(this.dataDir, f)).size;
      } catch {
        // Not there (yet).
      }
    }
    return total;
  }
}

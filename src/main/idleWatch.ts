import { AWAY_AFTER_MS } from '../core/attention/ownStatus';

export interface IdleWatchDeps {
  /** Seconds since the last keyboard or mouse input anywhere (Electron: powerMonitor.getSystemIdleTime). */
  idleSeconds(): number;
  /** Told each change: idle (away) or back. */
  changed(idle: boolean): void;
  /** How often to look, in ms. */
  everyMs?: number;
  awayAfterMs?: number;
}

/**
 * Whether the user is away from the machine: idle for AWAY_AFTER_MS, or the screen locked.
 * Electron has no event for input coming back, so the idle time is looked at every `everyMs`.
 */
export class IdleWatch {
  private timer: NodeJS.Timeout | null = null;
  private locked = false;
  private idle = false;

  constructor(private readonly deps: IdleWatchDeps) {}

  start(): void {
    this.check();
    this.timer = setInterval(() => this.check(), this.deps.everyMs ?? 30_000);
    this.timer.unref();
  }

  /** The screen locked: away at once. */
  lock(): void {
    this.locked = true;
    this.check();
  }

  unlock(): void {
    this.locked = false;
    this.check();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private check(): void {
    const idle = this.locked || this.deps.idleSeconds() * 1000 >= (this.deps.awayAfterMs ?? AWAY_AFTER_MS);
    if (idle === this.idle) return;
    this.idle = idle;
    this.deps.changed(idle);
  }
}

import { encodeFrame } from '../../shared/codec';
import { LIMITS, type Status } from '../../shared/protocol';

/**
 * Tells the room's host what the member says of itself (away, busy, active), once per change
 * and never faster than the host takes it: LIMITS.statusEveryMs apart, the latest wish going
 * when that time is up. Each new session starts the host over at 'active', so a welcome sends
 * it again. A host that does not know the frame (UNKNOWN_TYPE) is told nothing more on that
 * session.
 */
export class StatusSender {
  private wanted: Status = 'active';
  /** What this session's host was last told. */
  private said: Status = 'active';
  private supported = true;
  private lastAt = -Infinity;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    /** Sends on the current session; false when there is none. */
    private readonly send: (frame: string) => boolean,
    private readonly now: () => number = () => performance.now(),
    private readonly everyMs: number = LIMITS.statusEveryMs,
  ) {}

  get status(): Status {
    return this.wanted;
  }

  set(status: Status): void {
    this.wanted = status;
    this.flush();
  }

  /** A new session is up: its host knows nothing of our status yet. */
  welcomed(): void {
    this.stop();
    this.said = 'active';
    this.supported = true;
    this.flush();
  }

  /** The host answered UNKNOWN_TYPE: it predates statuses. */
  unsupported(): void {
    this.supported = false;
    this.stop();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private flush(): void {
    if (!this.supported || this.wanted === this.said) return;
    const wait = this.lastAt + this.everyMs - this.now();
    if (wait > 0) {
      this.timer ??= setTimeout(() => {
        this.timer = null;
        this.flush();
      }, wait);
      return;
    }
    if (this.send(encodeFrame({ type: 'status', status: this.wanted }))) {
      this.said = this.wanted;
      this.lastAt = this.now();
    }
  }
}

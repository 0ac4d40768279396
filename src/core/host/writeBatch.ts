import type { Writable } from 'node:stream';

/**
 * Holds a member's socket writes back until the end of the event-loop turn, then lets them go
 * together. Under load one turn handles several posts, and each would otherwise reach every
 * member as its own TLS record and its own system call: corked, they leave as one record per
 * member per turn (Node hands a corked TLS socket's chunks to OpenSSL in one write). That write
 * per member is the host's largest cost by far (bench/fanout).
 *
 * The turn ends in setImmediate, which runs right after the I/O callbacks of the loop's
 * iteration: nothing waits for a timer, and a lone post goes out as soon as its fan-out is
 * done. Frames keep their order: they are only held, never reordered.
 */
export class WriteBatch {
  private readonly held = new Set<Writable>();
  private scheduled = false;
  private readonly release = (): void => this.flush();

  /** `atTurnEnd` runs at the end of each turn, before the writes go out (and may add to them). */
  constructor(private readonly atTurnEnd: () => void = () => {}) {}

  /** Makes sure the end of this turn is handled (atTurnEnd, then the writes). */
  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.release);
  }

  /** Corks `socket` until the end of this turn (once per turn, however many frames it gets). */
  hold(socket: Writable): void {
    if (this.held.has(socket)) return;
    this.schedule();
    socket.cork();
    this.held.add(socket);
  }

  /** Ends the turn: atTurnEnd, then every socket held is uncorked and its writes go out. */
  flush(): void {
    this.scheduled = false;
    try {
      this.atTurnEnd();
    } finally {
      // A destroyed socket ignores uncork(); its 'close' does the cleanup elsewhere.
      for (const socket of this.held) socket.uncork();
      this.held.clear();
    }
  }
}

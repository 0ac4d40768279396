import type { ChatMessage } from '../../shared/protocol';

/**
 * The room's messages as this client has passed them on: which seqs it has emitted (so none is
 * emitted twice, whether it came in a welcome, a page or live) and the highest one, which is
 * what the next hello asks to continue from.
 */
export class Timeline {
  private readonly seen = new Set<number>();
  private top: number | undefined;

  constructor(private readonly stored: () => number | undefined) {}

  /** For a hello: the highest seq we have, here or in the caller's saved copy. */
  since(): number | undefined {
    const stored = this.stored();
    if (stored === undefined) return this.top;
    return this.top === undefined ? stored : Math.max(stored, this.top);
  }

  /** The highest seq emitted so far by this client (not counting the saved copy). */
  get highest(): number | undefined {
    return this.top;
  }

  /** The messages not emitted before, oldest first; they count as emitted from now on. */
  take(messages: readonly ChatMessage[]): ChatMessage[] {
    const fresh: ChatMessage[] = [];
    for (const message of [...messages].sort((a, b) => a.seq - b.seq)) {
      if (this.seen.has(message.seq)) continue;
      this.seen.add(message.seq);
      fresh.push(message);
      if (this.top === undefined || message.seq > this.top) this.top = message.seq;
    }
    return fresh;
  }
}

import type { ChatMessage } from '../../shared/protocol';

/**
 * Which of the room's seqs this client has passed on (so none is emitted twice, whether it
 * came in a welcome, a page or live) and the highest one, which is what the next hello asks to
 * continue from. (The window's "timeline" is the rendered list; this is only the seqs.)
 */
export class SeenSeqs {
  private readonly seen = new Set<number>();
  private top: number | undefined;

  constructor(private readonly stored: () => number | undefined) {}

  /** For a hello: the highest seq we have, here or in the caller's saved copy. */
  since(): number | undefined {
    const stored = this.stored();
    if (stored === undefined) return this.top;
    return this.top === undefined ? stored : Math.max(stored, this.top);
  }

  /**
   * Forgets every seq: they named messages of another history (see RoomClient's copyReplaced).
   * The caller's saved copy must be gone too, or since() would still answer from it.
   */
  restart(): void {
    this.seen.clear();
    this.top = undefined;
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

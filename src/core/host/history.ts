import type { ChatMessage } from '../../shared/protocol';

/**
 * Where a room keeps its messages. Kept behind this small interface so the in-memory store
 * here can be swapped for persistent storage without touching the host.
 */
export interface HistoryStore {
  append(message: ChatMessage): void;
  /** The latest `limit` messages `memberId` may see (group ones, and private ones to or from them), oldest first. */
  recent(memberId: string, limit: number): ChatMessage[];
}

/** Keeps the last `capacity` messages in memory; the room forgets older ones. */
export class MemoryHistory implements HistoryStore {
  private readonly messages: ChatMessage[] = [];

  constructor(private readonly capacity = 1000) {}

  append(message: ChatMessage): void {
    this.messages.push(message);
    if (this.messages.length > this.capacity) this.messages.splice(0, this.messages.length - this.capacity);
  }

  recent(memberId: string, limit: number): ChatMessage[] {
    const out: ChatMessage[] = [];
    for (let i = this.messages.length - 1; i >= 0 && out.length < limit; i--) {
      const m = this.messages[i]!;
      if (!m.to || m.to.id === memberId || m.from.id === memberId) out.push(m);
    }
    return out.reverse();
  }
}

import type { ChatMessage, Member } from '../../shared/protocol';

/** A message as the host stamped it, before the store gives it its place (`seq`) in the room. */
export interface MessageDraft {
  id: string;
  ts: number;
  from: Member;
  to?: Member;
  text: string;
}

/** What storing a post gave: the stored message, and whether the cid had been stored before. */
export interface Appended {
  message: ChatMessage;
  duplicate: boolean;
}

/** One post to store: the host's draft and the sender's cid. */
export interface AppendEntry {
  draft: MessageDraft;
  cid: string;
}

/** Appends each entry the single way, catching what append() throws (see HistoryStore.appendAll). */
export function appendEach(
  store: HistoryStore,
  entries: readonly AppendEntry[],
): (Appended | { error: unknown })[] {
  return entries.map(({ draft, cid }) => {
    try {
      return store.append(draft, cid);
    } catch (error) {
      return { error };
    }
  });
}

/** One page of history, oldest first; `more` when further messages lie in that direction. */
export interface HistoryPage {
  messages: ChatMessage[];
  more: boolean;
}

/**
 * Where a room keeps its messages. Every read returns only what `memberId` may see: group
 * messages and private ones to or from it. Stored copies never carry the sender's `cid`.
 */
export interface HistoryStore {
  /**
   * Stores a new message with the next seq of the room. A cid this sender used before returns
   * the stored message and duplicate: true, storing nothing. Throws only if the message could
   * not be kept at all.
   */
  append(draft: MessageDraft, cid: string): Appended;
  /**
   * Stores several new messages, in order, each as append() would (its result, or the error it
   * would have thrown). A store on disk commits them in one transaction, so a burst of posts
   * costs one commit instead of one each; one in memory appends them one by one (appendEach).
   */
  appendAll(entries: readonly AppendEntry[]): (Appended | { error: unknown })[];
  /** The message `fromId`'s post with this cid became, if it was stored before. */
  stored(fromId: string, cid: string): ChatMessage | undefined;
  /** The latest `limit` messages memberId may see (group ones, private ones to or from it), oldest first. */
  latest(memberId: string, limit: number): ChatMessage[];
  /** Visible messages with seq > `seq`, oldest first, at most `limit`; `more` when further ones exist. */
  after(memberId: string, seq: number, limit: number): HistoryPage;
  /** Visible messages with seq < `seq`, oldest first (the `limit` closest to seq), `more` when earlier ones exist. */
  before(memberId: string, seq: number, limit: number): HistoryPage;
  /**
   * Every message with a lower seq was removed by the host (its retention policy, or a memory
   * store's capacity); 0 while none ever was. Welcomes and pages carry it as `removedBefore`.
   */
  readonly removedBefore: number;
}

/**
 * Thrown by append() when the message cannot be kept because the disk refuses writes and the
 * memory set aside for unsaved messages is used up: the room answers STORAGE_FULL (the member
 * keeps the post and sends it again later) instead of growing the host's memory.
 */
export class StorageFullError extends Error {
  override readonly name = 'StorageFullError';
}

/** Whether `memberId` may see `message`. */
export function visibleTo(message: ChatMessage, memberId: string): boolean {
  return !message.to || message.to.id === memberId || message.from.id === memberId;
}

/** The stamped message a draft becomes at `seq` (no cid: that is only echoed live). */
export function stamp(draft: MessageDraft, seq: number): ChatMessage {
  const message: ChatMessage = { id: draft.id, seq, ts: draft.ts, from: draft.from, text: draft.text };
  if (draft.to) message.to = draft.to;
  return message;
}

/**
 * A room's history in memory, in seq order. The default when a host is given no store, and the
 * overflow a persistent store keeps while its disk refuses writes. Forgets nothing unless given
 * a `capacity` (then the oldest messages go, and their cids with them).
 */
export class MemoryHistory implements HistoryStore {
  private readonly messages: ChatMessage[] = [];
  /** Stored message by `${from.id}\n${cid}`, for recognising resends. */
  private readonly byCid = new Map<string, ChatMessage>();
  private readonly cidOf = new Map<ChatMessage, string>();
  private lastSeq: number;
  private forgotten = 0;

  /** `firstSeq - 1` is where numbering continues from (a store's overflow continues its disk). */
  constructor(
    private readonly capacity = Infinity,
    firstSeq = 1,
  ) {
    this.lastSeq = firstSeq - 1;
  }

  get size(): number {
    return this.messages.length;
  }

  appendAll(entries: readonly AppendEntry[]): (Appended | { error: unknown })[] {
    return appendEach(this, entries);
  }

  get removedBefore(): number {
    return this.forgotten;
  }

  /** The seq the last stored message got (0 before any). */
  get last(): number {
    return this.lastSeq;
  }

  append(draft: MessageDraft, cid: string): { message: ChatMessage; duplicate: boolean } {
    const earlier = this.stored(draft.from.id, cid);
    if (earlier) return { message: earlier, duplicate: true };
    const message = stamp(draft, this.lastSeq + 1);
    this.put(message, cid);
    return { message, duplicate: false };
  }

  /** Keeps an already numbered message (seq above every held one). */
  put(message: ChatMessage, cid: string): void {
    this.lastSeq = message.seq;
    this.messages.push(message);
    this.byCid.set(cidKey(message.from.id, cid), message);
    this.cidOf.set(message, cid);
    while (this.messages.length > this.capacity) {
      const oldest = this.messages.shift()!;
      this.forgotten = oldest.seq + 1;
      this.forget(oldest);
    }
  }

  /** Every held message with its cid, oldest first. */
  entries(): { message: ChatMessage; cid: string }[] {
    return this.messages.map((message) => ({ message, cid: this.cidOf.get(message)! }));
  }

  /** Forgets every held message; numbering goes on from where it was. */
  clear(): void {
    this.messages.length = 0;
    this.byCid.clear();
    this.cidOf.clear();
  }

  stored(fromId: string, cid: string): ChatMessage | undefined {
    return this.byCid.get(cidKey(fromId, cid));
  }

  latest(memberId: string, limit: number): ChatMessage[] {
    const out: ChatMessage[] = [];
    for (let i = this.messages.length - 1; i >= 0 && out.length < limit; i--) {
      const m = this.messages[i]!;
      if (visibleTo(m, memberId)) out.push(m);
    }
    return out.reverse();
  }

  after(memberId: string, seq: number, limit: number): HistoryPage {
    const out: ChatMessage[] = [];
    for (let i = this.indexAfter(seq); i < this.messages.length; i++) {
      const m = this.messages[i]!;
      if (!visibleTo(m, memberId)) continue;
      if (out.length === limit) return { messages: out, more: true };
      out.push(m);
    }
    return { messages: out, more: false };
  }

  before(memberId: string, seq: number, limit: number): HistoryPage {
    const out: ChatMessage[] = [];
    for (let i = this.indexAfter(seq - 1) - 1; i >= 0; i--) {
      const m = this.messages[i]!;
      if (!visibleTo(m, memberId)) continue;
      if (out.length === limit) return { messages: out.reverse(), more: true };
      out.push(m);
    }
    return { messages: out.reverse(), more: false };
  }

  /** Index of the first message with seq > `seq` (binary search: seqs only grow). */
  private indexAfter(seq: number): number {
    let lo = 0;
    let hi = this.messages.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.messages[mid]!.seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private forget(message: ChatMessage): void {
    const cid = this.cidOf.get(message);
    this.cidOf.delete(message);
    if (cid !== undefined) this.byCid.delete(cidKey(message.from.id, cid));
  }
}

function cidKey(fromId: string, cid: string): string {
  return `${fromId}\n${cid}`;
}

import type { Session } from '../../../shared/api';
import type { ChatMessage, Member } from '../../../shared/protocol';

/**
 * The conversation key of the room-wide conversation. Member ids are never empty, so it cannot
 * collide with a private conversation, which is keyed by the other person's member id.
 */
export const EVERYONE = '';

/** Most messages and join/leave notices the window holds; older ones are dropped. */
const MAX_MESSAGES = 2000;
const MAX_NOTICES = 200;

/** One tab: the whole room, or a private conversation with `peer`. */
export interface Conversation {
  key: string;
  peer: Member | null;
  unread: number;
}

/** A message typed here that the host has not echoed back yet. */
export interface PendingMessage {
  /** Local id, stable from the moment the message is typed. */
  id: number;
  /** The client id `chat:send` returned; null until it resolves. */
  cid: string | null;
  text: string;
  to: Member | null;
  ts: number;
  /** Why sending failed, or null while it is still on its way. */
  error: string | null;
}

/** "Bob joined" / "Bob left", shown in the Everyone conversation. */
export interface PresenceNotice {
  id: number;
  kind: 'joined' | 'left';
  member: Member;
  ts: number;
}

export type TimelineEntry =
  | { kind: 'message'; key: string; message: ChatMessage; mine: boolean }
  | { kind: 'pending'; key: string; pending: PendingMessage }
  | { kind: 'notice'; key: string; notice: PresenceNotice };

/** Sorted by `ts`; equal timestamps keep arrival order (Array.prototype.sort is stable). */
function byTs<T extends { ts: number }>(a: T, b: T): number {
  return a.ts - b.ts;
}

/**
 * The messages of the current session, split into conversations. Messages are deduplicated by
 * id (a reconnect re-sends the backlog) and kept in timestamp order; what the user sent waits
 * in `pending` until the host echoes it back with the same client id.
 */
export class ChatState {
  messages = $state.raw<ChatMessage[]>([]);
  pending = $state<PendingMessage[]>([]);
  notices = $state.raw<PresenceNotice[]>([]);
  conversations = $state<Conversation[]>([{ key: EVERYONE, peer: null, unread: 0 }]);
  selected = $state(EVERYONE);
  me = $state.raw<Member | null>(null);

  readonly selectedConversation: Conversation = $derived(
    this.conversations.find((c) => c.key === this.selected) ?? this.conversations[0]!,
  );
  /** What the selected conversation shows, oldest first. */
  readonly timeline: TimelineEntry[] = $derived(this.#timelineOf(this.selected));

  // Bookkeeping only: nothing renders these, so they are deliberately not reactive.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #ids = new Set<string>();
  /** Client ids the host echoed (or rejected) before `chat:send` resolved with them. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #echoed = new Set<string>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #earlyFailures = new Map<string, string>();
  #nextLocalId = 1;
  #room: { address: string; roomId: string | null } | null = null;

  /** Takes in a whole session: a new room starts afresh, the same room merges by id. */
  applySession(session: Session | null): void {
    if (!session) {
      this.#reset();
      this.#room = null;
      return;
    }
    const roomId = session.room?.id ?? null;
    const previous = this.#room;
    if (!previous || (previous.roomId && roomId && previous.roomId !== roomId)) this.#reset();
    this.#room = { address: session.address, roomId: roomId ?? previous?.roomId ?? null };
    this.me = session.me;
    this.#merge(session.messages, false);
  }

  /** A message that just arrived. */
  receive(message: ChatMessage): void {
    this.#merge([message], true);
  }

  notePresence(kind: 'joined' | 'left', member: Member): void {
    if (member.id === this.me?.id) return;
    // The host stamps messages with its clock; never file a notice before what already arrived.
    const ts = Math.max(Date.now(), this.messages.at(-1)?.ts ?? 0);
    this.notices = [...this.notices, { id: this.#nextLocalId++, kind, member, ts }].slice(-MAX_NOTICES);
  }

  /** Records a message as typed; call `sent` or `failed` once the bridge answers. */
  addPending(text: string, to: Member | null): PendingMessage {
    this.pending.push({ id: this.#nextLocalId++, cid: null, text, to, ts: Date.now(), error: null });
    return this.pending[this.pending.length - 1]!;
  }

  /** `chat:send` resolved: the host will echo the message with this client id. */
  sent(id: number, cid: string): void {
    const entry = this.pending.find((p) => p.id === id);
    if (!entry) return;
    if (this.#echoed.delete(cid)) {
      this.#drop(id);
      return;
    }
    entry.cid = cid;
    const early = this.#earlyFailures.get(cid);
    if (early !== undefined) {
      this.#earlyFailures.delete(cid);
      entry.error = early;
    }
  }

  /** Sending failed, identified by local id (the command rejected) or client id (a problem). */
  failed(which: { id: number } | { cid: string }, reason: string): void {
    const entry =
      'id' in which
        ? this.pending.find((p) => p.id === which.id)
        : this.pending.find((p) => p.cid === which.cid);
    if (entry) entry.error = reason;
    else if ('cid' in which) this.#earlyFailures.set(which.cid, reason);
  }

  /** Removes a pending message (retried or given up on). */
  discard(id: number): void {
    this.#drop(id);
  }

  select(key: string): void {
    if (!this.conversations.some((c) => c.key === key)) return;
    this.selected = key;
    const conversation = this.conversations.find((c) => c.key === key);
    if (conversation) conversation.unread = 0;
  }

  /** Opens the private conversation with `peer`, and selects it unless `select` is false. */
  openPrivate(peer: Member, select = true): void {
    if (peer.id === this.me?.id) return;
    const existing = this.conversations.find((c) => c.key === peer.id);
    if (existing) existing.peer = peer;
    else this.conversations.push({ key: peer.id, peer, unread: 0 });
    if (select) this.select(peer.id);
  }

  /** Which conversation a message belongs to: the room, or the other party of a private one. */
  conversationOf(message: ChatMessage): string {
    if (!message.to) return EVERYONE;
    return message.from.id === this.me?.id ? message.to.id : message.from.id;
  }

  #merge(incoming: readonly ChatMessage[], live: boolean): void {
    const fresh = incoming.filter((m) => !this.#ids.has(m.id));
    if (fresh.length === 0) return;
    for (const message of fresh) {
      this.#ids.add(message.id);
      if (message.cid) this.#settle(message.cid);
      const key = this.conversationOf(message);
      const mine = message.from.id === this.me?.id;
      if (key !== EVERYONE) {
        const peer = mine ? message.to! : message.from;
        this.openPrivate(peer, false);
      }
      if (live && !mine && key !== this.selected) {
        const conversation = this.conversations.find((c) => c.key === key);
        if (conversation) conversation.unread += 1;
      }
    }
    const last = this.messages.at(-1);
    const inOrder = fresh.every((m, i) => m.ts >= (i === 0 ? (last?.ts ?? -Infinity) : fresh[i - 1]!.ts));
    const merged = inOrder ? [...this.messages, ...fresh] : [...this.messages, ...fresh].sort(byTs);
    // A flood must not grow the window without bound: keep the latest, forget the oldest.
    for (const old of merged.splice(0, Math.max(0, merged.length - MAX_MESSAGES))) this.#ids.delete(old.id);
    this.messages = merged;
  }

  /** The host echoed our message with this client id: it is no longer pending. */
  #settle(cid: string): void {
    const entry = this.pending.find((p) => p.cid === cid);
    if (entry) this.#drop(entry.id);
    else this.#echoed.add(cid);
  }

  #drop(id: number): void {
    const index = this.pending.findIndex((p) => p.id === id);
    if (index >= 0) this.pending.splice(index, 1);
  }

  #timelineOf(key: string): TimelineEntry[] {
    const meId = this.me?.id;
    const entries: TimelineEntry[] = [];
    for (const message of this.messages) {
      if (this.conversationOf(message) !== key) continue;
      entries.push({ kind: 'message', key: `m:${message.id}`, message, mine: message.from.id === meId });
    }
    if (key === EVERYONE && this.notices.length > 0) {
      for (const notice of this.notices) entries.push({ kind: 'notice', key: `n:${notice.id}`, notice });
      entries.sort((a, b) => tsOf(a) - tsOf(b));
    }
    // What is still on its way goes last, in the order it was typed.
    for (const pending of this.pending) {
      if ((pending.to?.id ?? EVERYONE) === key)
        entries.push({ kind: 'pending', key: `p:${pending.id}`, pending });
    }
    return entries;
  }

  #reset(): void {
    this.messages = [];
    this.pending = [];
    this.notices = [];
    this.conversations = [{ key: EVERYONE, peer: null, unread: 0 }];
    this.selected = EVERYONE;
    this.me = null;
    this.#ids.clear();
    this.#echoed.clear();
    this.#earlyFailures.clear();
  }
}

function tsOf(entry: TimelineEntry): number {
  switch (entry.kind) {
    case 'message':
      return entry.message.ts;
    case 'notice':
      return entry.notice.ts;
    case 'pending':
      return entry.pending.ts;
  }
}

import type { PendingPost, Session } from '../../../shared/api';
import type { ChatMessage, Member } from '../../../shared/protocol';
import type { NoticeContent, RoomNotice } from './notices';
import { arrange, type DayEntry } from './timeline';
import { newCid } from './cid';
import { noticesFor } from './presenceText';

/**
 * The conversation key of the room-wide conversation. Member ids are never empty, so it cannot
 * collide with a private conversation, which is keyed by the other person's member id.
 */
export const EVERYONE = '';

/**
 * Most messages a live flood may pile up in the window before the oldest are dropped. History
 * the user scrolls back through is kept however long it gets: the list only renders what is on
 * screen, and dropping it would pull the page out from under their scroll.
 */
const MAX_MESSAGES = 2000;
/** Most join/leave notices kept; older ones are dropped. */
const MAX_NOTICES = 200;

/** One tab: the whole room, or a private conversation with `peer`. */
export interface Conversation {
  key: string;
  peer: Member | null;
  unread: number;
}

/** Where one of your messages stands: on its way, stored by the host, or refused. */
export type DeliveryState = 'sending' | 'sent' | 'failed';

/** A message typed here (or restored from the outbox) whose stored copy has not arrived yet. */
export interface PendingMessage {
  /** Local id, stable from the moment the message is typed or restored. */
  id: number;
  /** Its client id, chosen here when it was typed (or the outbox's, for a restored one). */
  cid: string;
  text: string;
  /** The conversation it belongs to: EVERYONE or the recipient's member id. */
  conversation: string;
  to: Member | null;
  ts: number;
  /** Why sending failed, or null while it is on its way (or stored). */
  error: string | null;
  /** The host stored it as this message (the `sent` event); null until then. */
  stored: { id: string; seq: number } | null;
}

export type TimelineEntry =
  | { kind: 'message'; key: string; message: ChatMessage; mine: boolean; continued?: boolean }
  | { kind: 'pending'; key: string; pending: PendingMessage; continued?: boolean }
  | { kind: 'notice'; key: string; notice: RoomNotice }
  | DayEntry;

export function deliveryState(pending: PendingMessage): DeliveryState {
  if (pending.error !== null) return 'failed';
  return pending.stored ? 'sent' : 'sending';
}

function bySeq(a: ChatMessage, b: ChatMessage): number {
  return a.seq - b.seq;
}

/**
 * The messages of the current session, split into conversations. Messages are kept in the
 * host's order (`seq`) and deduplicated by id, however often they arrive (live, in a session
 * snapshot, in a catch-up or a page of earlier ones). What the user sent waits in `pending`,
 * keyed by its client id, until the host's copy of it arrives.
 */
export class ChatState {
  messages = $state.raw<ChatMessage[]>([]);
  pending = $state<PendingMessage[]>([]);
  notices = $state.raw<RoomNotice[]>([]);
  conversations = $state<Conversation[]>([{ key: EVERYONE, peer: null, unread: 0 }]);
  selected = $state(EVERYONE);
  /** A message to bring into view and focus (a notification about it was clicked); the list takes it. */
  revealing = $state<{ conversation: string; seq: number } | null>(null);
  me = $state.raw<Member | null>(null);
  /** Whether older messages than the first one here exist (then "Load earlier messages"). */
  earlier = $state(false);
  /** The host removed every message below this seq (its retention policy); 0 when none. */
  removedBefore = $state(0);
  /** What was typed but not sent in each conversation, so nothing is lost switching tabs or rooms. */
  drafts = $state<Record<string, string>>({});
  /**
   * Whether this room is the one on screen. A room in the background counts every new message
   * as unread, its selected conversation too; shown again, the selected one is read.
   */
  onScreen = $state(true);

  readonly selectedConversation: Conversation = $derived(
    this.conversations.find((c) => c.key === this.selected) ?? this.conversations[0]!,
  );
  /** The grouped variants of entries (see arrange), made once each so rows are not redrawn. */
  #arranged = new WeakMap<object, Exclude<TimelineEntry, DayEntry>>();
  /** What the selected conversation shows, oldest first, arranged for reading. */
  readonly timeline: TimelineEntry[] = $derived(
    arrange(this.#timelineOf(this.selected), this.me?.id, this.#arranged, !this.earlier),
  );
  /** The highest seq the selected conversation shows, or 0 when it shows none. */
  readonly selectedSeq: number = $derived(this.#lastSeqOf(this.selected));

  // Bookkeeping only: nothing renders these, so they are deliberately not reactive.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #ids = new Set<string>();
  /** Client ids whose stored message has arrived: never show them as pending again. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #settled = new Set<string>();
  /** The highest seq reported read per conversation, so each is reported once. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #read = new Map<string, number>();
  /** Private conversations opened for restored posts before anyone said who the peer is. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #unnamed = new Set<string>();
  /**
   * Each message's timeline entry, made once: the timeline is rebuilt on every change, and the
   * same entry object for the same message keeps the list from re-rendering rows for nothing.
   */
  #entries = new WeakMap<ChatMessage, TimelineEntry & { kind: 'message' }>();

  /** Private conversations the user closed: no tab until opened again or a new message comes. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping; the tabs are what renders
  #closed = new Set<string>();
  /** Told whenever `#closed` changes, to keep it (see closedConversations.ts). */
  #onClosed: (closed: ReadonlySet<string>) => void = () => {};

  /** Where the closed conversations are kept: they start as `closed`, and each change goes to `onClosed`. */
  keepClosed(closed: Iterable<string>, onClosed: (closed: ReadonlySet<string>) => void): void {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- as above
    this.#closed = new Set(closed);
    this.#onClosed = onClosed;
  }

  #nextLocalId = 1;
  /** How many messages a flood may grow the window to: MAX_MESSAGES, or all the user loaded. */
  #limit = MAX_MESSAGES;
  #room: { address: string; roomId: string | null } | null = null;
  /** How the connection stood at the last session, and the gap notice open since it dropped. */
  #online = false;
  #openGap: number | null = null;
  #moved: string | null = null;
  /** When the saved copy was last set aside for the host's other history (see Session.copySetAside). */
  #asideAt: number | null = null;

  /** Takes in a whole session: a new room starts afresh, the same room merges by id. */
  applySession(session: Session | null): void {
    if (!session) {
      this.#reset();
      this.#room = null;
      return;
    }
    const roomId = session.room?.id ?? null;
    const previous = this.#room;
    const fresh = !previous || (!!previous.roomId && !!roomId && previous.roomId !== roomId);
    if (fresh) this.#reset();
    this.#room = { address: session.address, roomId: roomId ?? previous?.roomId ?? null };
    if (session.me) this.me = session.me;
    const aside = session.copySetAside;
    if (aside && aside.at !== this.#asideAt) {
      this.#asideAt = aside.at;
      this.#dropHistory();
      this.#addNotice({ kind: 'copySetAside', messages: aside.messages });
    }

    // Older messages loaded here reach further back than the snapshot: then ours says more.
    const ownFirst = this.messages[0]?.seq;
    const theirFirst = session.messages[0]?.seq;
    const loadedFurther = ownFirst !== undefined && (theirFirst === undefined || ownFirst < theirFirst);
    this.#merge(session.messages, false);
    if (!loadedFurther) this.earlier = session.earlier;
    this.removedBefore = session.removedBefore ?? 0;

    this.#refreshPeers(session.members);
    this.#restorePending(session.pending, session.members);
    this.#applyUnread(session.unread, session.members, fresh);
    this.#noteConnection(session);
  }

  /** Marks the gap while the room was out of reach, and a move to another address, in the timeline. */
  #noteConnection(session: Session): void {
    const online = session.state === 'online';
    const now = Date.now();
    if (this.#online && !online) {
      this.#openGap = this.#addNotice({ kind: 'gap', since: now, until: null });
    } else if (online && this.#openGap !== null) {
      const id = this.#openGap;
      this.#openGap = null;
      this.notices = this.notices.map((n) => (n.id === id && n.kind === 'gap' ? { ...n, until: now } : n));
    }
    this.#online = online;
    const moved = session.moved ? `${session.moved.from}>${session.moved.to}` : null;
    if (session.moved && moved !== this.#moved) this.#addNotice({ kind: 'moved', ...session.moved });
    this.#moved = moved;
  }

  /** Adds a notice after the latest message; returns its id. */
  #addNotice(content: NoticeContent): number {
    const notice = {
      ...content,
      id: this.#nextLocalId++,
      ts: Date.now(),
      afterSeq: this.messages.at(-1)?.seq ?? 0,
    } as RoomNotice;
    this.notices = [...this.notices, notice].slice(-MAX_NOTICES);
    return notice.id;
  }

  /** A message that just arrived. */
  receive(message: ChatMessage): void {
    this.#merge([message], true);
  }

  /** Older messages from `chat:load-earlier`; `more` says whether even older ones exist. */
  addEarlier(messages: readonly ChatMessage[], more: boolean, removedBefore = 0): void {
    this.#limit = Math.max(this.#limit, this.messages.length + messages.length);
    this.#merge(messages, false);
    this.earlier = more;
    this.removedBefore = Math.max(this.removedBefore, removedBefore);
  }

  /**
   * Whether what is shown begins where the host removed history: then the start of the list
   * says earlier messages were removed, not that this is the beginning of the room.
   */
  get removedByHost(): boolean {
    const first = this.messages[0]?.seq;
    return this.removedBefore > 1 && (first === undefined || first >= this.removedBefore);
  }

  /** The seq to load earlier messages before: the oldest one here. */
  get oldestSeq(): number | null {
    return this.messages[0]?.seq ?? null;
  }

  /** Members a roster page named: tabs and pending messages learn their names; no notice (not news). */
  noteRoster(members: readonly Member[]): void {
    this.#refreshPeers(members);
  }

  /** One presence batch: at most one "joined" and one "left" notice for all of it. */
  notePresence(joined: readonly Member[], left: readonly Member[]): void {
    this.#refreshPeers(joined);
    for (const body of noticesFor(joined, left, this.me?.id)) this.#addNotice(body);
  }

  /** Records a message as typed; call `sent` or `failed` once the bridge answers. */
  addPending(text: string, to: Member | null): PendingMessage {
    this.pending.push({
      id: this.#nextLocalId++,
      cid: newCid(),
      text,
      conversation: to?.id ?? EVERYONE,
      to,
      ts: Date.now(),
      error: null,
      stored: null,
    });
    return this.pending[this.pending.length - 1]!;
  }

  /** The host stored the message with this client id as message `id`, number `seq`. */
  acked(cid: string, id: string, seq: number): void {
    // Not typed here nor restored (another window's post, or one already settled): nothing to do.
    const entry = this.pending.find((p) => p.cid === cid);
    if (!entry) return;
    if (this.#ids.has(id)) {
      this.#settled.add(cid);
      this.#drop(entry.id);
      return;
    }
    entry.stored = { id, seq };
    entry.error = null;
  }

  /** Sending failed, identified by local id (the command rejected) or client id (a problem). */
  failed(which: { id: number } | { cid: string }, reason: string): void {
    const entry =
      'id' in which
        ? this.pending.find((p) => p.id === which.id)
        : this.pending.find((p) => p.cid === which.cid);
    if (entry) entry.error = reason;
  }

  /** Removes a pending message (retried or given up on). */
  discard(id: number): void {
    this.#drop(id);
  }

  /** The room came on screen (or went off it): on screen, the selected conversation is being read. */
  show(onScreen: boolean): void {
    this.onScreen = onScreen;
    if (onScreen) this.select(this.selected);
  }

  select(key: string): void {
    if (!this.conversations.some((c) => c.key === key)) return;
    this.selected = key;
    const conversation = this.conversations.find((c) => c.key === key);
    if (conversation) conversation.unread = 0;
  }

  /**
   * Opens the private conversation with `peer`, and selects it unless `select` is false. A
   * conversation the user closed opens again only when selected (the user asked for it);
   * otherwise it stays closed until something new comes (see #merge, #applyUnread).
   */
  openPrivate(peer: Member, select = true): void {
    if (peer.id === this.me?.id) return;
    if (this.#closed.has(peer.id)) {
      if (!select) return;
      this.#reopen(peer.id);
    }
    this.#unnamed.delete(peer.id);
    const existing = this.conversations.find((c) => c.key === peer.id);
    if (existing) existing.peer = peer;
    else this.conversations.push({ key: peer.id, peer, unread: 0 });
    if (select) this.select(peer.id);
  }

  /**
   * Shows a conversation by its key: the room's own (''), or the private one with that member
   * (found as #findMember does: the members, the tabs, the messages), reopened if closed.
   */
  openConversation(key: string, members: readonly Member[], seq?: number): void {
    if (key === EVERYONE) this.select(EVERYONE);
    else {
      const peer = this.#findMember(key, members);
      if (!peer) return;
      this.openPrivate(peer);
    }
    if (seq !== undefined) this.revealing = { conversation: key, seq };
  }

  /**
   * Closes a private conversation's tab (the room's own cannot be closed). Its messages stay,
   * and opening it again from the member list, or a new message in it, brings the tab back.
   * The caller marks it read first: an unread count would reopen it at the next snapshot.
   */
  closePrivate(key: string): void {
    if (key === EVERYONE) return;
    const index = this.conversations.findIndex((c) => c.key === key);
    if (index < 0) return;
    this.conversations.splice(index, 1);
    if (this.selected === key) this.select(EVERYONE);
    this.#closed.add(key);
    this.#onClosed(this.#closed);
  }

  /** The latest seq of `key`'s conversation shown here; 0 when it has none. */
  lastSeqIn(key: string): number {
    return this.#lastSeqOf(key);
  }

  #reopen(key: string): void {
    this.#closed.delete(key);
    this.#onClosed(this.#closed);
  }

  /** Which conversation a message belongs to: the room, or the other party of a private one. */
  conversationOf(message: ChatMessage): string {
    if (!message.to) return EVERYONE;
    return message.from.id === this.me?.id ? message.to.id : message.from.id;
  }

  /**
   * Whether `seq` is news for `conversation`'s read mark; if so it is taken as reported. The
   * window calls this before `chat:mark-read`, so each mark is sent once.
   */
  takeReadMark(conversation: string, seq: number): boolean {
    if (seq <= (this.#read.get(conversation) ?? 0)) return false;
    this.#read.set(conversation, seq);
    return true;
  }

  #merge(incoming: readonly ChatMessage[], live: boolean): void {
    const fresh = incoming.filter((m) => !this.#ids.has(m.id));
    if (fresh.length === 0) return;
    for (const message of fresh) {
      this.#ids.add(message.id);
      const key = this.conversationOf(message);
      const mine = message.from.id === this.me?.id;
      if (mine) this.#settle(message);
      if (key !== EVERYONE) {
        const peer = mine ? message.to! : message.from;
        // Something new said in a closed conversation brings its tab back; old pages do not.
        if (live && this.#closed.has(peer.id)) this.#reopen(peer.id);
        this.openPrivate(peer, false);
      }
      if (live && !mine && (key !== this.selected || !this.onScreen)) {
        const conversation = this.conversations.find((c) => c.key === key);
        if (conversation) conversation.unread += 1;
      }
    }
    const last = this.messages.at(-1)?.seq ?? 0;
    const first = this.messages[0]?.seq ?? Infinity;
    const ascending = fresh.every((m, i) => i === 0 || m.seq > fresh[i - 1]!.seq);
    // Live messages go after the rest, an earlier page before it: no sort for either.
    const merged =
      ascending && fresh[0]!.seq > last
        ? [...this.messages, ...fresh]
        : ascending && fresh.at(-1)!.seq < first
          ? [...fresh, ...this.messages]
          : [...this.messages, ...fresh].sort(bySeq);
    // A flood must not grow the window without bound: keep the latest, forget the oldest.
    const dropped = merged.splice(0, Math.max(0, merged.length - this.#limit));
    for (const old of dropped) this.#ids.delete(old.id);
    // What was dropped can be loaded again, like any earlier page.
    if (dropped.length > 0) this.earlier = true;
    this.messages = merged;
  }

  /** Our message arrived: whatever stood for it in `pending` goes (matched by cid or by id). */
  #settle(message: ChatMessage): void {
    if (message.cid) this.#settled.add(message.cid);
    const entry = this.pending.find(
      (p) => (message.cid !== undefined && p.cid === message.cid) || p.stored?.id === message.id,
    );
    if (!entry) return;
    this.#settled.add(entry.cid);
    this.#drop(entry.id);
  }

  /**
   * The core's outbox, as a session snapshot lists it: posts typed before a restart (or in
   * this window, before `chat:send` answered) show as sending, each exactly once.
   */
  #restorePending(posts: readonly PendingPost[], members: readonly Member[]): void {
    for (const post of posts) {
      if (this.#settled.has(post.cid) || this.pending.some((p) => p.cid === post.cid)) continue;
      const conversation = post.to ?? EVERYONE;
      let to: Member | null = null;
      if (post.to) {
        // Until someone says who it is, the tab shows the start of the id.
        const known = this.#findMember(post.to, members);
        to = known ?? { id: post.to, nick: post.to.slice(0, 8) };
        this.openPrivate(to, false);
        if (!known) this.#unnamed.add(post.to);
      }
      this.pending.push({
        id: this.#nextLocalId++,
        cid: post.cid,
        text: post.text,
        conversation,
        to,
        ts: post.createdAt,
        error: null,
        stored: null,
      });
    }
  }

  /**
   * Tab badges from the saved counts. A new room takes them as they are; later snapshots
   * (a reconnect's catch-up arrives in one) only raise them, and never for the tab on screen.
   */
  #applyUnread(unread: Record<string, number>, members: readonly Member[], fresh: boolean): void {
    for (const [key, count] of Object.entries(unread)) {
      if (count <= 0 || (key === this.selected && this.onScreen)) continue;
      let conversation = this.conversations.find((c) => c.key === key);
      if (!conversation && key !== EVERYONE) {
        const peer = this.#findMember(key, members);
        if (!peer) continue;
        // Unread in a closed conversation is new since it was closed (closing marks it read).
        if (this.#closed.has(key)) this.#reopen(key);
        this.openPrivate(peer, false);
        conversation = this.conversations.find((c) => c.key === key);
      }
      if (!conversation) continue;
      conversation.unread = fresh ? count : Math.max(conversation.unread, count);
    }
  }

  /** Who a member id is, from the members list, the tabs or the messages. */
  #findMember(id: string, members: readonly Member[]): Member | null {
    const member = members.find((m) => m.id === id);
    if (member) return member;
    const peer = this.conversations.find((c) => c.key === id)?.peer;
    if (peer && !this.#unnamed.has(id)) return peer;
    for (let i = this.messages.length - 1; i >= 0; i--) {
      const message = this.messages[i]!;
      if (message.from.id === id) return message.from;
      if (message.to?.id === id) return message.to;
    }
    return null;
  }

  /**
   * Members we have a tab (or pending messages) for may have a new nickname. One pass over
   * the batch, the tabs and the pending messages, whatever the batch's size.
   */
  #refreshPeers(members: readonly Member[]): void {
    if (members.length === 0) return;
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a lookup, gone on return
    const byId = new Map<string, Member>();
    for (const member of members) {
      byId.set(member.id, member);
      this.#unnamed.delete(member.id);
    }
    for (const conversation of this.conversations) {
      const member = byId.get(conversation.key);
      if (member) conversation.peer = member;
    }
    for (const p of this.pending) {
      const member = p.to && byId.get(p.to.id);
      if (member) p.to = member;
    }
  }

  #drop(id: number): void {
    const index = this.pending.findIndex((p) => p.id === id);
    if (index >= 0) this.pending.splice(index, 1);
  }

  #lastSeqOf(key: string): number {
    for (let i = this.messages.length - 1; i >= 0; i--) {
      const message = this.messages[i]!;
      if (this.conversationOf(message) === key) return message.seq;
    }
    return 0;
  }

  #timelineOf(key: string): Exclude<TimelineEntry, DayEntry>[] {
    const meId = this.me?.id;
    const entries: Exclude<TimelineEntry, DayEntry>[] = [];
    const notices = key === EVERYONE ? this.notices : [];
    const mine = this.pending.filter((p) => p.conversation === key);
    // Stored ones whose copy has not arrived yet already have their place in the sequence.
    const stored = mine.filter((p) => p.stored).sort((a, b) => a.stored!.seq - b.stored!.seq);
    let n = 0;
    let s = 0;
    for (const message of this.messages) {
      // A notice follows the last message known when it happened.
      while (n < notices.length && notices[n]!.afterSeq < message.seq) {
        const notice = notices[n++]!;
        entries.push({ kind: 'notice', key: `n:${notice.id}`, notice });
      }
      if (this.conversationOf(message) !== key) continue;
      while (s < stored.length && stored[s]!.stored!.seq < message.seq) {
        const pending = stored[s++]!;
        entries.push({ kind: 'pending', key: `p:${pending.id}`, pending });
      }
      const mineNow = message.from.id === meId;
      let entry = this.#entries.get(message);
      if (entry?.mine !== mineNow) {
        entry = { kind: 'message', key: `m:${message.id}`, message, mine: mineNow };
        this.#entries.set(message, entry);
      }
      entries.push(entry);
    }
    for (; n < notices.length; n++) {
      const notice = notices[n]!;
      entries.push({ kind: 'notice', key: `n:${notice.id}`, notice });
    }
    for (; s < stored.length; s++) {
      const pending = stored[s]!;
      entries.push({ kind: 'pending', key: `p:${pending.id}`, pending });
    }
    // What is still on its way goes last, in the order it was typed.
    for (const pending of mine) {
      if (!pending.stored) entries.push({ kind: 'pending', key: `p:${pending.id}`, pending });
    }
    return entries;
  }

  /**
   * Forgets the messages shown and what was reported read: their seqs named messages of a
   * history the host no longer has. Drafts, pending posts and conversations stay.
   */
  #dropHistory(): void {
    this.messages = [];
    this.notices = [];
    this.earlier = false;
    this.#limit = MAX_MESSAGES;
    this.#openGap = null;
    this.#ids.clear();
    this.#read.clear();
  }

  #reset(): void {
    this.messages = [];
    this.pending = [];
    this.notices = [];
    this.conversations = [{ key: EVERYONE, peer: null, unread: 0 }];
    this.selected = EVERYONE;
    this.me = null;
    this.earlier = false;
    this.drafts = {};
    this.#limit = MAX_MESSAGES;
    this.#online = false;
    this.#openGap = null;
    this.#moved = null;
    this.#asideAt = null;
    this.#ids.clear();
    this.#settled.clear();
    this.#read.clear();
    this.#unnamed.clear();
  }
}

import type {
  CommandName,
  CommandPayload,
  CommandResult,
  EventPayload,
  ParleyBridge,
  Session,
} from '../../../shared/api';
import type { PresentMember } from '../../../shared/protocol';
import { ChatState, EVERYONE, type PendingMessage } from './ChatState.svelte';
import { loadClosed, saveClosed } from './closedConversations';
import { errorText } from './errors';
import { t } from './i18n/I18n.svelte';
import { MemberIndex } from './memberIndex';

/** Where a conversation's view stood when the user left it: the entry at the top, and how far into it. */
export interface ScrollMark {
  atBottom: boolean;
  /** The timeline key of the first entry in view, and the pixels scrolled past its top. */
  key?: string;
  offset?: number;
  /**
   * The list's measured row heights (virtua's getCache), so the rows above land where they were
   * before they are measured again. Opaque here: only MessageList reads it.
   */
  cache?: unknown;
}

/** How AppState lets a room report a failed command (shown in the window's alert region). */
export interface RoomHost {
  bridge: ParleyBridge;
  /** A sentence for the alert region; null clears it. */
  showError(text: string | null): void;
}

/**
 * One room the app is in, as the window keeps it: its session, its live member list and its
 * conversations, whether it is on screen or not (a background room hears every event too, so
 * its unread badge moves and switching to it is instant). Components below RoomView read this
 * and call its methods; the room's id goes with every command it sends.
 */
export class RoomState {
  readonly id: string;
  session = $state.raw<Session>(null as never);
  /**
   * Members of the room: the session's list, then every roster page and presence batch since
   * (`session.members` stays as the last snapshot said; this is the live one). Replaced once
   * per batch, never once per member.
   */
  members = $state.raw<PresentMember[]>([]);
  /** False while the roster after a welcome is still coming: `members` may lack someone present. */
  rosterDone = $state(true);
  readonly chat = new ChatState();
  /** Per conversation, where its view was left (see MessageList): restored when the room is shown again. */
  // Read once on mount, never rendered: deliberately not reactive.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly scroll = new Map<string, ScrollMark>();

  /** The room is shown from the saved copy: its host is offline, so nothing can be sent. */
  readonly readOnly = $derived(this.session.state === 'offline');
  /** Unread messages in all its conversations, and in the private ones (to you) alone. */
  readonly unread = $derived(this.chat.conversations.reduce((n, c) => n + c.unread, 0));
  readonly unreadPrivate = $derived(
    this.chat.conversations.reduce((n, c) => (c.key === EVERYONE ? n : n + c.unread), 0),
  );
  readonly name = $derived(this.session.room?.name ?? this.session.address);

  /** Who `members` holds, by id: what each batch is merged into. Not reactive itself. */
  readonly #members = new MemberIndex();
  readonly #host: RoomHost;

  constructor(session: Session, host: RoomHost, onScreen: boolean) {
    this.id = session.roomId;
    this.#host = host;
    this.chat.keepClosed(loadClosed(this.id), (closed) => saveClosed(this.id, closed));
    this.chat.onScreen = onScreen;
    this.applySession(session);
  }

  applySession(session: Session): void {
    this.session = session;
    this.members = this.#members.reset(session.members);
    this.rosterDone = session.rosterDone ?? true;
    this.chat.applySession(session);
  }

  /** A roster page: who was there before us. Added quietly: no notice, it is not news. */
  applyRoster(members: readonly PresentMember[], done: boolean): void {
    this.members = this.#members.apply(members, []);
    if (done) this.rosterDone = true;
    this.chat.noteRoster(members);
  }

  /** A presence batch: the members list and the count move once, and one notice per kind. */
  applyPresence({ joined, left, statuses, count }: EventPayload<'presence'>): void {
    const session = this.session;
    this.#members.apply(
      joined,
      left.map((l) => l.member.id),
    );
    this.members = this.#members.setStatuses(statuses);
    // A shallow copy: the count changes, the snapshot's member list is shared, not copied.
    if (session.room && session.room.members !== count) {
      this.session = { ...session, room: { ...session.room, members: count } };
    }
    this.chat.notePresence(
      joined,
      left.map((l) => l.member),
    );
  }

  /** Whether member `id` is in the room now (reactive: it reads `members`). */
  isPresent(id: string): boolean {
    void this.members;
    return this.#members.has(id);
  }

  /**
   * Sends to the selected conversation. The message shows as sending at once and is replaced
   * by the host's copy when it comes back; while reconnecting the core's outbox keeps it. A
   * read-only (offline) room sends nothing.
   */
  async sendMessage(text: string): Promise<boolean> {
    if (this.readOnly) return false;
    const to = this.chat.selected === EVERYONE ? null : (this.chat.selectedConversation.peer ?? null);
    await this.#post(this.chat.addPending(text, to));
    return true;
  }

  /** Sends a failed message again (as a new post: the core forgot the refused one). */
  async retry(pending: PendingMessage): Promise<void> {
    if (this.readOnly) return;
    const { text, to } = pending;
    this.chat.discard(pending.id);
    await this.#post(this.chat.addPending(text, to));
  }

  /** Loads the page of messages before the oldest one shown; errors go to the alert region. */
  async loadEarlier(): Promise<boolean> {
    const before = this.chat.oldestSeq;
    if (before === null) return false;
    const page = await this.#run('chat:load-earlier', { roomId: this.id, before });
    if (!page) return false;
    this.chat.addEarlier(page.messages, page.more, page.removedBefore);
    return true;
  }

  /**
   * Shows a conversation: the room's own (''), or the private one with that member, reopened if
   * closed; with `seq`, scrolled to that message (a notification about it was clicked).
   */
  openConversation(key: string, seq?: number): void {
    this.chat.openConversation(key, this.members, seq);
  }

  /** Closes a private conversation, read up to its latest message so no unread count reopens it. */
  closeConversation(key: string): void {
    this.markRead(key, this.chat.lastSeqIn(key));
    this.chat.closePrivate(key);
  }

  /** Tells the core the user has seen `conversation` up to `seq` (once per seq; errors ignored). */
  markRead(conversation: string, seq: number): void {
    if (seq < 1 || !this.chat.takeReadMark(conversation, seq)) return;
    this.#host.bridge.send('chat:mark-read', { roomId: this.id, conversation, seq }).catch(() => {});
  }

  /** Tries the room again now; with `passcode`, in place of the one it turned down. */
  async reconnect(passcode?: string): Promise<boolean> {
    const payload = passcode === undefined ? { roomId: this.id } : { roomId: this.id, passcode };
    return !!(await this.#run('room:reconnect', payload));
  }

  /** Sends under the cid the message was given when typed: every answer about it finds it. */
  async #post(pending: PendingMessage): Promise<void> {
    const { id, cid, text, to } = pending;
    const payload = to ? { roomId: this.id, cid, text, to: to.id } : { roomId: this.id, cid, text };
    try {
      await this.#host.bridge.send('chat:send', payload);
    } catch (error) {
      this.chat.failed({ id }, errorText(error, t, false, this.session.maxTextChars));
    }
  }

  /** Runs a command; on failure shows the error and resolves undefined. */
  async #run<C extends CommandName>(
    command: C,
    payload: CommandPayload<C>,
  ): Promise<CommandResult<C> | undefined> {
    try {
      const result = await this.#host.bridge.send(command, payload);
      this.#host.showError(null);
      return result;
    } catch (error) {
      this.#host.showError(errorText(error, t));
      return undefined;
    }
  }
}

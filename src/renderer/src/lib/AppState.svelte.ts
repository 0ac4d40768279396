import type {
  CommandName,
  CommandPayload,
  CommandResult,
  EventName,
  EventPayload,
  Hosting,
  LobbyRoom,
  Locale,
  ParleyBridge,
  Session,
  Settings,
} from '../../../shared/api';
import type { Member } from '../../../shared/protocol';
import { ChatState, EVERYONE, type PendingMessage } from './ChatState.svelte';
import { errorText } from './errors';
import { t } from './i18n/I18n.svelte';
import { MemberIndex } from './memberIndex';

/** What room:check-address answered: shown for confirmation before joining. */
export type AddressCheck = CommandResult<'room:check-address'>;

/**
 * Everything the window knows about the app, kept in step with it through the bridge: a
 * snapshot on start, then every event. Components read the fields and call the methods; none
 * of them talks to the bridge directly.
 */
export class AppState {
  /** `unavailable`: there is no bridge (the page was opened outside Parley). */
  status = $state<'loading' | 'ready' | 'unavailable'>('loading');
  settings = $state.raw<Settings>({ nickname: '', locale: null });
  lobby = $state.raw<LobbyRoom[]>([]);
  hosting = $state.raw<Hosting | null>(null);
  session = $state.raw<Session | null>(null);
  /** The last command error or unclaimed problem, as sentences; null when there is none. */
  error = $state<string | null>(null);
  /** Whether the window is on screen (`document.visibilityState`): only then is anything read. */
  visible = $state(true);
  readonly chat = new ChatState();

  /** The room is shown from the saved copy: its host is offline, so nothing can be sent. */
  readonly readOnly = $derived(this.session?.state === 'offline');
  /** The room we are in is the one this app hosts. */
  readonly hostingThisRoom = $derived(
    !!this.hosting && !!this.session?.room && this.hosting.id === this.session.room.id,
  );
  /**
   * Members of the current room by nickname, case-insensitively: the session's list, then
   * every roster page and presence batch since (`session.members` stays as the last snapshot
   * said; this is the live one). Replaced once per batch, never once per member.
   */
  members = $state.raw<Member[]>([]);
  /** False while the roster after a welcome is still coming: `members` may lack someone present. */
  rosterDone = $state(true);
  /** Who `members` holds, by id: what each batch is merged into. Not reactive itself. */
  readonly #members = new MemberIndex();

  readonly #bridge: ParleyBridge | undefined;
  #unsubscribers: Array<() => void> = [];

  constructor(bridge: ParleyBridge | undefined) {
    this.#bridge = bridge;
  }

  /** Subscribes to every event, then loads the snapshot (so nothing falls between the two). */
  async start(): Promise<void> {
    const bridge = this.#bridge;
    if (!bridge) {
      this.status = 'unavailable';
      return;
    }
    this.#on('settings', (settings) => (this.settings = settings));
    this.#on('lobby', ({ rooms }) => (this.lobby = rooms));
    this.#on('hosting', ({ room }) => (this.hosting = room));
    this.#on('session', ({ session }) => this.#applySession(session));
    this.#on('message', ({ message }) => this.chat.receive(message));
    this.#on('sent', ({ cid, id, seq }) => this.chat.acked(cid, id, seq));
    this.#on('roster', ({ members, done }) => this.#applyRoster(members, done));
    this.#on('presence', (presence) => this.#applyPresence(presence));
    this.#on('problem', (problem) => {
      // Without a cid it is a notice (a post held back goes again by itself), not a failure.
      if (problem.cid) this.chat.failed({ cid: problem.cid }, errorText(problem, t));
      else this.error = errorText(problem, t, true);
    });
    this.#watchVisibility();
    try {
      const snapshot = await bridge.send('app:snapshot', {});
      this.settings = snapshot.settings;
      this.lobby = snapshot.lobby;
      this.hosting = snapshot.hosting;
      this.#applySession(snapshot.session);
      // Plain sentences, one per line, e.g. a damaged database that was set aside at startup.
      if (snapshot.problems.length > 0)
        this.error = snapshot.problems.map((problem) => errorText(problem, t)).join('\n');
      this.status = 'ready';
    } catch (error) {
      this.error = errorText(error, t);
      this.status = 'ready';
    }
  }

  #watchVisibility(): void {
    const update = () => (this.visible = document.visibilityState === 'visible');
    update();
    document.addEventListener('visibilitychange', update);
    this.#unsubscribers.push(() => document.removeEventListener('visibilitychange', update));
  }

  stop(): void {
    for (const unsubscribe of this.#unsubscribers) unsubscribe();
    this.#unsubscribers = [];
  }

  dismissError(): void {
    this.error = null;
  }

  /** Saves the nickname; resolves with why the app refused it, or null when saved. */
  async setNickname(nickname: string): Promise<string | null> {
    try {
      this.settings = await this.#bridge!.send('settings:update', { nickname });
      return null;
    } catch (error) {
      return errorText(error, t);
    }
  }

  /** Chooses the window's language; null follows the operating system. */
  async setLocale(locale: Locale | null): Promise<boolean> {
    const settings = await this.#run('settings:update', { locale });
    if (settings) this.settings = settings;
    return !!settings;
  }

  /** `passcode`: members must know it to join; empty or absent: anyone may. */
  async hostRoom(name: string, passcode = ''): Promise<boolean> {
    return !!(await this.#run('room:host', passcode ? { name, passcode } : { name }));
  }

  async stopHosting(): Promise<boolean> {
    return !!(await this.#run('room:stop-hosting', {}));
  }

  /** `passcode`: for a room that takes one; empty or absent: none. */
  /** `entry`: the lobby entry meant when several share the id (a suspect one only with `acceptSuspect`). */
  async joinRoom(
    roomId: string,
    passcode = '',
    entry: { fingerprint?: string; acceptSuspect?: true } = {},
  ): Promise<boolean> {
    return !!(await this.#run('room:join', { roomId, ...(passcode && { passcode }), ...entry }));
  }

  /** What an address answers (room, verification code, trust), before the user joins it. */
  async checkAddress(address: string): Promise<AddressCheck | null> {
    return (await this.#run('room:check-address', { address })) ?? null;
  }

  /** Joins the room at `address` pinned to exactly the certificate the user confirmed. */
  /** `passcode`: for a room whose info says it takes one; empty or absent: none. */
  async joinAddress(address: string, fingerprint: string, passcode = ''): Promise<boolean> {
    const payload = passcode ? { address, fingerprint, passcode } : { address, fingerprint };
    return !!(await this.#run('room:join-address', payload));
  }

  /** Trusts a room's new certificate (the user compared codes with the host). */
  async trustRoom(roomId: string, fingerprint: string): Promise<boolean> {
    return !!(await this.#run('room:trust', { roomId, fingerprint }));
  }

  /** Tries the room again now; with `passcode`, in place of the one it turned down. */
  async reconnect(passcode?: string): Promise<boolean> {
    return !!(await this.#run('room:reconnect', passcode === undefined ? {} : { passcode }));
  }

  async leave(): Promise<boolean> {
    return !!(await this.#run('room:leave', {}));
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
    const page = await this.#run('chat:load-earlier', { before });
    if (!page) return false;
    this.chat.addEarlier(page.messages, page.more, page.removedBefore);
    return true;
  }

  /** Tells the core the user has seen `conversation` up to `seq` (once per seq; errors ignored). */
  markRead(conversation: string, seq: number): void {
    if (!this.#bridge || !this.session || seq < 1 || !this.chat.takeReadMark(conversation, seq)) return;
    this.#bridge.send('chat:mark-read', { conversation, seq }).catch(() => {});
  }

  async #post(pending: PendingMessage): Promise<void> {
    const id = pending.id;
    const payload = pending.to ? { text: pending.text, to: pending.to.id } : { text: pending.text };
    try {
      const { cid } = await this.#bridge!.send('chat:send', payload);
      this.chat.sent(id, cid);
    } catch (error) {
      this.chat.failed({ id }, errorText(error, t));
    }
  }

  /** Whether member `id` is in the current room now (reactive: it reads `members`). */
  isPresent(id: string): boolean {
    void this.members;
    return this.#members.has(id);
  }

  #applySession(session: Session | null): void {
    this.session = session;
    this.members = this.#members.reset(session?.members ?? []);
    this.rosterDone = session?.rosterDone ?? true;
    this.chat.applySession(session);
  }

  /** A roster page: who was there before us. Added quietly: no notice, it is not news. */
  #applyRoster(members: readonly Member[], done: boolean): void {
    if (!this.session) return;
    this.members = this.#members.apply(members, []);
    if (done) this.rosterDone = true;
    this.chat.noteRoster(members);
  }

  /** A presence batch: the members list and the count move once, and one notice per kind. */
  #applyPresence({ joined, left, count }: EventPayload<'presence'>): void {
    const session = this.session;
    if (!session) return;
    this.members = this.#members.apply(
      joined,
      left.map((l) => l.member.id),
    );
    // A shallow copy: the count changes, the snapshot's member list is shared, not copied.
    if (session.room && session.room.members !== count) {
      this.session = { ...session, room: { ...session.room, members: count } };
    }
    this.chat.notePresence(
      joined,
      left.map((l) => l.member),
    );
  }

  #on<E extends EventName>(event: E, handler: (payload: EventPayload<E>) => void): void {
    this.#unsubscribers.push(this.#bridge!.subscribe(event, handler));
  }

  /** Runs a command; on failure shows the error and resolves undefined. */
  async #run<C extends CommandName>(
    command: C,
    payload: CommandPayload<C>,
  ): Promise<CommandResult<C> | undefined> {
    if (!this.#bridge) return undefined;
    try {
      const result = await this.#bridge.send(command, payload);
      this.error = null;
      return result;
    } catch (error) {
      this.error = errorText(error, t);
      return undefined;
    }
  }
}

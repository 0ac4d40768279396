import type {
  CommandName,
  CommandPayload,
  CommandResult,
  EventName,
  EventPayload,
  Hosting,
  LobbyRoom,
  Locale,
  NotifyLevel,
  ParleyBridge,
  Session,
  Settings,
  Theme,
} from '../../../shared/api';
import { errorText } from './errors';
import { reasonText } from './reasonText';
import { t } from './i18n/I18n.svelte';
import { RoomState } from './RoomState.svelte';

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
  settings = $state.raw<Settings>({
    nickname: '',
    locale: null,
    theme: 'system',
    quietUntil: null,
    notifyLevels: {},
    startAtLogin: false,
    closeAction: 'ask',
    trayNoted: false,
  });
  lobby = $state.raw<LobbyRoom[]>([]);
  /** The rooms this app hosts. */
  hosting = $state.raw<Hosting[]>([]);
  /** The rooms the app is in, in the order they were joined: the sidebar's list. */
  rooms = $state.raw<RoomState[]>([]);
  /** The room on screen; null shows the lobby (the rooms on the network, hosting, joining). */
  currentId = $state<string | null>(null);
  /** The last command error or unclaimed problem, as sentences; null when there is none. */
  error = $state<string | null>(null);
  /** Whether the window is on screen (`document.visibilityState`): only then is anything read. */
  visible = $state(true);
  /** Whether this window has the keyboard focus (the user is in Parley, not another app). */
  focused = $state(true);
  /** What the core was last told of the user's attention, so each change is sent once. */
  #toldAttention = '';
  /** The settings view is on screen (in place of the room or the lobby). */
  settingsOpen = $state(false);
  /** A lobby entry the sidebar asked to bring into view (its Join button takes the focus). */
  lobbyFocus = $state<string | null>(null);

  readonly current: RoomState | null = $derived(this.rooms.find((r) => r.id === this.currentId) ?? null);
  /**
   * Rooms being joined with a passcode, not yet let in: kept out of the sidebar and off screen,
   * so a refused passcode is an error where it was typed, never an empty room.
   */
  admitting = $state.raw<readonly string[]>([]);
  /** Per room being admitted, told of each session until it is let in or turned away. */
  // Bookkeeping, never rendered (`admitting` is what the window reads).
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #admissions = new Map<string, (session: Session | null) => void>();
  /** An invite link the shell was handed, for the lobby's join form to take (and clear). */
  inviteDraft = $state.raw<EventPayload<'invite'> | null>(null);
  /** The room name "Host again" left for the lobby's host form, which takes it (and clears it). */
  hostDraft = $state<string | null>(null);

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
    this.#on('hosting', ({ roomId, room }) => this.#applyHosting(roomId, room));
    this.#on('session', ({ roomId, session }) => this.#applySession(roomId, session));
    this.#on('message', ({ roomId, message }) => this.room(roomId)?.chat.receive(message));
    this.#on('sent', ({ roomId, cid, id, seq }) => this.room(roomId)?.chat.acked(cid, id, seq));
    // A notification was clicked: its room and conversation come on screen.
    this.#on('open', ({ roomId, conversation, seq }) => {
      const room = this.room(roomId);
      if (!room) return;
      this.show(roomId);
      room.openConversation(conversation, seq);
    });
    // A link opened from elsewhere: the lobby's join form shows it, and waits for the user.
    this.#on('invite', (invite) => {
      this.inviteDraft = invite;
      this.show(null);
      this.lobbyFocus = '#join';
    });
    this.#on('roster', ({ roomId, members, done }) => this.room(roomId)?.applyRoster(members, done));
    this.#on('presence', (presence) => this.room(presence.roomId)?.applyPresence(presence));
    this.#on('problem', (problem) => {
      const room = problem.roomId === undefined ? undefined : this.room(problem.roomId);
      // Without a cid it is a notice (a post held back goes again by itself), not a failure.
      if (problem.cid && room)
        room.chat.failed({ cid: problem.cid }, errorText(problem, t, false, room.session.maxTextChars));
      else this.error = errorText(problem, t, true);
    });
    this.#watchVisibility();
    try {
      const snapshot = await bridge.send('app:snapshot', {});
      this.settings = snapshot.settings;
      this.lobby = snapshot.lobby;
      this.hosting = snapshot.hosting;
      for (const session of snapshot.sessions) this.#applySession(session.roomId, session);
      // The window opens where it was (a reload, a window reopened), else in the latest room joined.
      const last = readLastShown();
      const start = snapshot.sessions.find((s) => s.roomId === last) ?? snapshot.sessions.at(-1);
      if (start) this.show(start.roomId);
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
    const focus = () => (this.focused = document.hasFocus());
    focus();
    window.addEventListener('focus', focus);
    window.addEventListener('blur', focus);
    this.#unsubscribers.push(() => {
      window.removeEventListener('focus', focus);
      window.removeEventListener('blur', focus);
    });
  }

  /**
   * Tells the core where the user is (focused, and the room and conversation on screen), for
   * the notification policy: what is being read never notifies. Sent only when it changed.
   */
  tellAttention(): void {
    const room = this.current;
    const attention = {
      focused: this.focused && this.visible,
      viewing: room ? { roomId: room.id, conversation: room.chat.selected } : null,
    };
    const said = JSON.stringify(attention);
    if (said === this.#toldAttention || !this.#bridge) return;
    this.#toldAttention = said;
    // Best effort: a window that cannot say so only gets a notification too many.
    this.#bridge.send('app:attention', attention).catch(() => {});
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

  /** Shows the settings (nickname, language, theme); no room is on screen meanwhile. */
  openSettings(): void {
    for (const room of this.rooms) room.chat.show(false);
    this.settingsOpen = true;
  }

  /** Changes settings the window offers as they are (start at login, what closing does). */
  async updateSettings(
    patch: Pick<CommandPayload<'settings:update'>, 'startAtLogin' | 'closeAction'>,
  ): Promise<boolean> {
    const settings = await this.#run('settings:update', patch);
    if (settings) this.settings = settings;
    return !!settings;
  }

  /** Chooses the window's theme; 'system' follows the operating system's. */
  async setTheme(theme: Theme): Promise<boolean> {
    const settings = await this.#run('settings:update', { theme });
    if (settings) this.settings = settings;
    return !!settings;
  }

  /** Do not disturb until `until` (ms since the epoch); null turns it off. */
  async setQuietUntil(until: number | null): Promise<boolean> {
    const settings = await this.#run('settings:update', { quietUntil: until });
    if (settings) this.settings = settings;
    return !!settings;
  }

  /** How much of a room's own chatter notifies ('default': by the room's size). */
  async setNotifyLevel(roomId: string, level: NotifyLevel): Promise<boolean> {
    const settings = await this.#run('room:notify-level', { roomId, level });
    if (settings) this.settings = settings;
    return !!settings;
  }

  /** Chooses the window's language; null follows the operating system. */
  async setLocale(locale: Locale | null): Promise<boolean> {
    const settings = await this.#run('settings:update', { locale });
    if (settings) this.settings = settings;
    return !!settings;
  }

  /** The room the app is in with this id, if it is in it. */
  room(roomId: string): RoomState | undefined {
    return this.rooms.find((r) => r.id === roomId);
  }

  /** The room this app hosts with this id, if it hosts it. */
  hostingOf(roomId: string): Hosting | undefined {
    return this.hosting.find((h) => h.id === roomId);
  }

  /** Shows a room the app is in, or the lobby (null). Instant: every room is kept up to date. */
  show(roomId: string | null): void {
    // A room just joined may be shown before its first session event: it is on screen when it comes.
    for (const room of this.rooms) room.chat.show(room.id === roomId);
    this.settingsOpen = false;
    this.currentId = roomId;
    rememberLastShown(roomId);
  }

  /** Shows the lobby with one of its rooms in view (the sidebar's "On this network"). */
  showLobbyRoom(roomId: string): void {
    this.show(null);
    this.lobbyFocus = roomId;
  }

  /** `passcode`: members must know it to join; empty or absent: anyone may. Shows the room. */
  /**
   * Hosts a room and shows it; on failure, says why for the form to show next to its button
   * (the window's alert is for what no control caused). Null when it worked.
   */
  async hostRoom(name: string, passcode = ''): Promise<string | null> {
    const tried = await this.#attempt('room:host', passcode ? { name, passcode } : { name });
    if (!tried.ok) return tried.error;
    this.show(tried.value.id);
    return null;
  }

  /**
   * Hosts a room of ours again, by its name: with its id, history and port. One that took a
   * passcode needs it typed again (it is never stored): the lobby's form opens, name filled in.
   */
  async hostAgain(room: RoomState): Promise<boolean> {
    const info = room.session.room;
    if (!info) return false;
    if (!info.passcode) {
      // From the room's header: no form to say it beside, so the window's alert does.
      const error = await this.hostRoom(info.name);
      this.error = error;
      return error === null;
    }
    this.prepareHosting(info.name);
    return true;
  }

  /**
   * Fills the lobby's host form with a room of ours to host again, the passcode field focused:
   * a passcode is never stored, so the user says again whether it takes one (empty: none).
   */
  prepareHosting(name: string): void {
    this.hostDraft = name;
    this.show(null);
    this.lobbyFocus = '#host-passcode';
  }

  /** Stops hosting the room; the app's own session in it stays, offline, until left. */
  async stopHosting(roomId: string): Promise<boolean> {
    return !!(await this.#run('room:stop-hosting', { roomId }));
  }

  /**
   * Joins a room of the lobby and shows it. `passcode`: for a room that takes one; `entry`: the
   * lobby entry meant when several share the id (a suspect one only with `acceptSuspect`).
   */
  async joinRoom(
    roomId: string,
    passcode = '',
    entry: { fingerprint?: string; acceptSuspect?: true } = {},
  ): Promise<boolean> {
    const joined = !!(await this.#run('room:join', { roomId, ...(passcode && { passcode }), ...entry }));
    if (joined) this.show(roomId);
    return joined;
  }

  /**
   * Joins a room of the lobby as the join dialog does, and shows it once it lets us in.
   * Resolves with why it did not, in the user's language (null: in). For a room that takes a
   * passcode, a refusal leaves nothing behind: the app leaves it again, the window never shows it.
   */
  async enterRoom(
    roomId: string,
    passcode: string,
    entry: { fingerprint?: string; acceptSuspect?: true; passcode?: boolean } = {},
  ): Promise<string | null> {
    const { passcode: takesPasscode, ...which } = entry;
    return this.#enter(roomId, !!takesPasscode, () =>
      this.#bridge!.send('room:join', { roomId, ...(passcode && { passcode }), ...which }).then(() => roomId),
    );
  }

  /** Joins the room at `address` pinned to `fingerprint`, as enterRoom does a lobby room. */
  async enterAddress(check: AddressCheck, address: string, passcode: string): Promise<string | null> {
    const payload = passcode
      ? { address, fingerprint: check.fingerprint, passcode }
      : { address, fingerprint: check.fingerprint };
    return this.#enter(check.room.id, !!check.room.passcode, () =>
      this.#bridge!.send('room:join-address', payload).then((r) => r.roomId),
    );
  }

  async #enter(roomId: string, admission: boolean, join: () => Promise<string>): Promise<string | null> {
    if (!this.#bridge) return null;
    const before = this.room(roomId);
    const wasIn = !!before && before.session.state !== 'offline';
    // Waiting starts before the command: the first session event may come before its reply.
    const admitted = admission && !wasIn ? this.#awaitAdmission(roomId) : null;
    try {
      await join();
    } catch (error) {
      this.#endAdmission(roomId);
      return errorText(error, t);
    }
    const refusal = admitted ? await admitted : null;
    if (refusal !== null) {
      // Turned away at the door: the app leaves the room again, unless it was in it before.
      if (!before) await this.#bridge.send('room:leave', { roomId }).catch(() => {});
      return refusal;
    }
    this.error = null;
    this.show(roomId);
    return null;
  }

  /** Resolves with null once the room's session is online, or with why it was turned away. */
  #awaitAdmission(roomId: string): Promise<string | null> {
    this.admitting = [...this.admitting, roomId];
    return new Promise((resolve) => {
      this.#admissions.set(roomId, (session) => {
        if (session?.state === 'connecting') return;
        // Reconnecting: it could not be reached yet, which is no refusal; it shows as such.
        if (session && session.state !== 'offline') {
          this.#endAdmission(roomId);
          resolve(null);
          return;
        }
        this.#endAdmission(roomId);
        resolve(session?.reason ? reasonText(session.reason, session.room, t) : t('error.INTERNAL'));
      });
    });
  }

  #endAdmission(roomId: string): void {
    this.#admissions.delete(roomId);
    this.admitting = this.admitting.filter((id) => id !== roomId);
  }

  /** What an address answers (room, verification code, trust), before the user joins it. */
  /** What a room at `address` says of itself, or why it could not be asked (for the address field). */
  async checkAddress(address: string): Promise<Attempt<AddressCheck>> {
    return this.#attempt('room:check-address', { address });
  }

  /** The room's invite link (parley://join?…), or why there is none. */
  async inviteLink(roomId: string): Promise<Attempt<string>> {
    const tried = await this.#attempt('room:invite', { roomId });
    return tried.ok ? { ok: true, value: tried.value.link } : tried;
  }

  /** Trusts a room's new certificate (the user compared codes with the host). */
  async trustRoom(roomId: string, fingerprint: string): Promise<boolean> {
    return !!(await this.#run('room:trust', { roomId, fingerprint }));
  }

  /** Leaves the room (its saved copy stays, listed in the lobby); the lobby is shown if it was on screen. */
  async leave(roomId: string): Promise<boolean> {
    return !!(await this.#run('room:leave', { roomId }));
  }

  /** Leaves the room and deletes its saved copy. */
  async forget(roomId: string): Promise<boolean> {
    return !!(await this.#run('room:forget', { roomId }));
  }

  #applyHosting(roomId: string, room: Hosting | null): void {
    const others = this.hosting.filter((h) => h.id !== roomId);
    if (!room) this.hosting = others;
    else if (others.length === this.hosting.length) this.hosting = [...this.hosting, room];
    else this.hosting = this.hosting.map((h) => (h.id === roomId ? room : h));
  }

  /** A session came, changed or went (null: the app left the room). */
  #applySession(roomId: string, session: Session | null): void {
    this.#admissions.get(roomId)?.(session);
    const room = this.room(roomId);
    if (!session) {
      if (!room) return;
      this.rooms = this.rooms.filter((r) => r !== room);
      if (this.currentId === roomId) this.currentId = null;
      return;
    }
    if (room) {
      room.applySession(session);
      return;
    }
    const host = { bridge: this.#bridge!, showError: (text: string | null) => (this.error = text) };
    this.rooms = [...this.rooms, new RoomState(session, host, this.currentId === roomId)];
    // A room joined while the lobby is on screen (from elsewhere too: a link, the tray) comes on screen.
    if (this.currentId === null && this.status === 'ready' && !this.#admissions.has(roomId)) {
      this.show(roomId);
    }
  }

  #on<E extends EventName>(event: E, handler: (payload: EventPayload<E>) => void): void {
    this.#unsubscribers.push(this.#bridge!.subscribe(event, handler));
  }

  /** Runs a command for a form: on failure, the sentence is the form's to show beside its field. */
  async #attempt<C extends CommandName>(
    command: C,
    payload: CommandPayload<C>,
  ): Promise<Attempt<CommandResult<C>>> {
    if (!this.#bridge) return { ok: false, error: t('app.noBridge') };
    try {
      const value = await this.#bridge.send(command, payload);
      this.error = null;
      return { ok: true, value };
    } catch (error) {
      return { ok: false, error: errorText(error, t) };
    }
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

/** What a form's command gave: its result, or the sentence saying why not. */
export type Attempt<T> = { ok: true; value: T } | { ok: false; error: string };

/** Which room the window last showed: window state, kept by the window (not a setting). */
const LAST_SHOWN_KEY = 'parley.lastShownRoom';

function readLastShown(): string | null {
  try {
    return localStorage.getItem(LAST_SHOWN_KEY);
  } catch {
    return null; // storage refused (a sandboxed test page): start in the latest room
  }
}

function rememberLastShown(roomId: string | null): void {
  try {
    if (roomId === null) localStorage.removeItem(LAST_SHOWN_KEY);
    else localStorage.setItem(LAST_SHOWN_KEY, roomId);
  } catch {
    // nothing to keep it in; the window opens in the latest room instead
  }
}

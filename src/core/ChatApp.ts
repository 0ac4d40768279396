import { EventEmitter } from 'node:events';
import {
  BridgeError,
  BridgeErrorCode,
  type BridgeEvents,
  type CommandName,
  type CommandResult,
  type ParsedCommand,
  type InviteFault,
  type Locale,
  MAX_LINK_CHARS,
  type Settings,
  type Snapshot,
} from '../shared/api';
import { reason, ReasonCode } from '../shared/reasons';
import { storageReport, type StorageProblem } from '../shared/storageProblem';
import { Discovery, type DiscoveredRoom, type DiscoveryOptions } from './discovery';
import { HostedRooms } from './HostedRooms';
import { TrustStore } from './trust';
import { MemberDatabase } from './store/member/MemberDatabase';
import { SettingsFile } from './store/SettingsFile';
import type { WindowAttention } from './attention/Notifier';
import { ownStatus } from './attention/ownStatus';
import type { UnreadTotals } from './attention/UnreadTally';
import { JoinedRooms } from './JoinedRooms';
import { JoinFlows } from './JoinFlows';
import { parseInvite } from './invite/inviteLink';
import { roomInvite } from './invite/roomInvite';
import { LobbyView } from './LobbyView';

export interface ChatAppOptions {
  /** Folder for settings, the member's saved copies and outbox, and hosted rooms' history. */
  dataDir: string;
  /** Nickname to start with before the user picks one. */
  defaultNickname: string;
  /** mDNS discovery and advertising; false runs without (join by address only). */
  discovery?: false | DiscoveryOptions;
  /** Port for the first room hosted; absent or 0: each room's remembered port, or any free one. */
  hostPort?: number;
  /** How long join-by-address waits for the room to answer. */
  probeTimeoutMs?: number;
  /** This machine's addresses others on the LAN reach, for invite links (default: read fresh). */
  lanAddresses?: () => string[];
}

type Handlers = {
  [C in CommandName]: (
    payload: Extract<ParsedCommand, { command: C }>['payload'],
  ) => CommandResult<C> | Promise<CommandResult<C>>;
};

/**
 * The one object a shell talks to: implements every bridge command over the host, client and
 * discovery parts, and emits every bridge event. Electron's main process, the headless test
 * agent and the e2e bridge all drive this same class. It is in any number of rooms at once,
 * each its own session (connection, reconnect, outbox, saved copy), and hosts any number.
 */
export class ChatApp extends EventEmitter<BridgeEvents> {
  private readonly settings: SettingsFile;
  private readonly store: MemberDatabase;
  private readonly problems: ReturnType<typeof storageReport>[] = [];
  /** The tail of the queue of room changes (see serially). */
  private changes: Promise<unknown> = Promise.resolve();
  private readonly discovery: Discovery | null;
  private readonly hosted: HostedRooms;
  /** The rooms the app is in, each its own session, and what is wired to each. */
  private readonly rooms: JoinedRooms;
  /** What the lobby shows: discovery's list, and certificates our connections were shown. */
  private readonly lobby: LobbyView;
  /** The ways into a room (lobby, address, one's own, trusting a new certificate). */
  private readonly joins: JoinFlows;
  /** Which certificate each joined room's host presented (trust on first use). */
  private readonly trust: TrustStore;
  private readonly handlers: Handlers;
  /** Whether the shell says the machine is idle (see setIdle). */
  private idle = false;
  /** Ends "busy" when Do not disturb runs out. */
  private quietTimer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: ChatAppOptions) {
    super();
    this.settings = new SettingsFile(opts.dataDir, {
      nickname: opts.defaultNickname,
      locale: null,
      theme: 'system',
      quietUntil: null,
      notifyLevels: {},
      startAtLogin: false,
      closeAction: 'ask',
      trayNoted: false,
    });
    if (this.settings.problem) this.report(this.settings.problem);
    this.store = MemberDatabase.open(opts.dataDir);
    if (this.store.problem) this.report(this.store.problem);
    this.store.onProblem = (sentence) => this.report(sentence);
    this.trust = TrustStore.open(opts.dataDir);
    if (this.trust.problem) this.report(this.trust.problem);
    this.trust.onProblem = (sentence) => this.report(sentence);
    this.discovery = opts.discovery === false ? null : new Discovery(opts.discovery ?? {});
    this.discovery?.on('rooms', (rooms) => this.onRooms(rooms));
    this.discovery?.on('error', (err) => console.warn(`[parley] discovery: ${err.message}`));
    this.hosted = new HostedRooms({
      dataDir: opts.dataDir,
      discovery: this.discovery,
      ...(opts.hostPort ? { fixedPort: opts.hostPort } : {}),
      report: (problem) => this.report(problem),
      changed: (roomId, room) => {
        this.emit('hosting', { roomId, room });
        this.lobby.changed();
      },
    });
    this.lobby = new LobbyView({
      hosted: this.hosted,
      store: this.store,
      trust: this.trust,
      memberIdIn: (roomId) => this.rooms.memberIdIn(roomId),
      emit: (rooms) => this.emit('lobby', { rooms }),
    });
    this.rooms = new JoinedRooms({
      store: this.store,
      trust: this.trust,
      hosted: this.hosted,
      settings: () => this.settings.get(),
      discovered: () => this.lobby.discovered,
      // Node's typed emit cannot take a name and payload paired by a generic: called as untyped.
      emit: (event, payload) =>
        void (this.emit as (name: string, value: unknown) => boolean).call(this, event, payload),
      lobbyChanged: () => this.lobby.changed(),
    });
    this.joins = new JoinFlows({
      rooms: this.rooms,
      hosted: this.hosted,
      trust: this.trust,
      store: this.store,
      lobby: this.lobby,
      probeTimeoutMs: opts.probeTimeoutMs ?? 3000,
    });
    this.handlers = this.makeHandlers();
  }

  /** Starts discovery and rejoins every room the user was in when the app last stopped. */
  start(): void {
    this.discovery?.start();
    this.updateStatus();
    for (const room of this.store.knownRooms().reverse()) {
      if (!room.joined) continue;
      const fingerprint = this.trust.pinned(room.id);
      // A room of our own is not hosted until the user hosts it again: its saved copy, then.
      if (this.hosted.hostedBefore(room.id)) {
        this.rooms.open(room.endpoints, room.id, { fingerprint, offline: reason(ReasonCode.NotHosting) });
        continue;
      }
      // Joined by address or announced, the addresses it was last reached at are tried at
      // once; discovery hands the session newer ones (a host that came back on another port).
      this.rooms.open(room.endpoints, room.id, { fingerprint });
    }
  }

  /** Runs one parsed command. Throws BridgeError with a code and a sentence on failure. */
  handle(cmd: ParsedCommand): Promise<CommandResult<CommandName>> {
    const handler = this.handlers[cmd.command] as (payload: unknown) => unknown;
    return Promise.resolve(handler(cmd.payload)) as Promise<CommandResult<CommandName>>;
  }

  private makeHandlers(): Handlers {
    return {
      'app:snapshot': () => this.snapshot(),
      'settings:update': (patch) => this.updateSettings(patch),
      'room:notify-level': ({ roomId, level }) => {
        const { [roomId]: _old, ...others } = this.settings.get().notifyLevels;
        return this.updateSettings({
          notifyLevels: level === 'default' ? others : { ...others, [roomId]: level },
        });
      },
      'app:attention': (attention) => {
        this.setAttention(attention);
        return {};
      },
      'room:host': ({ name, passcode }) => this.serially(() => this.hostRoom(name, passcode)),
      'room:stop-hosting': async ({ roomId }) => {
        await this.serially(() => this.stopHosting(roomId));
        return {};
      },
      'room:join': async (request) => {
        await this.serially(async () => this.joins.join(request));
        return {};
      },
      'room:check-address': ({ address }) => this.joins.checkAddress(address),
      'room:join-address': ({ address, fingerprint, passcode }) =>
        this.serially(() => this.joins.joinAddress(address, fingerprint, passcode)),
      'room:invite': ({ roomId }) => ({
        link: roomInvite(roomId, {
          hosted: this.hosted,
          rooms: this.rooms,
          trust: this.trust,
          ...(this.opts.lanAddresses && { lanAddresses: this.opts.lanAddresses }),
        }),
      }),
      'room:trust': ({ roomId, fingerprint }) => {
        this.joins.trust(roomId, fingerprint);
        return {};
      },
      'room:reconnect': ({ roomId, passcode }) => {
        const { client } = this.rooms.require(roomId);
        if (passcode !== undefined) client.setPasscode(passcode);
        client.reconnectNow();
        return {};
      },
      'room:leave': async ({ roomId }) => {
        await this.serially(() => this.leave(roomId));
        return {};
      },
      'room:forget': async ({ roomId }) => {
        await this.serially(() => this.forget(roomId));
        return {};
      },
      'chat:send': ({ roomId, text, to, cid }) => ({
        cid: this.rooms.require(roomId).client.post(text, to, cid),
      }),
      'chat:load-earlier': ({ roomId, before }) => this.loadEarlier(roomId, before),
      'chat:mark-read': ({ roomId, conversation, seq }) => {
        this.rooms.require(roomId).markRead(conversation, seq);
        this.lobby.changed();
        this.rooms.readChanged();
        return {};
      },
    };
  }

  /**
   * Runs room changes (host, stop, join, leave) one after another: each awaits network or disk,
   * and two interleaved ones could leave a second host listening or a session nobody chose.
   */
  private serially<T>(change: () => Promise<T>): Promise<T> {
    const run = this.changes.then(change, change);
    this.changes = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** The language the user chose, or null (the system's): for what the shell words itself. */
  get locale(): Locale | null {
    return this.settings.get().locale;
  }

  /** Where the user is (see the bridge's app:attention); the shell says so when the window goes. */
  setAttention(attention: WindowAttention): void {
    this.rooms.setAttention(attention);
  }

  /**
   * The shell says whether the machine is idle (no input for AWAY_AFTER_MS, or the screen
   * locked): every room then shows us away, until we are back.
   */
  setIdle(idle: boolean): void {
    if (idle === this.idle) return;
    this.idle = idle;
    this.updateStatus();
  }

  /** Tells every room what we show as (busy in Do not disturb, away when idle), and when that ends. */
  private updateStatus(): void {
    const { quietUntil } = this.settings.get();
    const now = Date.now();
    this.rooms.setStatus(ownStatus(quietUntil, this.idle, now));
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.quietTimer = null;
    if (quietUntil !== null && quietUntil > now) {
      // Timers take at most 2^31-1 ms; a longer quiet is looked at again then.
      this.quietTimer = setTimeout(() => this.updateStatus(), Math.min(quietUntil - now, 2 ** 31 - 1));
      this.quietTimer.unref();
    }
  }

  /** What waits unread in every joined room (as the last `unread` event said). */
  get unreadTotals(): UnreadTotals {
    return this.rooms.unreadTotals;
  }

  /** Asks the window to show a room's conversation (a notification about it was clicked, or the tray's room). */
  reveal(target: { roomId: string; conversation: string; seq?: number }): void {
    const { roomId, conversation, seq } = target;
    this.emit('open', { roomId, conversation, ...(seq !== undefined && { seq }) });
  }

  /** The settings as they are now (the shell reads its own: start at login, closing). */
  currentSettings(): Settings {
    return this.settings.get();
  }

  /**
   * The shell was handed a link (a second launch, the system's URL handler): the window is told
   * what it invites to, or what is wrong with it. Nothing is asked or joined before the user says.
   */
  openLink(text: string): void {
    const link = text.trim().slice(0, MAX_LINK_CHARS);
    try {
      const invite = parseInvite(text);
      const { roomId: id, name, host, passcode } = invite;
      this.emit('invite', { link, room: { id, name, host, passcode } });
    } catch (err) {
      if (!(err instanceof BridgeError) || err.code !== BridgeErrorCode.BadInvite) throw err;
      this.emit('invite', { link, fault: err.params!.fault as InviteFault });
    }
  }

  snapshot(): Snapshot {
    return {
      settings: this.settings.get(),
      lobby: this.lobby.rooms(),
      hosting: this.hosted.list().map((room) => room.hosting),
      sessions: this.rooms.sessions().map((session) => session.snapshot()),
      problems: [...this.problems],
    };
  }

  /** Leaves every room and stops hosting (with goodbyes), then stops discovery. */
  async stop(): Promise<void> {
    if (this.quietTimer) clearTimeout(this.quietTimer);
    // Closing, not leaving: the rooms the user is in are rejoined at the next start.
    await this.rooms.closeAll();
    await this.hosted.stopAll();
    await this.discovery?.stop();
    this.trust.close();
    this.store.close();
  }

  /** Storage trouble is logged and shown (by code, worded in the window), never thrown: the chat goes on in memory. */
  private report(trouble: StorageProblem): void {
    const problem = storageReport(trouble);
    console.warn(`[parley] ${problem.message}`);
    this.problems.push(problem);
    this.emit('problem', problem);
  }

  private async loadEarlier(roomId: string, before: number) {
    const session = this.rooms.require(roomId);
    try {
      return await session.loadEarlier(before);
    } catch (err) {
      if (err instanceof BridgeError) throw err;
      const detail = (err as Error).message;
      throw new BridgeError(BridgeErrorCode.FetchFailed, `Could not load earlier messages: ${detail}`, {
        detail,
      });
    }
  }

  /** Changes settings and tells the window; the shell changes its own this way (trayNoted, closeAction). */
  updateSettings(patch: Partial<Settings>): Settings {
    const next = { ...this.settings.get(), ...patch };
    this.settings.set(next);
    this.emit('settings', next);
    if ('quietUntil' in patch) this.updateStatus();
    return next;
  }

  /** Hosts a room (or brings back one hosted before under that name) and joins it ourselves. */
  private async hostRoom(name: string, passcode?: string) {
    const hosted = await this.hosted.host({
      name,
      ...(passcode ? { passcode } : {}),
      hostNick: this.settings.get().nickname,
      memberIdOf: (roomId) => this.rooms.memberIdIn(roomId),
    });
    this.emit('hosting', { roomId: hosted.info.id, room: hosted.hosting });
    this.lobby.changed();
    this.joins.enterOwn(hosted);
    return hosted.info;
  }

  /**
   * Stops hosting the room. The hosting person's own session in it stays, offline, saying why:
   * the room keeps its place in their list, to read or to host again.
   */
  private async stopHosting(roomId: string): Promise<void> {
    const hosted = this.hosted.get(roomId);
    if (!hosted) return;
    const own = this.rooms.get(roomId);
    // Suspended first, so the host's goodbye close is not taken for a restart to wait out.
    own?.client.suspend(reason(ReasonCode.NotHosting));
    await this.hosted.stop(roomId);
  }

  /** Discovery's list changed: the lobby shows it, and each session follows its room in it. */
  private onRooms(rooms: DiscoveredRoom[]): void {
    this.lobby.setDiscovered(rooms);
    this.rooms.followAll();
  }

  /** Leaves the room: the connection closes, and it is not rejoined at the next start. */
  private async leave(roomId: string): Promise<void> {
    this.store.leftRoom(roomId);
    if (!(await this.rooms.close(roomId))) return;
    this.emit('session', { roomId, session: null });
    this.lobby.changed();
  }

  /** Leaves the room and deletes what this app kept of it as a member. */
  private async forget(roomId: string): Promise<void> {
    await this.leave(roomId);
    this.store.forgetRoom(roomId);
    this.lobby.changed();
  }
}

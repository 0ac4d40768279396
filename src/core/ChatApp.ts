import { EventEmitter } from 'node:events';
import {
  BridgeError,
  BridgeErrorCode,
  type CommandName,
  type CommandResult,
  type Endpoint,
  type BridgeEvents,
  type LobbyRoom,
  type ParsedCommand,
  type Settings,
  type Snapshot,
} from '../shared/api';
import { PROTOCOL_VERSION } from '../shared/protocol';
import { versionMismatchMessage } from '../shared/codec';
import {
  Discovery,
  fetchRoomInfo,
  parseAddress,
  type DiscoveredRoom,
  type DiscoveryOptions,
} from './discovery';
import { HostedRoom } from './HostedRoom';
import { RoomSession } from './RoomSession';
import { memberIdFromKey } from './memberId';
import { HostDatabase } from './store/host/HostDatabase';
import { MemberDatabase } from './store/member/MemberDatabase';
import { SettingsFile } from './store/SettingsFile';

export interface ChatAppOptions {
  /** Folder for settings, the member's saved copies and outbox, and hosted rooms' history. */
  dataDir: string;
  /** Nickname to start with before the user picks one. */
  defaultNickname: string;
  /** mDNS discovery and advertising; false runs without (join by address only). */
  discovery?: false | DiscoveryOptions;
  /** Port to host rooms on; 0 (default) lets the system choose. */
  hostPort?: number;
  /** How long join-by-address waits for the room to answer. */
  probeTimeoutMs?: number;
}

/** Forwarded from a session to the window unchanged. */
const SESSION_EVENTS = ['session', 'message', 'sent', 'presence', 'problem'] as const;

const OFFLINE_COPY = "The room's host is not on the network. You are reading your saved copy.";

/**
 * The one object a shell talks to: implements every bridge command over the host, client and
 * discovery parts, and emits every bridge event. Electron's main process, the headless test
 * agent and the e2e bridge all drive this same class.
 */
export class ChatApp extends EventEmitter<BridgeEvents> {
  private readonly settings: SettingsFile;
  private readonly store: MemberDatabase;
  /** Opened the first time this app hosts. */
  private hostDb: HostDatabase | null = null;
  private readonly problems: { code: string; message: string }[] = [];
  /** The tail of the queue of room changes (see serially). */
  private changes: Promise<unknown> = Promise.resolve();
  private readonly discovery: Discovery | null;
  private hosted: HostedRoom | null = null;
  private session: RoomSession | null = null;
  /** Rooms the session's room was last seen in; used to suspend it when it vanishes. */
  private lobby: DiscoveredRoom[] = [];

  constructor(private readonly opts: ChatAppOptions) {
    super();
    this.settings = new SettingsFile(opts.dataDir, { nickname: opts.defaultNickname, locale: null });
    if (this.settings.problem) this.report(this.settings.problem);
    this.store = MemberDatabase.open(opts.dataDir);
    if (this.store.problem) this.report(this.store.problem);
    this.store.onProblem = (sentence) => this.report(sentence);
    this.discovery = opts.discovery === false ? null : new Discovery(opts.discovery ?? {});
    this.discovery?.on('rooms', (rooms) => this.onRooms(rooms));
    this.discovery?.on('error', (err) => console.warn(`[parley] discovery: ${err.message}`));
  }

  start(): void {
    this.discovery?.start();
  }

  /** Runs one parsed command. Throws BridgeError with a code and a sentence on failure. */
  async handle(cmd: ParsedCommand): Promise<CommandResult<CommandName>> {
    switch (cmd.command) {
      case 'app:snapshot':
        return this.snapshot();
      case 'settings:update':
        return this.updateSettings(cmd.payload);
      case 'room:host':
        return this.serially(() => this.hostRoom(cmd.payload.name));
      case 'room:stop-hosting':
        await this.serially(() => this.stopHosting());
        return {};
      case 'room:join':
        await this.serially(async () => this.joinRoom(cmd.payload.roomId));
        return {};
      case 'room:join-address':
        await this.serially(() => this.joinAddress(cmd.payload.address));
        return {};
      case 'room:reconnect':
        this.requireSession().client.reconnectNow();
        return {};
      case 'room:leave':
        await this.serially(() => this.leave());
        return {};
      case 'chat:send':
        return { cid: this.requireSession().client.post(cmd.payload.text, cmd.payload.to) };
      case 'chat:load-earlier':
        return this.loadEarlier(cmd.payload.before);
      case 'chat:mark-read':
        this.requireSession().markRead(cmd.payload.conversation, cmd.payload.seq);
        this.emitLobby();
        return {};
    }
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

  snapshot(): Snapshot {
    return {
      settings: this.settings.get(),
      lobby: this.lobbyRooms(),
      hosting: this.hosted?.hosting ?? null,
      session: this.session?.snapshot() ?? null,
      problems: [...this.problems],
    };
  }

  /** Leaves the room and stops hosting (with goodbyes), then stops discovery. */
  async stop(): Promise<void> {
    await this.leave();
    await this.stopHosting();
    await this.discovery?.stop();
    this.hostDb?.close();
    this.store.close();
  }

  /** Storage trouble is logged and shown, never thrown: the chat goes on in memory. */
  private report(message: string): void {
    console.warn(`[parley] ${message}`);
    const problem = { code: 'STORAGE', message };
    this.problems.push(problem);
    this.emit('problem', problem);
  }

  private async loadEarlier(before: number) {
    try {
      return await this.requireSession().loadEarlier(before);
    } catch (err) {
      if (err instanceof BridgeError) throw err;
      throw new BridgeError('FETCH_FAILED', `Could not load earlier messages: ${(err as Error).message}`);
    }
  }

  private updateSettings(patch: Partial<Settings>): Settings {
    const next = { ...this.settings.get(), ...patch };
    this.settings.set(next);
    this.emit('settings', next);
    return next;
  }

  private async hostRoom(name: string) {
    await this.stopHosting();
    try {
      if (!this.hostDb) {
        this.hostDb = HostDatabase.open(this.opts.dataDir);
        if (this.hostDb.problem) this.report(this.hostDb.problem);
        this.hostDb.onProblem = (sentence) => this.report(sentence);
        this.hostDb.onRecovered = (sentence) => console.warn(`[parley] ${sentence}`);
      }
      // Hosting a name again brings back the same room, with its id and its history.
      const room = this.hostDb.room(name);
      this.hosted = await HostedRoom.start({
        name,
        hostNick: this.settings.get().nickname,
        port: this.opts.hostPort,
        discovery: this.discovery,
        roomId: room.id,
        history: room.history,
      });
    } catch (err) {
      throw new BridgeError(BridgeErrorCode.HostFailed, `Could not host the room: ${(err as Error).message}`);
    }
    const hosted = this.hosted;
    hosted.host.on('count', () => {
      if (this.hosted !== hosted) return;
      this.emit('hosting', { room: hosted.hosting });
      this.emitLobby();
    });
    const info = hosted.info;
    this.emit('hosting', { room: hosted.hosting });
    this.emitLobby();
    this.openSession([{ host: '127.0.0.1', port: hosted.port }], info.id);
    return info;
  }

  private async stopHosting(): Promise<void> {
    const hosted = this.hosted;
    if (!hosted) return;
    this.hosted = null;
    if (this.session?.roomId === hosted.info.id) await this.leave();
    await hosted.stop();
    this.emit('hosting', { room: null });
    this.emitLobby();
  }

  private joinRoom(roomId: string): void {
    if (this.hosted?.info.id === roomId) {
      this.openSession([{ host: '127.0.0.1', port: this.hosted.port }], roomId);
      return;
    }
    const room = this.lobby.find((r) => r.id === roomId);
    if (!room) {
      // A room joined before whose host is away: open the saved copy, read-only.
      const known = this.store.knownRooms().find((r) => r.id === roomId);
      if (!known) throw new BridgeError(BridgeErrorCode.NoSuchRoom, 'That room is no longer on the network.');
      this.openSession(known.endpoints, known.id, { offline: true });
      return;
    }
    if (room.v !== PROTOCOL_VERSION)
      throw new BridgeError(BridgeErrorCode.VersionMismatch, versionMismatchMessage(room.v));
    this.openSession(room.endpoints, room.id);
  }

  /** Asks the address for its room first, so a typo gets a clear error instead of endless retries. */
  private async joinAddress(address: string): Promise<void> {
    const endpoint = parseAddress(address);
    if (!endpoint) {
      throw new BridgeError(
        BridgeErrorCode.BadAddress,
        `"${address}" is not an address like 192.168.1.20:4000.`,
      );
    }
    let info;
    try {
      info = await fetchRoomInfo(endpoint, this.opts.probeTimeoutMs ?? 3000);
    } catch (err) {
      throw new BridgeError(
        BridgeErrorCode.NoSuchRoom,
        `No Parley room answers at ${address}: ${(err as Error).message}`,
      );
    }
    if (info.v !== PROTOCOL_VERSION)
      throw new BridgeError(BridgeErrorCode.VersionMismatch, versionMismatchMessage(info.v));
    this.openSession([endpoint], info.id);
  }

  private openSession(endpoints: Endpoint[], roomId: string, opts: { offline?: boolean } = {}): void {
    void this.session?.close();
    const session = new RoomSession({
      roomId,
      endpoints,
      nickname: this.settings.get().nickname,
      store: this.store,
    });
    for (const name of SESSION_EVENTS) {
      // Each name is forwarded with its own payload type; TypeScript cannot pair them in a loop.
      session.on(name, ((payload: never) => {
        if (this.session === session) this.emit(name, payload);
      }) as never);
    }
    // A drop is judged against the lobby too: a room already gone from it goes offline at once.
    session.client.on('state', () => {
      if (this.session === session) this.followSessionRoom();
    });
    this.session = session;
    if (opts.offline) {
      // Its host is gone: show the saved copy, and join by itself when the room is announced again.
      session.seenOnLan = true;
      session.openOffline(OFFLINE_COPY);
    } else {
      session.connect();
    }
    this.followSessionRoom();
  }

  private async leave(): Promise<void> {
    const session = this.session;
    if (!session) return;
    this.session = null;
    await session.close();
    this.emit('session', { session: null });
    this.emitLobby();
  }

  private requireSession(): RoomSession {
    if (!this.session) throw new BridgeError(BridgeErrorCode.NotInRoom, 'You are not in a room.');
    return this.session;
  }

  private onRooms(rooms: DiscoveredRoom[]): void {
    this.lobby = rooms;
    this.emitLobby();
    this.followSessionRoom();
  }

  /**
   * A room whose host vanished is shown offline at once rather than after the client's retries
   * run out; when it is announced again (host restarted), the session rejoins by itself.
   */
  private followSessionRoom(): void {
    const session = this.session;
    const roomId = session?.roomId;
    if (!session || !roomId || this.hosted?.info.id === roomId) return;
    const listed = this.lobby.find((r) => r.id === roomId);
    const state = session.client.state;
    if (listed) {
      session.seenOnLan = true;
      session.client.setEndpoints(listed.endpoints);
      if (session.goneFromLan && state === 'offline') session.connect();
    } else if (session.seenOnLan && state === 'reconnecting') {
      // Only a room we saw announced can be declared gone: one joined by address on a network
      // without multicast was never listed, and keeps retrying instead.
      session.goneFromLan = true;
      session.client.suspend('The room is no longer on the network.');
    }
  }

  private lobbyRooms(): LobbyRoom[] {
    const mine = this.hosted?.info;
    const unread = (roomId: string) => {
      const counts = this.store.unread(roomId, memberIdFromKey(this.store.memberKey(roomId)));
      return Object.values(counts).reduce((a, b) => a + b, 0);
    };
    const rooms: LobbyRoom[] = this.lobby.map((r) => ({
      ...r,
      mine: r.id === mine?.id,
      online: true,
      unread: unread(r.id),
    }));
    // Our own room is listed even where multicast does not loop back to us.
    if (mine && !rooms.some((r) => r.mine)) {
      rooms.unshift({
        id: mine.id,
        name: mine.name,
        host: mine.host,
        members: mine.members,
        v: mine.v,
        endpoints: [{ host: '127.0.0.1', port: this.hosted!.port }],
        mine: true,
        online: true,
        unread: unread(mine.id),
      });
    }
    // Rooms joined before whose host is away: readable from the saved copy.
    for (const known of this.store.knownRooms()) {
      if (rooms.some((r) => r.id === known.id)) continue;
      rooms.push({
        id: known.id,
        name: known.name,
        host: known.host,
        members: 0,
        v: PROTOCOL_VERSION,
        endpoints: known.endpoints,
        mine: false,
        online: false,
        unread: unread(known.id),
      });
    }
    return rooms;
  }

  private emitLobby(): void {
    this.emit('lobby', { rooms: this.lobbyRooms() });
  }
}

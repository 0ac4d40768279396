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
import { SettingsFile } from './store/SettingsFile';

export interface ChatAppOptions {
  /** Folder for settings (and, later, history). */
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
const SESSION_EVENTS = ['session', 'message', 'presence', 'problem'] as const;

/**
 * The one object a shell talks to: implements every bridge command over the host, client and
 * discovery parts, and emits every bridge event. Electron's main process, the headless test
 * agent and the e2e bridge all drive this same class.
 */
export class ChatApp extends EventEmitter<BridgeEvents> {
  private readonly settings: SettingsFile;
  private readonly discovery: Discovery | null;
  private hosted: HostedRoom | null = null;
  private session: RoomSession | null = null;
  /** Rooms the session's room was last seen in; used to suspend it when it vanishes. */
  private lobby: DiscoveredRoom[] = [];

  constructor(private readonly opts: ChatAppOptions) {
    super();
    this.settings = new SettingsFile(opts.dataDir, { nickname: opts.defaultNickname, locale: null });
    if (this.settings.problem) console.warn(`[parley] ${this.settings.problem}`);
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
        return this.hostRoom(cmd.payload.name);
      case 'room:stop-hosting':
        await this.stopHosting();
        return {};
      case 'room:join':
        this.joinRoom(cmd.payload.roomId);
        return {};
      case 'room:join-address':
        await this.joinAddress(cmd.payload.address);
        return {};
      case 'room:reconnect':
        this.requireSession().client.reconnectNow();
        return {};
      case 'room:leave':
        await this.leave();
        return {};
      case 'chat:send':
        return { cid: this.requireSession().client.post(cmd.payload.text, cmd.payload.to) };
    }
  }

  snapshot(): Snapshot {
    return {
      settings: this.settings.get(),
      lobby: this.lobbyRooms(),
      hosting: this.hosted?.hosting ?? null,
      session: this.session?.snapshot() ?? null,
    };
  }

  /** Leaves the room and stops hosting (with goodbyes), then stops discovery. */
  async stop(): Promise<void> {
    await this.leave();
    await this.stopHosting();
    await this.discovery?.stop();
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
      this.hosted = await HostedRoom.start({
        name,
        hostNick: this.settings.get().nickname,
        port: this.opts.hostPort,
        discovery: this.discovery,
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
    if (!room) throw new BridgeError(BridgeErrorCode.NoSuchRoom, 'That room is no longer on the network.');
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

  private openSession(endpoints: Endpoint[], roomId: string | null): void {
    void this.session?.close();
    const session = new RoomSession(endpoints, this.settings.get().nickname, roomId);
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
    session.start();
    this.followSessionRoom();
  }

  private async leave(): Promise<void> {
    const session = this.session;
    if (!session) return;
    this.session = null;
    await session.close();
    this.emit('session', { session: null });
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
      if (session.goneFromLan && state === 'offline') {
        session.goneFromLan = false;
        session.client.reconnectNow();
      }
    } else if (session.seenOnLan && state === 'reconnecting') {
      // Only a room we saw announced can be declared gone: one joined by address on a network
      // without multicast was never listed, and keeps retrying instead.
      session.goneFromLan = true;
      session.client.suspend('The room is no longer on the network.');
    }
  }

  private lobbyRooms(): LobbyRoom[] {
    const mine = this.hosted?.info;
    const rooms: LobbyRoom[] = this.lobby.map((r) => ({ ...r, mine: r.id === mine?.id }));
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
      });
    }
    return rooms;
  }

  private emitLobby(): void {
    this.emit('lobby', { rooms: this.lobbyRooms() });
  }
}

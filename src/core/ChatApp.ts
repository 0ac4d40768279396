import { EventEmitter } from 'node:events';
import {
  BridgeError,
  BridgeErrorCode,
  type BridgeEvents,
  type CommandName,
  type CommandResult,
  type LobbyRoom,
  type ParsedCommand,
  type Locale,
  type Settings,
  type Snapshot,
} from '../shared/api';
import { formatEndpoint } from '../shared/endpoint';
import { reason, ReasonCode } from '../shared/reasons';
import { storageReport, type StorageProblem } from '../shared/storageProblem';
import { Discovery, type DiscoveredRoom, type DiscoveryOptions } from './discovery';
import type { HostedRoom } from './HostedRoom';
import { HostedRooms } from './HostedRooms';
import { verificationCode } from './identity';
import { certChanged, noSuchRoom, probeAddress, requireVersion, suspectRoom } from './joining';
import { entryToJoin, lobbyRooms } from './lobby';
import { TrustStore } from './trust';
import { MemberDatabase } from './store/member/MemberDatabase';
import { SettingsFile } from './store/SettingsFile';
import type { WindowAttention } from './attention/Notifier';
import type { UnreadTotals } from './attention/UnreadTally';
import { JoinedRooms } from './JoinedRooms';

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
  /** What discovery lists now; sessions follow their room in it. */
  private lobby: DiscoveredRoom[] = [];
  /** Which certificate each joined room's host presented (trust on first use). */
  private readonly trust: TrustStore;
  /**
   * Per room id, a certificate other than the pinned one that a connection of ours was shown
   * (checking or joining an address): what makes a lobby entry 'changed'. Announcements never do.
   */
  private readonly presented = new Map<string, string>();
  private readonly handlers: Handlers;

  constructor(private readonly opts: ChatAppOptions) {
    super();
    this.settings = new SettingsFile(opts.dataDir, {
      nickname: opts.defaultNickname,
      locale: null,
      theme: 'system',
      quietUntil: null,
      notifyLevels: {},
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
        this.emitLobby();
      },
    });
    this.rooms = new JoinedRooms({
      store: this.store,
      trust: this.trust,
      hosted: this.hosted,
      settings: () => this.settings.get(),
      discovered: () => this.lobby,
      // Node's typed emit cannot take a name and payload paired by a generic: called as untyped.
      emit: (event, payload) =>
        void (this.emit as (name: string, value: unknown) => boolean).call(this, event, payload),
      lobbyChanged: () => this.emitLobby(),
    });
    this.handlers = this.makeHandlers();
  }

  /** Starts discovery and rejoins every room the user was in when the app last stopped. */
  start(): void {
    this.discovery?.start();
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
        await this.serially(async () => this.joinRoom(request));
        return {};
      },
      'room:check-address': ({ address }) => this.checkAddress(address),
      'room:join-address': ({ address, fingerprint, passcode }) =>
        this.serially(() => this.joinAddress(address, fingerprint, passcode)),
      'room:trust': ({ roomId, fingerprint }) => {
        this.trustRoom(roomId, fingerprint);
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
        this.emitLobby();
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

  /** What waits unread in every joined room (as the last `unread` event said). */
  get unreadTotals(): UnreadTotals {
    return this.rooms.unreadTotals;
  }

  /** Asks the window to show a room's conversation (a notification about it was clicked). */
  reveal(target: { roomId: string; conversation: string; seq: number }): void {
    this.emit('open', { roomId: target.roomId, conversation: target.conversation, seq: target.seq });
  }

  snapshot(): Snapshot {
    return {
      settings: this.settings.get(),
      lobby: this.lobbyRooms(),
      hosting: this.hosted.list().map((room) => room.hosting),
      sessions: this.rooms.sessions().map((session) => session.snapshot()),
      problems: [...this.problems],
    };
  }

  /** Leaves every room and stops hosting (with goodbyes), then stops discovery. */
  async stop(): Promise<void> {
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

  private updateSettings(patch: Partial<Settings>): Settings {
    const next = { ...this.settings.get(), ...patch };
    this.settings.set(next);
    this.emit('settings', next);
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
    this.emitLobby();
    this.enterOwnRoom(hosted);
    return hosted.info;
  }

  /** The hosting person's own session in a room this app hosts: loopback, its own certificate. */
  private enterOwnRoom(hosted: HostedRoom): void {
    const current = this.rooms.get(hosted.info.id);
    const local = hosted.localEndpoint;
    // In it already, here: nothing to do. A session left from before (rejoined at start, or
    // offline since hosting stopped) is replaced by one that knows the room's port and passcode.
    if (current?.client.state === 'online' && current.client.address === formatEndpoint(local)) return;
    this.rooms.open([hosted.localEndpoint], hosted.info.id, {
      fingerprint: hosted.fingerprint,
      passcode: hosted.passcode,
    });
  }

  /** The user compared codes with the host and accepts its certificate for the room. */
  private trustRoom(roomId: string, fingerprint: string): void {
    this.trust.pin(roomId, fingerprint, { verified: true });
    const session = this.rooms.get(roomId);
    if (session) {
      session.client.setFingerprint(fingerprint);
      session.connect();
    }
    this.emitLobby();
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

  private joinRoom(request: {
    roomId: string;
    passcode?: string;
    fingerprint?: string;
    acceptSuspect?: true;
  }): void {
    const { roomId, passcode } = request;
    const current = this.rooms.get(roomId);
    // Already in it and connected (or on the way): joining again changes nothing.
    if (current && current.client.state !== 'offline' && request.fingerprint === undefined) return;
    const hosted = this.hosted.get(roomId);
    if (hosted && request.fingerprint === undefined) {
      this.enterOwnRoom(hosted);
      return;
    }
    const pinned = this.trust.pinned(roomId);
    const room = entryToJoin(this.lobbyRooms(), roomId, request.fingerprint);
    if (!room) {
      if (request.fingerprint !== undefined) throw noSuchRoom();
      // A room joined before whose host is away: open the saved copy, read-only.
      const known = this.store.knownRooms().find((r) => r.id === roomId);
      if (!known) throw noSuchRoom();
      this.rooms.open(known.endpoints, known.id, {
        offline: reason(ReasonCode.SavedCopy),
        fingerprint: pinned,
      });
      return;
    }
    requireVersion(room.v);
    if (room.mine && hosted) {
      this.enterOwnRoom(hosted);
      return;
    }
    // A suspect entry is joined only by the user's warned choice, and never over a pin: a
    // certificate that differs from the pinned one must be trusted first (room:trust).
    if (room.suspect && (request.acceptSuspect !== true || hosted)) throw suspectRoom(room.code);
    if (pinned !== null && room.fingerprint !== null && room.fingerprint !== pinned)
      throw suspectRoom(room.code, pinned);
    // Pinned: only that certificate. First contact: the one this entry answered with (pinned at the welcome).
    this.rooms.open(room.endpoints, room.id, {
      info: { v: room.v, id: room.id, name: room.name, host: room.host, members: room.members },
      fingerprint: pinned ?? room.fingerprint,
      // Only to a room that says it takes one: a link with a passcode waits for a challenge.
      passcode: room.passcode ? passcode || null : null,
    });
  }

  /**
   * Asks an address for its room and certificate (any certificate: this is first contact), and
   * says how that certificate stands against the one pinned for the room. Joins nothing.
   */
  private async checkAddress(address: string): Promise<CommandResult<'room:check-address'>> {
    const { answer } = await probeAddress(address, this.probeTimeoutMs);
    const { info, fingerprint } = answer;
    const verdict = this.trust.verdict(info.id, fingerprint);
    this.notePresented(info.id, verdict.kind === 'mismatch' ? fingerprint : null);
    return {
      room: info,
      fingerprint,
      code: verificationCode(fingerprint),
      trust: verdict.kind === 'mismatch' ? 'changed' : verdict.kind,
      pinnedCode: verdict.kind === 'mismatch' ? verificationCode(verdict.pinned) : null,
    };
  }

  /**
   * Joins the room at `address` pinned to exactly `fingerprint`, the certificate the user saw
   * and confirmed: if the address now presents another, or the room's pin is another (a changed
   * certificate not yet trusted with room:trust), it is refused with CERT_CHANGED.
   */
  private async joinAddress(
    address: string,
    fingerprint: string,
    passcode?: string,
  ): Promise<{ roomId: string }> {
    const { endpoint, answer } = await probeAddress(address, this.probeTimeoutMs);
    if (answer.fingerprint !== fingerprint) throw certChanged(fingerprint, answer.fingerprint);
    const roomId = answer.info.id;
    const verdict = this.trust.verdict(roomId, fingerprint);
    this.notePresented(roomId, verdict.kind === 'mismatch' ? fingerprint : null);
    if (verdict.kind === 'mismatch') throw certChanged(verdict.pinned, verdict.presented);
    const current = this.rooms.get(roomId);
    if (current && current.client.state !== 'offline') return { roomId };
    // Connect pinned to the confirmed certificate: the session cannot be handed to another.
    this.rooms.open([endpoint], roomId, {
      info: answer.info,
      fingerprint,
      passcode: answer.info.passcode ? passcode || null : null,
    });
    return { roomId };
  }

  private get probeTimeoutMs(): number {
    return this.opts.probeTimeoutMs ?? 3000;
  }

  /** Leaves the room: the connection closes, and it is not rejoined at the next start. */
  private async leave(roomId: string): Promise<void> {
    this.store.leftRoom(roomId);
    if (!(await this.rooms.close(roomId))) return;
    this.emit('session', { roomId, session: null });
    this.emitLobby();
  }

  /** Leaves the room and deletes what this app kept of it as a member. */
  private async forget(roomId: string): Promise<void> {
    await this.leave(roomId);
    this.store.forgetRoom(roomId);
    this.emitLobby();
  }

  private onRooms(rooms: DiscoveredRoom[]): void {
    this.lobby = rooms;
    this.emitLobby();
    this.rooms.followAll();
  }

  /** Remembers what a connection of ours to the room was shown instead of its pin (null: the pin). */
  private notePresented(roomId: string, fingerprint: string | null): void {
    const before = this.presented.get(roomId) ?? null;
    if (fingerprint === null) this.presented.delete(roomId);
    else this.presented.set(roomId, fingerprint);
    if (before !== fingerprint) this.emitLobby();
  }

  private lobbyRooms(): LobbyRoom[] {
    return lobbyRooms({
      discovered: this.lobby,
      hosted: this.hosted.list().map((h) => ({ info: h.info, port: h.port, fingerprint: h.fingerprint })),
      known: this.store.knownRooms(),
      pinned: (roomId) => this.trust.pinned(roomId),
      verified: (roomId) => this.trust.verified(roomId),
      presented: (roomId) => this.presented.get(roomId) ?? null,
      unread: (roomId) => {
        const counts = this.store.unread(roomId, this.rooms.memberIdIn(roomId));
        return Object.values(counts).reduce((a, b) => a + b, 0);
      },
      hostedBefore: (roomId) => this.hosted.hostedBefore(roomId),
      code: verificationCode,
    });
  }

  private emitLobby(): void {
    this.emit('lobby', { rooms: this.lobbyRooms() });
  }
}

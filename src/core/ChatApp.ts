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
import { memberSideVersionMismatch } from '../shared/codec';
import { reason, ReasonCode } from '../shared/reasons';
import { Discovery, parseAddress, type DiscoveredRoom, type DiscoveryOptions } from './discovery';
import { HostedRoom } from './HostedRoom';
import { entryToJoin, lobbyRooms } from './lobby';
import { loadOrCreateIdentity, verificationCode, type HostIdentity } from './identity';
import { fetchInfoTls, type TlsRoomInfo } from './roomInfo';
import { TrustStore } from './trust';
import { RoomSession } from './RoomSession';
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
const SESSION_EVENTS = ['session', 'message', 'sent', 'roster', 'presence', 'problem'] as const;

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
  /** The passcode of the room we host, for our own session in it; null when it has none. */
  private hostedPasscode: string | null = null;
  private session: RoomSession | null = null;
  /** The certificate the session was opened pinned to (until its room's pin says otherwise). */
  private sessionFingerprint: string | null = null;
  /** Rooms the session's room was last seen in; used to suspend it when it vanishes. */
  private lobby: DiscoveredRoom[] = [];
  /** Which certificate each joined room's host presented (trust on first use). */
  private readonly trust: TrustStore;
  /**
   * Per room id, a certificate other than the pinned one that a connection of ours was shown
   * (checking or joining an address): what makes a lobby entry 'changed'. Announcements never do.
   */
  private readonly presented = new Map<string, string>();
  /** Loaded (or made) the first time this app hosts. */
  private identity: Promise<HostIdentity> | null = null;

  constructor(private readonly opts: ChatAppOptions) {
    super();
    this.settings = new SettingsFile(opts.dataDir, { nickname: opts.defaultNickname, locale: null });
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
        return this.serially(() => this.hostRoom(cmd.payload.name, cmd.payload.passcode));
      case 'room:stop-hosting':
        await this.serially(() => this.stopHosting());
        return {};
      case 'room:join':
        await this.serially(async () => this.joinRoom(cmd.payload));
        return {};
      case 'room:check-address':
        return this.checkAddress(cmd.payload.address);
      case 'room:join-address':
        await this.serially(() =>
          this.joinAddress(cmd.payload.address, cmd.payload.fingerprint, cmd.payload.passcode),
        );
        return {};
      case 'room:trust':
        this.trustRoom(cmd.payload.roomId, cmd.payload.fingerprint);
        return {};
      case 'room:reconnect': {
        const { client } = this.requireSession();
        if (cmd.payload.passcode !== undefined) client.setPasscode(cmd.payload.passcode);
        client.reconnectNow();
        return {};
      }
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
    this.trust.close();
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

  private async hostRoom(name: string, passcode?: string) {
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
      const identity = await this.hostIdentity();
      this.hosted = await HostedRoom.start({
        identity,
        name,
        hostNick: this.settings.get().nickname,
        // The hosting person joins as a member too: only that member may wear the host's nickname.
        hostMemberId: this.myMemberId(room.id),
        // The port it had last time, so members who joined by address find it again; another
        // only if that one is taken now. A port given by the shell (tests, PARLEY_HOST_PORT) wins.
        ...(this.opts.hostPort ? { port: this.opts.hostPort } : { port: room.port ?? 0, portFallback: true }),
        discovery: this.discovery,
        roomId: room.id,
        history: room.history,
        ...(passcode ? { passcode } : {}),
      });
      this.hostedPasscode = passcode || null;
      this.hostDb.rememberPort(room, this.hosted.port);
    } catch (err) {
      const detail = (err as Error).message;
      throw new BridgeError(BridgeErrorCode.HostFailed, `Could not host the room: ${detail}`, { detail });
    }
    const hosted = this.hosted;
    hosted.host.on('guessing', () => {
      if (this.hosted === hosted) this.emit('hosting', { room: hosted.hosting });
    });
    hosted.host.on('count', () => {
      if (this.hosted !== hosted) return;
      this.emit('hosting', { room: hosted.hosting });
      this.emitLobby();
    });
    const info = hosted.info;
    this.emit('hosting', { room: hosted.hosting });
    this.emitLobby();
    this.openSession([{ host: '127.0.0.1', port: hosted.port }], info.id, {
      fingerprint: hosted.fingerprint,
      passcode: this.hostedPasscode,
    });
    return info;
  }

  /** The host identity, loaded (or made and saved) once, the first time it is needed. */
  private hostIdentity(): Promise<HostIdentity> {
    this.identity ??= loadOrCreateIdentity(this.opts.dataDir).then(({ identity, problem }) => {
      if (problem) this.report(problem);
      return identity;
    });
    // A failure is not cached: the next attempt to host tries again.
    this.identity.catch(() => (this.identity = null));
    return this.identity;
  }

  /** The user compared codes with the host and accepts its certificate for the room. */
  private trustRoom(roomId: string, fingerprint: string): void {
    this.trust.pin(roomId, fingerprint);
    const session = this.session;
    if (session?.roomId === roomId) {
      session.client.setFingerprint(fingerprint);
      session.connect();
    }
    this.emitLobby();
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

  private joinRoom(request: {
    roomId: string;
    passcode?: string;
    fingerprint?: string;
    acceptSuspect?: true;
  }): void {
    const { roomId, passcode } = request;
    if (this.hosted?.info.id === roomId && request.fingerprint === undefined) {
      this.openSession([{ host: '127.0.0.1', port: this.hosted.port }], roomId, {
        fingerprint: this.hosted.fingerprint,
        passcode: this.hostedPasscode,
      });
      return;
    }
    const pinned = this.trust.pinned(roomId);
    const room = entryToJoin(this.lobbyRooms(), roomId, request.fingerprint);
    if (!room) {
      if (request.fingerprint !== undefined)
        throw new BridgeError(BridgeErrorCode.NoSuchRoom, 'That room is no longer on the network.');
      // A room joined before whose host is away: open the saved copy, read-only.
      const known = this.store.knownRooms().find((r) => r.id === roomId);
      if (!known) throw new BridgeError(BridgeErrorCode.NoSuchRoom, 'That room is no longer on the network.');
      this.openSession(known.endpoints, known.id, { offline: true, fingerprint: pinned });
      return;
    }
    if (room.v !== PROTOCOL_VERSION) throw versionMismatch(room.v);
    if (room.mine) {
      this.openSession([{ host: '127.0.0.1', port: this.hosted!.port }], roomId, {
        fingerprint: this.hosted!.fingerprint,
        passcode: this.hostedPasscode,
      });
      return;
    }
    // A suspect entry is joined only by the user's warned choice, and never over a pin: a
    // certificate that differs from the pinned one must be trusted first (room:trust).
    if (room.suspect && (request.acceptSuspect !== true || this.hosted?.info.id === roomId))
      throw suspectRoom(room.code);
    if (pinned !== null && room.fingerprint !== null && room.fingerprint !== pinned)
      throw suspectRoom(room.code, pinned);
    // Pinned: only that certificate. First contact: the one this entry answered with (pinned at the welcome).
    this.openSession(room.endpoints, room.id, {
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
    const { answer } = await this.probeAddress(address);
    const { info, fingerprint } = answer;
    const verdict = this.trust.check(info.id, fingerprint);
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
  private async joinAddress(address: string, fingerprint: string, passcode?: string): Promise<void> {
    const { endpoint, answer } = await this.probeAddress(address);
    if (answer.fingerprint !== fingerprint) throw certChanged(fingerprint, answer.fingerprint);
    const verdict = this.trust.check(answer.info.id, fingerprint);
    this.notePresented(answer.info.id, verdict.kind === 'mismatch' ? fingerprint : null);
    if (verdict.kind === 'mismatch') throw certChanged(verdict.pinned, verdict.presented);
    // Connect pinned to the confirmed certificate: the session cannot be handed to another.
    this.openSession([endpoint], answer.info.id, {
      fingerprint,
      passcode: answer.info.passcode ? passcode || null : null,
    });
  }

  /** Asks the address for its room first, so a typo gets a clear error instead of endless retries. */
  private async probeAddress(address: string): Promise<{ endpoint: Endpoint; answer: TlsRoomInfo }> {
    const endpoint = parseAddress(address);
    if (!endpoint) {
      throw new BridgeError(
        BridgeErrorCode.BadAddress,
        `"${address}" is not an address like 192.168.1.20:4000.`,
        { address },
      );
    }
    const timeoutMs = this.opts.probeTimeoutMs ?? 3000;
    let answer: TlsRoomInfo;
    try {
      // First contact at this address: any certificate; the room id it names is then checked
      // against the pin before anything else is believed.
      answer = await fetchInfoTls(endpoint, null, timeoutMs);
    } catch (err) {
      throw new BridgeError(
        BridgeErrorCode.NoSuchRoom,
        `No Parley room answers at ${address}: ${(err as Error).message}`,
        { address },
      );
    }
    if (answer.info.v !== PROTOCOL_VERSION) throw versionMismatch(answer.info.v);
    return { endpoint, answer };
  }

  private openSession(
    endpoints: Endpoint[],
    roomId: string,
    opts: { offline?: boolean; fingerprint?: string | null; passcode?: string | null } = {},
  ): void {
    void this.session?.close();
    const session = new RoomSession({
      roomId,
      endpoints,
      nickname: this.settings.get().nickname,
      store: this.store,
      fingerprint: opts.fingerprint ?? null,
      passcode: opts.passcode ?? null,
      // Trust on first use: the certificate of the first welcome is pinned for the room (a
      // pinned one can only be presented again, which refreshes its last-seen time).
      onWelcome: (id, fingerprint) => {
        if (this.session !== session || !fingerprint) return;
        if (this.trust.pinned(id) === null) this.trust.pin(id, fingerprint);
        else this.trust.check(id, fingerprint);
        session.client.setFingerprint(this.trust.pinned(id));
        this.emitLobby();
      },
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
    this.sessionFingerprint = opts.fingerprint ?? null;
    if (opts.offline) {
      // Its host is gone: show the saved copy, and join by itself when the room is announced again.
      session.seenOnLan = true;
      session.openOffline(reason(ReasonCode.SavedCopy));
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
    // The entry with the session's certificate: another one answering for this id (a suspect)
    // must never hand its addresses to the session.
    const fingerprint = this.trust.pinned(roomId) ?? this.sessionFingerprint;
    const listed = this.lobby.find((r) => r.id === roomId && r.fingerprint === fingerprint);
    const state = session.client.state;
    if (listed) {
      session.seenOnLan = true;
      session.client.setEndpoints(listed.endpoints);
      if (session.goneFromLan && state === 'offline') session.rejoinSoon();
    } else if (session.seenOnLan && state === 'reconnecting') {
      // Only a room we saw announced can be declared gone: one joined by address on a network
      // without multicast was never listed, and keeps retrying instead.
      session.goneFromLan = true;
      // "Alice stopped hosting Office" says more than "no longer on the network": keep it.
      const last = session.client.reason;
      session.client.suspend(last?.code === ReasonCode.HostClosed ? last : reason(ReasonCode.GoneFromLan));
    }
  }

  /** Remembers what a connection of ours to the room was shown instead of its pin (null: the pin). */
  private notePresented(roomId: string, fingerprint: string | null): void {
    const before = this.presented.get(roomId) ?? null;
    if (fingerprint === null) this.presented.delete(roomId);
    else this.presented.set(roomId, fingerprint);
    if (before !== fingerprint) this.emitLobby();
  }

  /** This app's member id in a room (hosting and unread counts need it; RoomSession derives its own). */
  private myMemberId(roomId: string): string {
    return this.store.memberKey(roomId).id;
  }

  private lobbyRooms(): LobbyRoom[] {
    const hosted = this.hosted;
    return lobbyRooms({
      discovered: this.lobby,
      hosted: hosted && { info: hosted.info, port: hosted.port, fingerprint: hosted.fingerprint },
      known: this.store.knownRooms(),
      pinned: (roomId) => this.trust.pinned(roomId),
      presented: (roomId) => this.presented.get(roomId) ?? null,
      unread: (roomId) => {
        const counts = this.store.unread(roomId, this.myMemberId(roomId));
        return Object.values(counts).reduce((a, b) => a + b, 0);
      },
      code: verificationCode,
    });
  }

  private emitLobby(): void {
    this.emit('lobby', { rooms: this.lobbyRooms() });
  }
}

/** The refusal to join a room of another protocol version (the window words which side must update). */
function versionMismatch(roomVersion: number): BridgeError {
  return new BridgeError(BridgeErrorCode.VersionMismatch, memberSideVersionMismatch(roomVersion), {
    room: roomVersion,
    ours: PROTOCOL_VERSION,
  });
}

/**
 * The refusal to join a suspect lobby entry: another certificate answers for its room id. With
 * `pinned`, the user joined the room before with that one, and must trust this one first.
 */
function suspectRoom(code: string | null, pinned?: string): BridgeError {
  const shown = code === null ? '' : ` This one shows verification code ${code}`;
  const before = pinned === undefined ? '.' : `, and you trusted ${verificationCode(pinned)}.`;
  return new BridgeError(
    BridgeErrorCode.SuspectRoom,
    'This may be an impostor: another certificate answers for the same room.' +
      shown +
      before +
      ' Compare verification codes with the host before joining it.',
    {
      ...(code !== null && { code }),
      ...(pinned !== undefined && { pinned: verificationCode(pinned) }),
    },
  );
}

/** The refusal to join a room whose host now shows another certificate than the pinned one. */
function certChanged(pinned: string, presented: string): BridgeError {
  return new BridgeError(
    BridgeErrorCode.CertChanged,
    `This room's certificate has changed since you last joined: you trusted verification code ` +
      `${verificationCode(pinned)}, and the host now shows ${verificationCode(presented)}. ` +
      'Compare verification codes with the host before trusting it.',
    { pinned: verificationCode(pinned), presented: verificationCode(presented) },
  );
}

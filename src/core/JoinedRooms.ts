import type { BridgeEvents, Endpoint, Settings } from '../shared/api';
import type { RoomInfo, Status } from '../shared/protocol';
import type { Reason } from '../shared/reasons';
import type { DiscoveredRoom } from './discovery';
import type { HostedRooms } from './HostedRooms';
import { notInRoom } from './joining';
import { RoomSession, type SessionEvents } from './RoomSession';
import type { MemberDatabase } from './store/member/MemberDatabase';
import type { TrustStore } from './trust';
import { Notifier, type WindowAttention } from './attention/Notifier';
import { UnreadTally, type UnreadTotals } from './attention/UnreadTally';

/** Forwarded from each session to the window unchanged (they carry their room id). */
const SESSION_EVENTS = ['session', 'message', 'sent', 'roster', 'presence', 'problem'] as const;

type Emit = <E extends keyof BridgeEvents>(event: E, payload: BridgeEvents[E][0]) => void;

export interface JoinedRoomsDeps {
  store: MemberDatabase;
  trust: TrustStore;
  hosted: HostedRooms;
  settings(): Settings;
  /** What discovery lists now: each session follows its own room in it. */
  discovered(): readonly DiscoveredRoom[];
  /** ChatApp's emit: the sessions' events, notifications and unread totals go to the shell. */
  emit: Emit;
  /** A pin or a listing changed what the lobby shows. */
  lobbyChanged(): void;
}

/** One room the app is in: its session, and the certificate it was opened pinned to. */
interface Joined {
  session: RoomSession;
  /** Until the room's pin says otherwise (first contact pins at the welcome). */
  fingerprint: string | null;
}

export interface OpenOptions {
  /** Open the saved copy without connecting, for this reason. */
  offline?: Reason;
  fingerprint?: string | null;
  passcode?: string | null;
  info?: RoomInfo;
}

/**
 * The rooms the app is in, each its own RoomSession, and what is wired to each: trust on first
 * use at the welcome, its events forwarded to the shell, what it says is news sent to the
 * notification policy, its unread counts to the badge, and the lobby it follows.
 */
export class JoinedRooms {
  /** By room id, in the order they were opened. */
  private readonly joined = new Map<string, Joined>();
  /** Unread messages in every room together, for the badge and the tray. */
  private readonly unread: UnreadTally;
  private status: Status = 'active';
  /** What deserves a desktop notification; the requests go out as the bridge's `notify`. */
  private readonly notifier: Notifier;

  constructor(private readonly deps: JoinedRoomsDeps) {
    this.unread = new UnreadTally(
      () =>
        [...this.joined.values()].map(({ session }) => ({
          roomId: session.roomId,
          name: session.roomInfo?.name ?? session.roomId,
          counts: session.unreadCounts(),
        })),
      (totals) => deps.emit('unread', totals),
    );
    this.notifier = new Notifier(deps.settings, (request) => deps.emit('notify', request));
  }

  get(roomId: string): RoomSession | undefined {
    return this.joined.get(roomId)?.session;
  }

  /** The session in `roomId`; NOT_IN_ROOM when the app is not in it. */
  require(roomId: string): RoomSession {
    const session = this.get(roomId);
    if (!session) throw notInRoom(roomId);
    return session;
  }

  sessions(): RoomSession[] {
    return [...this.joined.values()].map(({ session }) => session);
  }

  get unreadTotals(): UnreadTotals {
    return this.unread.totals;
  }

  /** Where the user is (see the bridge's app:attention). */
  setAttention(attention: WindowAttention): void {
    this.notifier.setAttention(attention);
  }

  /** What we say of ourselves in every room (away, busy, active), now and in rooms joined later. */
  setStatus(status: Status): void {
    this.status = status;
    for (const { session } of this.joined.values()) session.client.setStatus(status);
  }

  /** A read mark moved: the badge's count may have. */
  readChanged(): void {
    this.unread.touch();
  }

  /** This app's member id in a room (RoomSession derives its own; the key says it offline too). */
  memberIdIn(roomId: string): string {
    return this.get(roomId)?.myId ?? this.deps.store.memberKey(roomId).id;
  }

  /** Opens (or reopens in place of the old one) the session in room `roomId`. */
  open(endpoints: Endpoint[], roomId: string, opts: OpenOptions = {}): RoomSession {
    const { store, trust, hosted } = this.deps;
    void this.get(roomId)?.close();
    const session: RoomSession = new RoomSession({
      roomId,
      endpoints,
      nickname: this.deps.settings().nickname,
      store,
      fingerprint: opts.fingerprint ?? null,
      passcode: opts.passcode ?? null,
      ...(opts.info && { info: opts.info }),
      // Read once: a session's every snapshot would otherwise ask host.db again.
      hostedHere: hosted.hostedBefore(roomId),
      // Verified: the pin is one the user compared, and the host (if it spoke yet) showed that one.
      verified: (): boolean => {
        const shown = session.client.fingerprint;
        return trust.verified(roomId) && (shown === null || shown === trust.pinned(roomId));
      },
      // Trust on first use: the certificate of the first welcome is pinned for the room (a
      // pinned one can only be presented again, which refreshes its last-seen time).
      onWelcome: (id, fingerprint) => {
        // Our own room is reached on our own certificate: nothing to pin (a reinstalled
        // identity must not be judged against the one this app had before).
        if (!this.isCurrent(session) || !fingerprint || hosted.get(id)) return;
        if (trust.pinned(id) === null) trust.pin(id, fingerprint);
        else trust.touch(id, fingerprint);
        session.client.setFingerprint(trust.pinned(id));
        this.deps.lobbyChanged();
      },
    });
    session.client.setStatus(this.status);
    for (const name of SESSION_EVENTS) {
      // Each name is forwarded with its own payload type; TypeScript cannot pair them in a loop.
      session.on(name, ((payload: SessionEvents[typeof name][0]) => {
        if (this.isCurrent(session)) this.deps.emit(name, payload as never);
      }) as never);
    }
    session.on('news', (messages) => {
      if (!this.isCurrent(session)) return;
      this.unread.touch();
      const room = session.client.room;
      this.notifier.arrived(
        {
          roomId,
          roomName: room?.name ?? opts.info?.name ?? '',
          members: room?.members ?? 0,
          myId: session.myId,
        },
        messages,
      );
    });
    // A drop is judged against the lobby too: a room already gone from it goes offline at once.
    session.client.on('state', () => {
      if (this.isCurrent(session)) this.follow(session);
    });
    // A reopened room keeps its place in the list.
    this.joined.set(roomId, { session, fingerprint: opts.fingerprint ?? null });
    // Its saved copy may hold unread messages from before (a rejoin at start).
    this.unread.touch();
    if (opts.offline) session.openOffline(opts.offline);
    else session.connect();
    this.follow(session);
    return session;
  }

  /** Closes the session in `roomId`, if there is one; false when the app was not in it. */
  async close(roomId: string): Promise<boolean> {
    const joined = this.joined.get(roomId);
    if (!joined) return false;
    this.joined.delete(roomId);
    this.unread.touch();
    await joined.session.close();
    return true;
  }

  /** Closes every session (the app stops: they are rejoined at the next start). */
  async closeAll(): Promise<void> {
    this.unread.stop();
    const sessions = this.sessions();
    this.joined.clear();
    await Promise.all(sessions.map((session) => session.close()));
  }

  /** Discovery's list changed: every session follows its room in it. */
  followAll(): void {
    for (const { session } of this.joined.values()) this.follow(session);
  }

  /** Whether `session` is still the app's session in its room (not closed or replaced). */
  private isCurrent(session: RoomSession): boolean {
    return this.joined.get(session.roomId)?.session === session;
  }

  /** Hands the session what discovery lists for its room (a room we host is followed by us). */
  private follow(session: RoomSession): void {
    const roomId = session.roomId;
    if (this.deps.hosted.get(roomId)) return;
    // The entry with the session's certificate: another one answering for this id (a suspect)
    // must never hand its addresses to the session.
    const fingerprint = this.deps.trust.pinned(roomId) ?? this.joined.get(roomId)?.fingerprint ?? null;
    session.followLobby(this.deps.discovered().find((r) => r.id === roomId && r.fingerprint === fingerprint));
  }
}

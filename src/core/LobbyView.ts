import type { LobbyRoom } from '../shared/api';
import type { DiscoveredRoom } from './discovery';
import type { HostedRooms } from './HostedRooms';
import { verificationCode } from './identity';
import { lobbyRooms } from './lobby';
import type { MemberDatabase } from './store/member/MemberDatabase';
import type { TrustStore } from './trust';

export interface LobbyViewDeps {
  hosted: HostedRooms;
  store: MemberDatabase;
  trust: TrustStore;
  /** Our member id in a room (its unread counts are ours). */
  memberIdIn(roomId: string): string;
  /** Says the lobby changed (the bridge's `lobby` event). */
  emit(rooms: LobbyRoom[]): void;
}

/**
 * What the lobby shows, kept current: the rooms discovery lists, and per room id the
 * certificate a connection of ours was shown instead of the pinned one. The rules that turn
 * these into entries are the pure `lobbyRooms` (lobby.ts); this holds the state they read.
 */
export class LobbyView {
  private listed: DiscoveredRoom[] = [];
  /**
   * Per room id, a certificate other than the pinned one that a connection of ours was shown
   * (checking or joining an address): what makes a lobby entry 'changed'. Announcements never do.
   */
  private readonly presented = new Map<string, string>();

  constructor(private readonly deps: LobbyViewDeps) {}

  /** What discovery lists now; sessions follow their room in it. */
  get discovered(): readonly DiscoveredRoom[] {
    return this.listed;
  }

  setDiscovered(rooms: DiscoveredRoom[]): void {
    this.listed = rooms;
    this.changed();
  }

  /** Remembers what a connection of ours to the room was shown instead of its pin (null: the pin). */
  notePresented(roomId: string, fingerprint: string | null): void {
    const before = this.presented.get(roomId) ?? null;
    if (fingerprint === null) this.presented.delete(roomId);
    else this.presented.set(roomId, fingerprint);
    if (before !== fingerprint) this.changed();
  }

  rooms(): LobbyRoom[] {
    const { hosted, store, trust } = this.deps;
    return lobbyRooms({
      discovered: this.listed,
      hosted: hosted.list().map((h) => ({ info: h.info, port: h.port, fingerprint: h.fingerprint })),
      known: store.knownRooms(),
      pinned: (roomId) => trust.pinned(roomId),
      verified: (roomId) => trust.verified(roomId),
      presented: (roomId) => this.presented.get(roomId) ?? null,
      unread: (roomId) => {
        const counts = store.unread(roomId, this.deps.memberIdIn(roomId));
        return Object.values(counts).reduce((a, b) => a + b, 0);
      },
      hostedBefore: (roomId) => hosted.hostedBefore(roomId),
      code: verificationCode,
    });
  }

  /** Tells the window the lobby as it is now. */
  changed(): void {
    this.deps.emit(this.rooms());
  }
}

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BridgeError, BridgeErrorCode, type Hosting } from '../shared/api';
import type { StorageProblem } from '../shared/storageProblem';
import type { Discovery } from './discovery';
import { HostedRoom } from './HostedRoom';
import { loadOrCreateIdentity, type HostIdentity } from './identity';
import { HostDatabase } from './store/host/HostDatabase';
import { HOST_DB_FILE } from './store/host/schema';

export interface HostedRoomsOptions {
  dataDir: string;
  discovery: Discovery | null;
  /**
   * A port the shell insists on (tests, PARLEY_HOST_PORT): the first room hosted takes it. Other
   * rooms, and every room without one, take the port they had last time, or any free one.
   */
  fixedPort?: number;
  /** Storage trouble (host.db, the identity); never thrown. */
  report(problem: StorageProblem): void;
  /** A hosted room changed (its count, a passcode-guessing report) or stopped (`null`). */
  changed(roomId: string, hosting: Hosting | null): void;
}

/** System errors while hosting that mean something to a person, as HOST_FAILED's `cause`. */
const HOST_FAILURE_CAUSES: Record<string, string> = {
  EADDRINUSE: 'PORT_IN_USE',
  EACCES: 'PORT_DENIED',
  EADDRNOTAVAIL: 'ADDRESS_UNAVAILABLE',
};

/**
 * The rooms this app hosts, any number at once. Each room is its own listener on its own port,
 * with its own advertisement; all share the app's one certificate. A port per room, rather than
 * one port for all, keeps each room a plain endpoint a member can pin and reconnect to by
 * address (`host:port` is the room, as PROTOCOL.md has it), lets one stop without touching the
 * others, and keeps every room's port what it was last time (host.db remembers it per room).
 */
export class HostedRooms {
  private readonly rooms = new Map<string, HostedRoom>();
  /** Opened the first time this app hosts. */
  private db: HostDatabase | null = null;
  /** Loaded (or made) the first time this app hosts. */
  private identity: Promise<HostIdentity> | null = null;

  constructor(private readonly opts: HostedRoomsOptions) {}

  get(roomId: string): HostedRoom | undefined {
    return this.rooms.get(roomId);
  }

  /**
   * Whether this app hosted the room with this id before (hosting its name again brings it
   * back). Reads host.db only where there is one: an app that never hosted opens none.
   */
  hostedBefore(roomId: string): boolean {
    if (this.rooms.has(roomId)) return true;
    if (!this.db && !existsSync(join(this.opts.dataDir, HOST_DB_FILE))) return false;
    return this.database().has(roomId);
  }

  list(): HostedRoom[] {
    return [...this.rooms.values()];
  }

  /**
   * Hosts a room under `name`: hosting a name again brings back the same room, with its id, its
   * history and its port. `memberIdOf` says which member id the hosting person has in a room
   * (only that member may wear the host's nickname). Already hosted: that room, unchanged.
   */
  async host(request: {
    name: string;
    passcode?: string;
    hostNick: string;
    memberIdOf(roomId: string): string;
  }): Promise<HostedRoom> {
    try {
      const db = this.database();
      const stored = db.room(request.name);
      const running = this.rooms.get(stored.id);
      if (running) return running;
      const identity = await this.hostIdentity();
      const fixed = this.opts.fixedPort;
      const fixedFree = fixed !== undefined && fixed > 0 && !this.list().some((r) => r.port === fixed);
      const room = await HostedRoom.start({
        identity,
        name: request.name,
        hostNick: request.hostNick,
        hostMemberId: request.memberIdOf(stored.id),
        // The port it had last time, so members who joined by address find it again; another
        // only if that one is taken now.
        ...(fixedFree ? { port: fixed } : { port: stored.port ?? 0, portFallback: true }),
        discovery: this.opts.discovery,
        roomId: stored.id,
        history: stored.history,
        ...(request.passcode ? { passcode: request.passcode } : {}),
      });
      db.rememberPort(stored, room.port);
      this.rooms.set(stored.id, room);
      const id = stored.id;
      const changed = () => {
        if (this.rooms.get(id) === room) this.opts.changed(id, room.hosting);
      };
      room.host.on('guessing', changed);
      room.host.on('count', changed);
      return room;
    } catch (err) {
      if (err instanceof BridgeError) throw err;
      const detail = (err as Error).message;
      // The causes a person can act on go by code (the window words them); others keep the
      // system's own message as a technical detail.
      const cause = HOST_FAILURE_CAUSES[(err as NodeJS.ErrnoException).code ?? ''];
      throw new BridgeError(BridgeErrorCode.HostFailed, `Could not host the room: ${detail}`, {
        detail,
        ...(cause && { cause }),
      });
    }
  }

  /** Stops hosting the room (goodbyes first); false when this app does not host it. */
  async stop(roomId: string): Promise<boolean> {
    const room = this.rooms.get(roomId);
    if (!room) return false;
    this.rooms.delete(roomId);
    await room.stop();
    this.opts.changed(roomId, null);
    return true;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.rooms.keys()].map((id) => this.stop(id)));
    this.db?.close();
    this.db = null;
  }

  private database(): HostDatabase {
    if (!this.db) {
      const db = HostDatabase.open(this.opts.dataDir);
      if (db.problem) this.opts.report(db.problem);
      db.onProblem = (problem) => this.opts.report(problem);
      db.onRecovered = (sentence) => console.warn(`[parley] ${sentence}`);
      this.db = db;
    }
    return this.db;
  }

  /** The host identity, loaded (or made and saved) once, the first time it is needed. */
  private hostIdentity(): Promise<HostIdentity> {
    this.identity ??= loadOrCreateIdentity(this.opts.dataDir).then(({ identity, problem }) => {
      if (problem) this.opts.report(problem);
      return identity;
    });
    // A failure is not cached: the next attempt to host tries again.
    this.identity.catch(() => (this.identity = null));
    return this.identity;
  }
}

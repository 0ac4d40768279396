import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { StorageProblem } from '../../../shared/storageProblem';
import { openDatabase, type OpenedDatabase } from '../openDatabase';
import { HOST_DB_FILE, migrateHostDatabase } from './schema';
import { SqliteFile } from '../SqliteFile';
import { resolveRetention, type Retention } from './retention';
import { OVERFLOW_DEFAULTS, SqliteHistory, type HistoryDisk, type OverflowBound } from './SqliteHistory';

export interface HostDatabaseOptions {
  /** How long after a failed write the unsaved messages are first tried again; default 5 s. */
  retryMs?: number;
  /** The longest wait between tries while the disk keeps refusing (doubling up to it); default 60 s. */
  maxRetryMs?: number;
  /** How much history each room keeps on disk; each field not given takes its RETENTION_DEFAULTS value. */
  retention?: Partial<Retention>;
  /** How much each room may hold in memory while the disk refuses writes (see OVERFLOW_DEFAULTS). */
  overflow?: Partial<OverflowBound>;
  /** How often the retention policy is applied; default 1 s (sooner after a sixteenth of the budget arrived). */
  pruneEveryMs?: number;
}

/** Pruning steps (of PRUNE_BATCH rows each) one tick may take per room before waiting for the next. */
const PRUNE_STEPS_PER_TICK = 8;

/** A hosted room as stored: its stable id, its name and its history. */
export interface StoredRoom {
  id: string;
  name: string;
  /** A HistoryStore, with what the host's own tools want to know (unsaved, stats, prune). */
  history: SqliteHistory;
  /** The port the room last listened on; null before it first did (see rememberPort). */
  port: number | null;
}

/**
 * The history of every room this machine hosts, in `host.db` in the data folder. Hosting the
 * same name again (after a restart, say) gives back the same room id and history.
 *
 * Nothing here throws into the host when the disk misbehaves at run time: a message that cannot
 * be written is kept in memory (served and acknowledged like the rest, up to a bound in bytes,
 * see OVERFLOW_DEFAULTS), retried on a timer that backs off while the disk keeps refusing, and
 * the trouble is reported once through `onProblem`, and its end through `onRecovered`.
 *
 * Each room's history is held to the retention policy by a timer (every `pruneEveryMs`), a
 * few short transactions at a time, never by the post that crossed the line.
 */
export class HostDatabase {
  /** Set when the file could not be used as it was (kept aside, or in memory only). */
  readonly problem: StorageProblem | null;
  /** True when nothing will survive a restart (the data folder cannot be written). */
  readonly inMemory: boolean;
  /** Told once per spell of trouble when the disk refuses writes; a sentence for the user. */
  onProblem: ((problem: StorageProblem) => void) | null = null;
  /** Told when the messages kept in memory have all been written after all. */
  onRecovered: ((sentence: string) => void) | null = null;

  private readonly file: SqliteFile;
  private readonly retention: Retention;
  private readonly overflow: OverflowBound;
  private readonly pruneTimer: NodeJS.Timeout;
  /** What reached the disk since the last pruning pass, to bring the next one forward. */
  private grown = { bytes: 0, messages: 0 };
  private pruneSoon: NodeJS.Immediate | null = null;
  private readonly rooms = new Map<string, StoredRoom>();

  private constructor(opened: OpenedDatabase, opts: HostDatabaseOptions) {
    this.file = new SqliteFile(opened, (problem) => this.onProblem?.(problem), {
      run: () => this.flushAll(),
      ms: opts.retryMs ?? 5_000,
      maxMs: opts.maxRetryMs ?? 60_000,
    });
    this.problem = opened.problem;
    this.inMemory = opened.inMemory;
    this.retention = resolveRetention(opts.retention);
    this.overflow = { ...OVERFLOW_DEFAULTS, ...definedOnly(opts.overflow ?? {}) };
    this.pruneTimer = setInterval(() => this.prune(), opts.pruneEveryMs ?? 1_000);
    // Pruning must not keep a stopping host (or a test run) alive.
    this.pruneTimer.unref();
  }

  /** Opens (or creates) host.db in `dataDir`; never throws for a damaged or unwritable file. */
  static open(dataDir: string, opts: HostDatabaseOptions = {}): HostDatabase {
    return HostDatabase.over(openDatabase(join(dataDir, HOST_DB_FILE), migrateHostDatabase, 'history'), opts);
  }

  /** Over a database already opened with migrateHostDatabase (tests use it to make writes fail). */
  static over(opened: OpenedDatabase, opts: HostDatabaseOptions = {}): HostDatabase {
    return new HostDatabase(opened, opts);
  }

  /**
   * The room named `name`, creating it (new random UUID) the first time: a restarted host
   * comes back as the same room with its history.
   */
  room(name: string): StoredRoom {
    const known = this.rooms.get(name);
    if (known) return known;
    let row = this.file.stmt('SELECT id, port FROM rooms WHERE name = ?').get(name) as
      { id: string; port: number | null } | undefined;
    if (!row) {
      row = { id: randomUUID(), port: null };
      // If even this fails (disk full on the very first hosting), the room cannot be kept; the
      // error goes to whoever asked to host it.
      this.file
        .stmt('INSERT INTO rooms (id, name, created_at) VALUES (?, ?, ?)')
        .run(row.id, name, Date.now());
    }
    const room = {
      id: row.id,
      name,
      history: new SqliteHistory(this.disk, row.id, this.overflow),
      port: row.port,
    };
    this.rooms.set(name, room);
    return room;
  }

  /** Whether a room with this id was ever hosted from this folder. */
  has(roomId: string): boolean {
    for (const room of this.rooms.values()) if (room.id === roomId) return true;
    try {
      return this.file.stmt('SELECT 1 FROM rooms WHERE id = ?').get(roomId) !== undefined;
    } catch {
      return false; // unreadable now: the room is treated as someone else's, which costs nothing
    }
  }

  /**
   * Remembers that `room` listens on `port`, for the next time it is hosted. A write that fails
   * costs only that: the next start takes whatever port is free, and the members find the room
   * again through the lobby. The disk's trouble is reported by the history's own writes.
   */
  rememberPort(room: StoredRoom, port: number): void {
    if (room.port === port) return;
    room.port = port;
    try {
      this.file.stmt('UPDATE rooms SET port = ? WHERE id = ?').run(port, room.id);
    } catch {
      // See above: nothing is lost but the convenience.
    }
  }

  /**
   * Runs `fn` in one transaction, so the appends in it are committed together (bulk imports,
   * tests): far faster than one commit per message, and all-or-nothing. Not for live posts,
   * which must each be committed before they are acknowledged.
   */
  batch(fn: () => void): void {
    this.disk.transaction(fn);
  }

  /**
   * Applies the retention policy to every room now (the timer does it every `pruneEveryMs`): at
   * most PRUNE_STEPS_PER_TICK batches per room, so one tick stays short however far over a room
   * is; the rest waits for the next tick. Space freed is a chance for unsaved messages to go.
   */
  prune(now = Date.now()): void {
    if (this.file.closed) return;
    this.grown = { bytes: 0, messages: 0 };
    let freed = false;
    for (const room of this.rooms.values()) {
      for (let step = 0; step < PRUNE_STEPS_PER_TICK; step++) {
        const before = room.history.removedBefore;
        const more = room.history.prune(this.retention, now);
        freed ||= room.history.removedBefore !== before;
        if (!more) break;
      }
    }
    if (freed && this.file.failing) this.flushAll();
  }

  /** Writes what it still can, then closes the file. Safe to call more than once. */
  close(): void {
    if (this.file.closed) return;
    clearInterval(this.pruneTimer);
    if (this.pruneSoon) clearImmediate(this.pruneSoon);
    this.flushAll();
    this.file.close();
  }

  /** Tries to write every room's unsaved messages; true when none are left in memory. */
  flushAll(): boolean {
    let ok = true;
    for (const room of this.rooms.values()) ok = room.history.flush() && ok;
    if (ok) this.flushed();
    return ok;
  }

  private readonly disk: HistoryDisk = {
    stmt: (sql) => this.file.stmt(sql),
    transaction: (fn) => this.file.transaction(fn),
    trouble: (err) => this.file.trouble(err),
    flushed: () => this.flushed(),
    isClosed: () => this.file.closed,
    grew: (bytes) => {
      // A flood would otherwise overshoot the budget by all that arrives between two ticks:
      // past a sixteenth of it, the pass comes right after this turn (still never inside it).
      this.grown.bytes += bytes;
      this.grown.messages += 1;
      const due =
        this.grown.bytes > this.retention.maxBytes / 16 ||
        this.grown.messages > this.retention.maxMessages / 16;
      if (due && !this.pruneSoon) {
        this.pruneSoon = setImmediate(() => {
          this.pruneSoon = null;
          this.prune();
        });
        this.pruneSoon.unref();
      }
    },
  };

  /** A room's overflow reached the disk; the spell is over only once every room's has. */
  private flushed(): void {
    if (!this.file.failing) return;
    for (const room of this.rooms.values()) if (room.history.unsaved > 0) return;
    this.file.recovered();
    this.onRecovered?.("The hosted rooms' history is being saved again; nothing was lost.");
  }
}

function definedOnly<T extends object>(given: T): Partial<T> {
  return Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Partial<T>;
}

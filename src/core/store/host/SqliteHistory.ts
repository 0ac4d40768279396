import type { StatementSync } from 'node:sqlite';
import type { ChatMessage } from '../../../shared/protocol';
import type { Retention } from './retention';
import { ROW_BYTES_SQL } from './schema';
import { MESSAGE_COLUMNS, messageFromRow, type MessageRow } from '../messageRow';
import {
  appendEach,
  MemoryHistory,
  stamp,
  StorageFullError,
  type AppendEntry,
  type Appended,
  type HistoryPage,
  type HistoryStore,
  type MessageDraft,
} from '../../host/history';

/** What a room's history needs from the database it lives in. */
export interface HistoryDisk {
  /** A cached prepared statement. */
  stmt(sql: string): StatementSync;
  /** Runs `fn` in one transaction; rolls back and rethrows if it throws. */
  transaction(fn: () => void): void;
  /** A write failed: report it (once per spell of trouble) and arrange a retry. */
  trouble(err: unknown): void;
  /** This room's overflow reached the disk; the database decides whether all is well again. */
  flushed(): void;
  /** Whether the database was closed (nothing will reach the disk any more). */
  isClosed(): boolean;
  /** A new message of `bytes` (as rowBytes counts) reached the disk: retention may be due. */
  grew(bytes: number): void;
}

/** How much a room's history may hold in memory while the disk refuses writes (see SqliteHistory). */
export interface OverflowBound {
  /** Most unsaved messages; default OVERFLOW_DEFAULTS.messages. */
  messages: number;
  /** Most unsaved bytes, counted as ROW_BYTES_SQL counts them; default OVERFLOW_DEFAULTS.bytes. */
  bytes: number;
}

/**
 * 1 MiB of counted bytes and 20,000 messages. What waits here is acknowledged but not on disk,
 * so it is what a crash of a host with a full disk loses: siege 8 holds that to 1 MiB (8 MiB
 * lost 1,039 posts of 8,000 characters there). An honest room at the default rates still fills
 * it in minutes, time enough for a disk that frees up to take it. Past it, posts are refused
 * with STORAGE_FULL and wait in their senders' outboxes instead, where nothing is lost.
 */
export const OVERFLOW_DEFAULTS: Readonly<OverflowBound> = { messages: 20_000, bytes: 1024 * 1024 };

/** Rows one pruning step removes at most: one short transaction, never a long stall of the room. */
export const PRUNE_BATCH = 500;

const COLUMNS = MESSAGE_COLUMNS;

/**
 * A page of what member ?2 may see beyond seq ?3 (`cmp`), at most ?4, nearest first (`dir`):
 * the merge of three index range reads (group rows, private rows it sent, private rows it
 * received; see schema.ts), each at most ?4 long, so others' private rows are never read.
 * INDEXED BY makes the plan a promise: the statement fails to prepare rather than fall back to
 * a scan. IN (...) is a set, so a whisper to oneself (in both private arms) comes back once.
 */
function page(cmp: '>' | '<', dir: 'ASC' | 'DESC'): string {
  const arm = (index: string, where: string) =>
    `SELECT seq FROM (SELECT seq FROM messages INDEXED BY ${index}
       WHERE room_id = ?1 AND ${where} AND seq ${cmp} ?3 ORDER BY seq ${dir} LIMIT ?4)`;
  return `SELECT ${COLUMNS} FROM messages WHERE room_id = ?1 AND seq IN (
      ${arm('messages_group', 'to_id IS NULL')}
      UNION ALL ${arm('messages_private_from', 'from_id = ?2 AND to_id IS NOT NULL')}
      UNION ALL ${arm('messages_private_to', 'to_id = ?2')}
    ) ORDER BY seq ${dir} LIMIT ?4`;
}

/** The statements, exported for the query-plan test (test/unit/store.host.visibility.test.ts). */
export const SQL = {
  // Numbering and storing in one statement: no window in which two messages get the same seq.
  // Numbers go on above removed_before even when retention left no row. OR IGNORE: a cid its
  // sender used before is the UNIQUE (room_id, from_id, cid) conflict, and then no row comes
  // back; that is how append() finds a resend without a lookup of its own.
  insert: `INSERT OR IGNORE INTO messages (room_id, seq, id, ts, from_id, from_nick, to_id, to_nick, text, cid)
    SELECT ?1, max(COALESCE(max(seq), 0), (SELECT removed_before FROM rooms WHERE id = ?1) - 1) + 1,
      ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 FROM messages WHERE room_id = ?1
    RETURNING seq`,
  // For the overflow: numbers already given. OR IGNORE: a flush whose commit was reported as
  // failed but did reach the disk must not block every later flush.
  insertNumbered: `INSERT OR IGNORE INTO messages
    (room_id, seq, id, ts, from_id, from_nick, to_id, to_nick, text, cid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  byCid: `SELECT ${COLUMNS} FROM messages WHERE room_id = ? AND from_id = ? AND cid = ?`,
  lastSeq: `SELECT max(COALESCE((SELECT max(seq) FROM messages WHERE room_id = ?1), 0), removed_before - 1) AS seq
    FROM rooms WHERE id = ?1`,
  after: page('>', 'ASC'),
  before: page('<', 'DESC'),
  room: 'SELECT stored_messages, stored_bytes, removed_before FROM rooms WHERE id = ?',
  oldest: `SELECT seq, ts, ${ROW_BYTES_SQL('')} AS bytes FROM messages WHERE room_id = ? ORDER BY seq LIMIT ?`,
  prune: 'DELETE FROM messages WHERE room_id = ? AND seq < ?',
  removed: 'UPDATE rooms SET removed_before = ?2 WHERE id = ?1',
} as const;

/**
 * One room's history in host.db. A message is acknowledged only once its row is committed;
 * when the disk refuses a write, the message is kept in an in-memory overflow instead (still
 * numbered, served and acknowledged) up to `bound`, past which append() throws StorageFullError.
 * The overflow is written out by HostDatabase's retry timer (with backoff), never by an append:
 * retrying the whole overflow on every post made each post cost more the longer the disk stayed
 * full. The overflow always follows the disk in seq order: while it holds anything, new
 * messages join it rather than the disk.
 */
export class SqliteHistory implements HistoryStore {
  private overflow: MemoryHistory | null = null;
  private overflowBytes = 0;
  private removed: number;

  constructor(
    private readonly disk: HistoryDisk,
    readonly roomId: string,
    private readonly bound: OverflowBound = OVERFLOW_DEFAULTS,
  ) {
    this.removed = this.roomRow().removed_before;
  }

  /** Messages waiting in memory for the disk. */
  get unsaved(): number {
    return this.overflow?.size ?? 0;
  }

  /** Bytes (as ROW_BYTES_SQL counts them) waiting in memory for the disk. */
  get unsavedBytes(): number {
    return this.overflowBytes;
  }

  get removedBefore(): number {
    return this.removed;
  }

  /** What the room holds on disk (the overflow not included), as the triggers count it. */
  stats(): { messages: number; bytes: number } {
    const row = this.roomRow();
    return { messages: row.stored_messages, bytes: row.stored_bytes };
  }

  append(draft: MessageDraft, cid: string): Appended {
    // A resend is found in memory here, or on disk by the insert itself (see SQL.insert): the
    // Room has usually just looked, and a second lookup per post was a tenth of its cost.
    const kept = this.overflow?.stored(draft.from.id, cid);
    if (kept) return { message: kept, duplicate: true };
    if (this.overflow) return this.keep(draft, cid);
    let seq: number | undefined;
    try {
      seq = this.insert(draft, cid);
    } catch (err) {
      this.disk.trouble(err);
      // A failure reported after the commit did land: then the row is the truth.
      const landed = this.readOr(() => this.fromDisk(draft.from.id, cid), undefined);
      if (landed) return { message: landed, duplicate: false };
      return this.keep(draft, cid);
    }
    return this.inserted(draft, cid, seq);
  }

  /**
   * Stores a turn's posts in one transaction: one commit for all, the costly part of an append.
   * Should the transaction fail, none of it was kept (it rolled back), unless the commit landed
   * although reported failed; then each post goes the single way, append(), which keeps in
   * memory what the disk refuses. Either way each post is acknowledged only once it is kept.
   */
  appendAll(entries: readonly AppendEntry[]): (Appended | { error: unknown })[] {
    // Nothing to gain from one, and the overflow keeps its own order: the single way.
    if (entries.length < 2 || this.overflow) return appendEach(this, entries);
    const results: Appended[] = [];
    try {
      this.disk.transaction(() => {
        for (const { draft, cid } of entries)
          results.push(this.inserted(draft, cid, this.insert(draft, cid)));
      });
      return results;
    } catch {
      const last = results.at(-1);
      if (results.length === entries.length && last && !last.duplicate) {
        const landed = this.readOr(() => this.fromDisk(last.message.from.id, entries.at(-1)!.cid), undefined);
        if (landed?.seq === last.message.seq) return results;
      }
      return appendEach(this, entries);
    }
  }

  /**
   * Inserts a new row; its seq, or undefined when the cid was taken (nothing was stored). All(),
   * not get(): get() stops after the first row and resets the statement, and the autocommit's
   * COMMIT, which runs when the statement finishes, would fail unseen (a full disk then drops
   * the row while we acknowledge it). all() steps to the end, so a failed commit throws here.
   */
  private insert(draft: MessageDraft, cid: string): number | undefined {
    const [row] = this.disk.stmt(SQL.insert).all(this.roomId, ...messageColumns(draft, cid)) as {
      seq: number;
    }[];
    return row?.seq;
  }

  /** What an insert gave: the new message, or the one stored earlier under the same cid. */
  private inserted(draft: MessageDraft, cid: string, seq: number | undefined): Appended {
    if (seq !== undefined) {
      this.disk.grew(rowBytes(draft, cid));
      return { message: stamp(draft, seq), duplicate: false };
    }
    const earlier = this.fromDisk(draft.from.id, cid);
    if (earlier) return { message: earlier, duplicate: true };
    // Ignored, yet not a resend: only a clash of message ids (96 random bits) could do that.
    // Refused (STORAGE_FAILED), the post comes back with the same cid and gets a new id.
    throw new Error(`message ${draft.id} was not stored: its id is taken`);
  }

  stored(fromId: string, cid: string): ChatMessage | undefined {
    return this.overflow?.stored(fromId, cid) ?? this.fromDisk(fromId, cid);
  }

  latest(memberId: string, limit: number): ChatMessage[] {
    const tail = this.overflow?.latest(memberId, limit) ?? [];
    if (tail.length >= limit) return tail;
    const rows = this.rows(SQL.before, memberId, Number.MAX_SAFE_INTEGER, limit - tail.length).reverse();
    return rows.concat(tail);
  }

  after(memberId: string, seq: number, limit: number): HistoryPage {
    // Every seq on disk is below every seq in the overflow, so the disk's part comes first.
    const head = this.rows(SQL.after, memberId, seq, limit + 1);
    if (head.length > limit) return { messages: head.slice(0, limit), more: true };
    const rest = this.overflow?.after(memberId, seq, limit - head.length) ?? { messages: [], more: false };
    return { messages: head.concat(rest.messages), more: rest.more };
  }

  before(memberId: string, seq: number, limit: number): HistoryPage {
    const tail = this.overflow?.before(memberId, seq, limit) ?? { messages: [], more: false };
    const need = limit - tail.messages.length;
    if (need === 0) {
      const more = tail.more || this.rows(SQL.before, memberId, seq, 1).length > 0;
      return { messages: tail.messages, more };
    }
    const rows = this.rows(SQL.before, memberId, seq, need + 1);
    const more = rows.length > need;
    const head = rows.slice(0, need).reverse();
    return { messages: head.concat(tail.messages), more };
  }

  /**
   * Writes the overflow to disk in one transaction. True when nothing is left in memory; on
   * failure everything stays in memory for the next try.
   */
  flush(): boolean {
    const overflow = this.overflow;
    if (!overflow) return true;
    if (this.disk.isClosed()) return false;
    try {
      this.disk.transaction(() => {
        const insert = this.disk.stmt(SQL.insertNumbered);
        for (const { message: m, cid } of overflow.entries()) {
          insert.run(this.roomId, m.seq, ...messageColumns(m, cid));
        }
      });
    } catch (err) {
      this.disk.trouble(err);
      return false;
    }
    this.overflow = null;
    this.overflowBytes = 0;
    this.disk.flushed();
    return true;
  }

  /**
   * One step of the retention policy: removes the oldest messages on disk, at most PRUNE_BATCH,
   * while the room is over `policy` (too many, too many bytes, or older than maxAgeMs at `now`,
   * Unix milliseconds), and moves removedBefore up past them. True when it removed a full
   * batch and may have more to do. A disk that refuses even this is left for the next step.
   */
  prune(policy: Retention, now: number): boolean {
    try {
      let { messages, bytes } = this.stats();
      const cutoff = now - policy.maxAgeMs;
      const over = () => messages > policy.maxMessages || bytes > policy.maxBytes;
      const oldest = (limit: number) =>
        this.disk.stmt(SQL.oldest).all(this.roomId, limit) as { seq: number; ts: number; bytes: number }[];
      // Within the budget, one row read tells whether anything is old enough to go.
      if (!over() && !((oldest(1)[0]?.ts ?? Infinity) < cutoff)) return false;
      const rows = oldest(PRUNE_BATCH);
      let cut = 0;
      for (const row of rows) {
        if (!over() && row.ts >= cutoff) break;
        messages--;
        bytes -= row.bytes;
        cut++;
      }
      if (cut === 0) return false;
      const before = rows[cut - 1]!.seq + 1;
      this.disk.transaction(() => {
        this.disk.stmt(SQL.prune).run(this.roomId, before);
        this.disk.stmt(SQL.removed).run(this.roomId, before);
      });
      this.removed = before;
      return cut === PRUNE_BATCH;
    } catch {
      return false;
    }
  }

  private keep(draft: MessageDraft, cid: string): Appended {
    if (!this.overflow) {
      // Reads still work on a full or read-only disk; if even they fail, the message is lost
      // to us and the member is told to resend (STORAGE_FAILED).
      const { seq } = this.disk.stmt(SQL.lastSeq).get(this.roomId) as { seq: number };
      this.overflow = new MemoryHistory(Infinity, seq + 1);
    }
    const bytes = rowBytes(draft, cid);
    if (this.overflow.size >= this.bound.messages || this.overflowBytes + bytes > this.bound.bytes) {
      throw new StorageFullError(
        `${this.overflow.size} messages (${this.overflowBytes} bytes) are already waiting in memory for the disk`,
      );
    }
    const appended = this.overflow.append(draft, cid);
    this.overflowBytes += bytes;
    return appended;
  }

  private roomRow(): { stored_messages: number; stored_bytes: number; removed_before: number } {
    return this.disk.stmt(SQL.room).get(this.roomId) as {
      stored_messages: number;
      stored_bytes: number;
      removed_before: number;
    };
  }

  private fromDisk(fromId: string, cid: string): ChatMessage | undefined {
    const row = this.disk.stmt(SQL.byCid).get(this.roomId, fromId, cid) as MessageRow | undefined;
    return row && messageFromRow(row);
  }

  private rows(sql: string, memberId: string, seq: number, limit: number): ChatMessage[] {
    const rows = this.disk.stmt(sql).all(this.roomId, memberId, seq, limit) as unknown as MessageRow[];
    return rows.map(messageFromRow);
  }

  private readOr<T>(read: () => T, fallback: T): T {
    try {
      return read();
    } catch {
      return fallback;
    }
  }
}

/** What a message counts for, exactly as ROW_BYTES_SQL counts its row. */
export function rowBytes(m: MessageDraft, cid: string): number {
  const utf8 = (s: string | undefined) => (s === undefined ? 0 : Buffer.byteLength(s));
  return (
    utf8(m.text) +
    utf8(m.from.nick) +
    utf8(m.to?.nick) +
    utf8(m.id) +
    utf8(m.from.id) +
    utf8(m.to?.id) +
    utf8(cid) +
    16
  );
}

/** A message's columns after room_id (and seq), in the order SQL.insert and SQL.insertNumbered name them. */
function messageColumns(m: MessageDraft, cid: string): (string | number | null)[] {
  return [m.id, m.ts, m.from.id, m.from.nick, m.to?.id ?? null, m.to?.nick ?? null, m.text, cid];
}

import type { StatementSync } from 'node:sqlite';
import type { ChatMessage } from '../../../shared/protocol';
import { MESSAGE_COLUMNS, messageFromRow, type MessageRow } from '../messageRow';
import {
  appendEach,
  MemoryHistory,
  stamp,
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
}

/**
 * More unsaved messages than this (a full disk that never empties) and posts are refused
 * (STORAGE_FAILED) rather than growing the host's memory without bound.
 */
export const OVERFLOW_MAX = 100_000;

const COLUMNS = MESSAGE_COLUMNS;
/** Group messages, and private ones the member sent or received. */
const VISIBLE = 'room_id = ? AND (to_id IS NULL OR from_id = ? OR to_id = ?)';

const SQL = {
  // Numbering and storing in one statement: no window in which two messages get the same seq.
  // OR IGNORE: a cid its sender used before is the UNIQUE (room_id, from_id, cid) conflict, and
  // then no row comes back; that is how append() finds a resend without a lookup of its own.
  insert: `INSERT OR IGNORE INTO messages (room_id, seq, id, ts, from_id, from_nick, to_id, to_nick, text, cid)
    SELECT ?1, COALESCE(MAX(seq), 0) + 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 FROM messages WHERE room_id = ?1
    RETURNING seq`,
  // For the overflow: numbers already given. OR IGNORE: a flush whose commit was reported as
  // failed but did reach the disk must not block every later flush.
  insertNumbered: `INSERT OR IGNORE INTO messages
    (room_id, seq, id, ts, from_id, from_nick, to_id, to_nick, text, cid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  byCid: `SELECT ${COLUMNS} FROM messages WHERE room_id = ? AND from_id = ? AND cid = ?`,
  lastSeq: 'SELECT COALESCE(MAX(seq), 0) AS seq FROM messages WHERE room_id = ?',
  latest: `SELECT ${COLUMNS} FROM messages WHERE ${VISIBLE} ORDER BY seq DESC LIMIT ?`,
  after: `SELECT ${COLUMNS} FROM messages WHERE ${VISIBLE} AND seq > ? ORDER BY seq ASC LIMIT ?`,
  before: `SELECT ${COLUMNS} FROM messages WHERE ${VISIBLE} AND seq < ? ORDER BY seq DESC LIMIT ?`,
} as const;

/**
 * One room's history in host.db. A message is acknowledged only once its row is committed;
 * when the disk refuses a write, the message is kept in an in-memory overflow instead (still
 * numbered, served and acknowledged), and the overflow is written out at the next append or
 * retry that succeeds. The overflow always follows the disk in seq order: while it holds
 * anything, new messages join it rather than the disk.
 */
export class SqliteHistory implements HistoryStore {
  private overflow: MemoryHistory | null = null;

  constructor(
    private readonly disk: HistoryDisk,
    readonly roomId: string,
  ) {}

  /** Messages waiting in memory for the disk. */
  get unsaved(): number {
    return this.overflow?.size ?? 0;
  }

  append(draft: MessageDraft, cid: string): Appended {
    // A resend is found in memory here, or on disk by the insert itself (see SQL.insert): the
    // Room has usually just looked, and a second lookup per post was a tenth of its cost.
    const kept = this.overflow?.stored(draft.from.id, cid);
    if (kept) return { message: kept, duplicate: true };
    if (this.overflow && !this.flush()) return this.keep(draft, cid);
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
    if (seq !== undefined) return { message: stamp(draft, seq), duplicate: false };
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
    const rows = this.rows(SQL.latest, memberId, limit - tail.length).reverse();
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
    this.disk.flushed();
    return true;
  }

  private keep(draft: MessageDraft, cid: string): Appended {
    if (!this.overflow) {
      // Reads still work on a full or read-only disk; if even they fail, the message is lost
      // to us and the member is told to resend (STORAGE_FAILED).
      const { seq } = this.disk.stmt(SQL.lastSeq).get(this.roomId) as { seq: number };
      this.overflow = new MemoryHistory(Infinity, seq + 1);
    }
    if (this.overflow.size >= OVERFLOW_MAX) {
      throw new Error(`${OVERFLOW_MAX} messages are already waiting in memory for the disk`);
    }
    return this.overflow.append(draft, cid);
  }

  private fromDisk(fromId: string, cid: string): ChatMessage | undefined {
    const row = this.disk.stmt(SQL.byCid).get(this.roomId, fromId, cid) as MessageRow | undefined;
    return row && messageFromRow(row);
  }

  private rows(sql: string, memberId: string, ...rest: number[]): ChatMessage[] {
    const rows = this.disk.stmt(sql).all(this.roomId, memberId, memberId, ...rest) as unknown as MessageRow[];
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

/** A message's columns after room_id (and seq), in the order SQL.insert and SQL.insertNumbered name them. */
function messageColumns(m: MessageDraft, cid: string): (string | number | null)[] {
  return [m.id, m.ts, m.from.id, m.from.nick, m.to?.id ?? null, m.to?.nick ?? null, m.text, cid];
}

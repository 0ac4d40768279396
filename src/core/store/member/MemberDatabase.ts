import { createHmac, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Endpoint } from '../../../shared/api';
import type { ChatMessage } from '../../../shared/protocol';
import type { OutboxStore, PendingPost } from '../../client/outbox';
import type { StorageProblem } from '../../../shared/storageProblem';
import { openDatabase, type OpenedDatabase } from '../openDatabase';
import {
  messageFromRow,
  messageParams,
  postFromRow,
  roomFromRow,
  withoutCid,
  type KnownRoom,
  type MessageRow,
  type PostRow,
  type RoomRow,
} from './rows';
import { migrateMemberDatabase } from './schema';
import { Unsaved } from './Unsaved';
import { MemberKey } from '../../memberKey';
import { SqliteFile } from '../SqliteFile';

export type { KnownRoom } from './rows';

/** The file in the app's data folder. */
export const MEMBER_DB_FILE = 'member.db';
/** Starts every member-key seed, so the HMAC can never collide with another use of the secret. */
const MEMBER_KEY_CONTEXT = 'parley-member-key-v3\0';

export interface MemberDatabaseOptions {
  /** How long to wait before trying again after the disk refused a write; default 5 s. */
  retryMs?: number;
}

/** Messages a page of the saved copy holds unless asked otherwise. */
const DEFAULT_LIMIT = 50;

/**
 * Everything a member keeps on its own machine: a device secret (from which each room's member
 * key is derived), the outbox of unacknowledged posts, its copy of each room's messages, the
 * rooms it has joined and how far it has read them.
 *
 * Nothing here throws into the caller when the disk misbehaves at run time: writes that fail
 * stay in memory (reads include them), are retried, and the trouble is reported once through
 * `onProblem`.
 */
export class MemberDatabase {
  /** Set when the file could not be used as it was (kept aside, or in memory only). */
  readonly problem: StorageProblem | null;
  /** True when nothing will survive a restart (the data folder cannot be written). */
  readonly inMemory: boolean;
  /** Told (once per spell of trouble) when the disk refuses writes; a sentence for the user. */
  onProblem: ((problem: StorageProblem) => void) | null = null;

  private readonly file: SqliteFile;
  private readonly unsaved = new Unsaved();
  /** Per room, the outbox as the clients see it: loaded once, then kept here and mirrored to disk. */
  private readonly outboxes = new Map<string, Map<string, PendingPost>>();
  private secret: string | null = null;
  private lastJoined = 0;
  /** Derived keys by room id: deriving one parses a private key, and the lobby asks often. */
  private readonly memberKeys = new Map<string, MemberKey>();

  private constructor(opened: OpenedDatabase, opts: MemberDatabaseOptions) {
    this.file = new SqliteFile(opened, (problem) => this.onProblem?.(problem), {
      run: () => this.flush(),
      ms: opts.retryMs ?? 5_000,
    });
    this.problem = opened.problem;
    this.inMemory = opened.inMemory;
  }

  /** Opens (or creates) member.db in `dataDir`; never throws for a bad or unwritable file. */
  static open(dataDir: string, opts: MemberDatabaseOptions = {}): MemberDatabase {
    return MemberDatabase.over(
      openDatabase(join(dataDir, MEMBER_DB_FILE), migrateMemberDatabase, 'messages'),
      opts,
    );
  }

  /** Over a database opened with migrateMemberDatabase (tests use it to make the disk fail). */
  static over(opened: OpenedDatabase, opts: MemberDatabaseOptions = {}): MemberDatabase {
    return new MemberDatabase(opened, opts);
  }

  /** A random 32-byte secret made on first use and kept; it never leaves this machine. */
  deviceSecret(): string {
    if (this.secret !== null) return this.secret;
    const saved = this.file.row<{ value?: unknown }>(
      "SELECT value FROM meta WHERE key = 'device_secret'",
    )?.value;
    if (typeof saved === 'string') {
      this.secret = saved;
    } else {
      this.secret = randomBytes(32).toString('base64url');
      this.unsaved.secret = this.secret;
      this.flush();
    }
    return this.secret;
  }

  /**
   * Our key pair for one room, from the seed HMAC-SHA256(device secret, context + room id): the
   * same in that room on every run, and unrelated between rooms, so no host can link us across
   * rooms or pose as us in another one.
   */
  memberKey(roomId: string): MemberKey {
    let key = this.memberKeys.get(roomId);
    if (!key) {
      const seed = createHmac('sha256', this.deviceSecret())
        .update(MEMBER_KEY_CONTEXT)
        .update(roomId)
        .digest();
      key = MemberKey.fromSeed(seed);
      this.memberKeys.set(roomId, key);
    }
    return key;
  }

  /** The room's outbox, kept on disk: it survives an app restart. Oldest first. */
  outbox(roomId: string): OutboxStore {
    const posts = this.outboxOf(roomId);
    return {
      // Map order is insertion order, so equal times keep the order the posts were made in.
      list: () => [...posts.values()].sort((a, b) => a.createdAt - b.createdAt),
      add: (post) => {
        posts.set(post.cid, post);
        this.unsaved.addPost(roomId, post);
        this.flush();
      },
      remove: (cid) => {
        if (!posts.delete(cid)) return;
        this.unsaved.removePost(roomId, cid);
        this.flush();
      },
    };
  }

  /** Files messages in the room's saved copy, replacing any with the same seq; never the cid. */
  saveMessages(roomId: string, messages: readonly ChatMessage[]): void {
    if (messages.length === 0) return;
    this.unsaved.addMessages(roomId, messages.map(withoutCid));
    this.flush();
  }

  /** The `limit` (default 50) latest saved messages before seq `before` (default: all), oldest first. */
  messages(roomId: string, opts: { before?: number; limit?: number } = {}): ChatMessage[] {
    const before = opts.before ?? Number.MAX_SAFE_INTEGER;
    const limit = Math.max(0, Math.floor(opts.limit ?? DEFAULT_LIMIT));
    // A copy on its way aside is no longer the room's, even while the disk refuses to move it.
    const rows = this.unsaved.asidePending(roomId)
      ? []
      : this.file.rows<MessageRow>(
          'SELECT seq, id, ts, from_id, from_nick, to_id, to_nick, text FROM messages WHERE room = ? AND seq < ? ORDER BY seq DESC LIMIT ?',
          roomId,
          before,
          limit,
        );
    const bySeq = new Map(rows.map((row) => [row.seq, messageFromRow(row)]));
    for (const [seq, message] of this.unsaved.messages.get(roomId) ?? []) {
      if (seq < before) bySeq.set(seq, message);
    }
    return [...bySeq.values()]
      .sort((a, b) => b.seq - a.seq)
      .slice(0, limit)
      .reverse();
  }

  /** The highest seq in the room's saved copy; undefined when there is none. */
  lastSeq(roomId: string): number | undefined {
    const row = this.unsaved.asidePending(roomId)
      ? undefined
      : this.file.row<{ top: number | null }>('SELECT MAX(seq) AS top FROM messages WHERE room = ?', roomId);
    let top = row?.top ?? undefined;
    for (const seq of this.unsaved.messages.get(roomId)?.keys() ?? []) top = Math.max(top ?? seq, seq);
    return top;
  }

  /**
   * Remembers a room the member is in (or updates it), stamped as the latest joined. A welcome
   * calls it, so the name and host follow the room's; the endpoints are where it was reached.
   */
  rememberRoom(room: { id: string; name: string; host: string; endpoints: Endpoint[] }): void {
    // Strictly increasing, so two joins within a millisecond still sort as they happened.
    this.lastJoined = Math.max(Date.now(), this.lastJoined + 1);
    const { id, name, host, endpoints } = room;
    this.unsaved.rooms.set(id, {
      id,
      name,
      host,
      endpoints: [...endpoints],
      lastJoined: this.lastJoined,
      joined: true,
    });
    this.flush();
  }

  /** The member left the room: it is not rejoined at start, and its saved copy stays. */
  leftRoom(roomId: string): void {
    const known = this.knownRooms().find((room) => room.id === roomId);
    if (!known || !known.joined) return;
    this.unsaved.rooms.set(roomId, { ...known, joined: false });
    this.flush();
  }

  /**
   * The room's host answered with another history than the saved copy's (its seqs name other
   * messages now): the copy moves to messages_aside, kept but no longer the room's, and its
   * read marks go. The outbox stays (that host never saw those posts). Returns how many
   * messages were set aside.
   */
  setAside(roomId: string): number {
    const stored = this.unsaved.asidePending(roomId)
      ? 0
      : (this.file.row<{ n: number }>('SELECT COUNT(*) AS n FROM messages WHERE room = ?', roomId)?.n ?? 0);
    const inMemory = this.unsaved.messages.get(roomId)?.size ?? 0;
    this.unsaved.putAside(roomId, Date.now());
    this.flush();
    return stored + inMemory;
  }

  /** Deletes everything kept about the room: its saved copy, outbox, read marks and listing. */
  forgetRoom(roomId: string): void {
    this.unsaved.forget(roomId);
    this.outboxes.delete(roomId);
    this.flush();
  }

  /** Rooms the member has joined, the most recently joined first. */
  knownRooms(): KnownRoom[] {
    const rows = this.file.rows<RoomRow>('SELECT id, name, host, endpoints, last_joined, joined FROM rooms');
    const byId = new Map(rows.map((row) => [row.id, roomFromRow(row)]));
    // While the disk refuses, a forgotten room's rows are still there: they are not listed.
    for (const id of this.unsaved.forgotten) byId.delete(id);
    for (const room of this.unsaved.rooms.values()) byId.set(room.id, room);
    return [...byId.values()].sort((a, b) => b.lastJoined - a.lastJoined);
  }

  /**
   * The member has seen `conversation` ('' for the whole room, else the other member's id) up
   * to `seq`. A marker only moves forward: an older window reporting late cannot lower it.
   */
  markRead(roomId: string, conversation: string, seq: number): void {
    this.unsaved.markRead(roomId, conversation, seq);
    this.flush();
  }

  /**
   * Unread messages per conversation: saved messages past the conversation's marker that the
   * member (`myId`) did not send. Private ones count under the other member's id; conversations
   * with nothing unread are left out.
   */
  unread(roomId: string, myId: string): Record<string, number> {
    if (this.unsaved.touches(roomId)) return this.unreadMerged(roomId, myId);
    const rows = this.file.rows<{ conv: string; n: number }>(
      `SELECT CASE WHEN m.to_id IS NULL THEN '' ELSE m.from_id END AS conv, COUNT(*) AS n
       FROM messages m
       LEFT JOIN read_markers r
         ON r.room = m.room AND r.conversation = (CASE WHEN m.to_id IS NULL THEN '' ELSE m.from_id END)
       WHERE m.room = ? AND m.from_id <> ? AND m.seq > COALESCE(r.seq, 0)
       GROUP BY conv`,
      roomId,
      myId,
    );
    return Object.fromEntries(rows.map((row) => [row.conv, row.n]));
  }

  /**
   * Writes everything waiting, in one transaction; true when nothing is left waiting. After a
   * failure it is tried again by itself every few seconds; callers may also call it.
   */
  flush(): boolean {
    if (this.unsaved.empty) {
      // Nothing waits for the disk: a spell in which only reads failed ends here as well.
      this.file.recovered();
      return true;
    }
    if (!this.file.commit(() => this.writeUnsaved())) return false;
    this.unsaved.clear();
    return true;
  }

  /** Writes what it can and closes the file; the object is of no further use. */
  close(): void {
    if (this.file.closed) return;
    this.flush();
    this.file.close();
  }

  private writeUnsaved(): void {
    const u = this.unsaved;
    for (const room of u.forgotten) {
      for (const table of ['messages', 'messages_aside', 'outbox', 'read_markers']) {
        this.file.stmt(`DELETE FROM ${table} WHERE room = ?`).run(room);
      }
      this.file.stmt('DELETE FROM rooms WHERE id = ?').run(room);
    }
    const keepAside = this.file.stmt(
      `INSERT OR REPLACE INTO messages_aside (room, set_aside_at, seq, id, ts, from_id, from_nick, to_id, to_nick, text)
       VALUES (:room, :at, :seq, :id, :ts, :from_id, :from_nick, :to_id, :to_nick, :text)`,
    );
    for (const [room, { at, messages }] of u.setAside) {
      this.file
        .stmt(
          `INSERT OR REPLACE INTO messages_aside (room, set_aside_at, seq, id, ts, from_id, from_nick, to_id, to_nick, text)
           SELECT room, ?, seq, id, ts, from_id, from_nick, to_id, to_nick, text FROM messages WHERE room = ?`,
        )
        .run(at, room);
      for (const message of messages) keepAside.run({ ...messageParams(room, message), at });
      this.file.stmt('DELETE FROM messages WHERE room = ?').run(room);
      this.file.stmt('DELETE FROM read_markers WHERE room = ?').run(room);
    }
    if (u.secret !== null) {
      this.file.stmt("INSERT OR REPLACE INTO meta (key, value) VALUES ('device_secret', ?)").run(u.secret);
    }
    const upsertMessage = this.file.stmt(
      `INSERT INTO messages (room, seq, id, ts, from_id, from_nick, to_id, to_nick, text)
       VALUES (:room, :seq, :id, :ts, :from_id, :from_nick, :to_id, :to_nick, :text)
       ON CONFLICT (room, seq) DO UPDATE SET id = excluded.id, ts = excluded.ts,
         from_id = excluded.from_id, from_nick = excluded.from_nick, to_id = excluded.to_id,
         to_nick = excluded.to_nick, text = excluded.text`,
    );
    for (const [room, bySeq] of u.messages) {
      for (const message of bySeq.values()) upsertMessage.run(messageParams(room, message));
    }
    const upsertMarker = this.file.stmt(
      `INSERT INTO read_markers (room, conversation, seq) VALUES (?, ?, ?)
       ON CONFLICT (room, conversation) DO UPDATE SET seq = MAX(seq, excluded.seq)`,
    );
    for (const [room, byConversation] of u.markers) {
      for (const [conversation, seq] of byConversation) upsertMarker.run(room, conversation, seq);
    }
    const upsertRoom = this.file.stmt(
      `INSERT INTO rooms (id, name, host, endpoints, last_joined, joined) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, host = excluded.host,
         endpoints = excluded.endpoints, last_joined = excluded.last_joined, joined = excluded.joined`,
    );
    for (const r of u.rooms.values()) {
      upsertRoom.run(r.id, r.name, r.host, JSON.stringify(r.endpoints), r.lastJoined, r.joined ? 1 : 0);
    }
    const addPost = this.file.stmt(
      'INSERT OR IGNORE INTO outbox (room, cid, text, recipient, created_at) VALUES (?, ?, ?, ?, ?)',
    );
    const removePost = this.file.stmt('DELETE FROM outbox WHERE room = ? AND cid = ?');
    for (const change of u.outbox.values()) {
      if ('add' in change) {
        const p = change.add;
        addPost.run(change.room, p.cid, p.text, p.to ?? null, p.createdAt);
      } else {
        removePost.run(change.room, change.remove);
      }
    }
  }

  private outboxOf(roomId: string): Map<string, PendingPost> {
    let posts = this.outboxes.get(roomId);
    if (!posts) {
      const rows = this.file.rows<PostRow>(
        'SELECT cid, text, recipient, created_at FROM outbox WHERE room = ? ORDER BY created_at, ord',
        roomId,
      );
      posts = new Map(rows.map((row) => [row.cid, postFromRow(row)]));
      this.outboxes.set(roomId, posts);
    }
    return posts;
  }

  /** unread() while some of the room's messages or markers are still only in memory. */
  private unreadMerged(roomId: string, myId: string): Record<string, number> {
    // Stored rows of a copy on its way aside are no longer the room's (see setAside).
    const stored = !this.unsaved.asidePending(roomId);
    const markerRows = stored
      ? this.file.rows<{ conversation: string; seq: number }>(
          'SELECT conversation, seq FROM read_markers WHERE room = ?',
          roomId,
        )
      : [];
    const markers = new Map(markerRows.map((row) => [row.conversation, row.seq]));
    for (const [conversation, seq] of this.unsaved.markers.get(roomId) ?? []) {
      markers.set(conversation, Math.max(seq, markers.get(conversation) ?? 0));
    }
    const rows = stored
      ? this.file.rows<{ seq: number; from_id: string; to_id: string | null }>(
          'SELECT seq, from_id, to_id FROM messages WHERE room = ? AND from_id <> ?',
          roomId,
          myId,
        )
      : [];
    const senders = new Map(rows.map((row) => [row.seq, { from: row.from_id, to: row.to_id }]));
    for (const [seq, m] of this.unsaved.messages.get(roomId) ?? []) {
      senders.set(seq, { from: m.from.id, to: m.to?.id ?? null });
    }
    const counts: Record<string, number> = {};
    for (const [seq, { from, to }] of senders) {
      if (from === myId) continue;
      const conversation = to === null ? '' : from;
      if (seq > (markers.get(conversation) ?? 0)) counts[conversation] = (counts[conversation] ?? 0) + 1;
    }
    return counts;
  }
}

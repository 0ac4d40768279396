import type { DatabaseSync } from 'node:sqlite';
import { migrate } from '../migrate';

/** The file a host keeps its rooms' history in, inside the data folder. */
export const HOST_DB_FILE = 'host.db';

/**
 * What one stored message counts for in a room's storage budget and in its sender's daily
 * quota of bytes: the UTF-8 bytes of its text, nicknames and ids, plus 16 for its numbers.
 * SQL and JavaScript (rowBytes in SqliteHistory) must count alike; the file itself is larger
 * by SQLite's pages and indexes (docs/PROTOCOL.md, "Storage", gives the measured factor).
 */
export const ROW_BYTES_SQL = (t: string) =>
  `(length(CAST(${t}text AS BLOB)) + length(CAST(${t}from_nick AS BLOB)) + COALESCE(length(CAST(${t}to_nick AS BLOB)), 0)` +
  ` + length(CAST(${t}id AS BLOB)) + length(CAST(${t}from_id AS BLOB)) + COALESCE(length(CAST(${t}to_id AS BLOB)), 0)` +
  ` + length(CAST(${t}cid AS BLOB)) + 16)`;

/**
 * host.db's layout, one step per version (see migrate: steps are only ever appended).
 *
 * 1. rooms: one row per room name ever hosted, so hosting the name again is the same room (same
 *    id, same history). messages: a room's history; `seq` is the room's 1, 2, 3... in storage
 *    order (private messages share it); UNIQUE(room_id, from_id, cid) makes a resent post a no-op.
 *
 * 2. Visibility by index, and the storage budget.
 *    - A member sees the group messages and the private ones it sent or received. Each of the
 *      three has an index of its own, partial so no row is in one it does not belong to: group
 *      rows by (room_id, seq); private rows by (room_id, from_id, seq) and (room_id, to_id, seq).
 *      A page is then the merge of three index range reads of at most `limit` entries each
 *      (SqliteHistory's page()), however many rows others' whispers add: reading (room_id, seq)
 *      and skipping invisible rows one by one let 100,000 self-addressed whispers make every
 *      read walk them all. A visibility column instead (one row per viewer) would double every
 *      private message and still need the group index; three partial indexes cost each row
 *      one or two index entries and no change to the rows themselves.
 *    - rooms.stored_messages / stored_bytes: the room's count and ROW_BYTES total, kept exact
 *      by triggers in the same statement as each insert and delete, so the retention check is
 *      one row read however big the room is.
 *    - rooms.removed_before: every message with a lower seq was removed by the retention policy
 *      (0 when none ever was); numbering continues above it even when no row is left.
 *
 * 3. rooms.port: the port the room last listened on (null before it first did). A restarted
 *    host asks for it again, so members who joined by address find the room where they left it.
 */
const STEPS = [
  `CREATE TABLE IF NOT EXISTS rooms (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL UNIQUE,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE IF NOT EXISTS messages (
     room_id TEXT NOT NULL REFERENCES rooms (id),
     seq INTEGER NOT NULL,
     id TEXT NOT NULL UNIQUE,
     ts INTEGER NOT NULL,
     from_id TEXT NOT NULL,
     from_nick TEXT NOT NULL,
     to_id TEXT,
     to_nick TEXT,
     text TEXT NOT NULL,
     cid TEXT NOT NULL,
     PRIMARY KEY (room_id, seq),
     UNIQUE (room_id, from_id, cid)
   );`,
  `CREATE INDEX messages_group ON messages (room_id, seq) WHERE to_id IS NULL;
   CREATE INDEX messages_private_from ON messages (room_id, from_id, seq) WHERE to_id IS NOT NULL;
   CREATE INDEX messages_private_to ON messages (room_id, to_id, seq) WHERE to_id IS NOT NULL;
   ALTER TABLE rooms ADD COLUMN stored_messages INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE rooms ADD COLUMN stored_bytes INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE rooms ADD COLUMN removed_before INTEGER NOT NULL DEFAULT 0;
   UPDATE rooms SET
     stored_messages = (SELECT count(*) FROM messages WHERE room_id = rooms.id),
     stored_bytes = (SELECT COALESCE(sum(${ROW_BYTES_SQL('')}), 0) FROM messages WHERE room_id = rooms.id);
   CREATE TRIGGER messages_counted AFTER INSERT ON messages BEGIN
     UPDATE rooms SET stored_messages = stored_messages + 1, stored_bytes = stored_bytes + ${ROW_BYTES_SQL('NEW.')}
     WHERE id = NEW.room_id;
   END;
   CREATE TRIGGER messages_uncounted AFTER DELETE ON messages BEGIN
     UPDATE rooms SET stored_messages = stored_messages - 1, stored_bytes = stored_bytes - ${ROW_BYTES_SQL('OLD.')}
     WHERE id = OLD.room_id;
   END;`,
  `ALTER TABLE rooms ADD COLUMN port INTEGER;`,
];

/** Brings host.db to the current schema (see STEPS); a file already there is left as it is. */
export function migrateHostDatabase(db: DatabaseSync): void {
  migrate(db, STEPS);
}

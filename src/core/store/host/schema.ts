import type { DatabaseSync } from 'node:sqlite';

/** The file a host keeps its rooms' history in, inside the data folder. */
export const HOST_DB_FILE = 'host.db';

/** Bumped with each migration step below; `PRAGMA user_version` records how far a file is. */
const VERSION = 1;

/**
 * Brings host.db to the current schema. Idempotent: every step only creates what is missing.
 *
 * - rooms: one row per room name ever hosted, so hosting the name again is the same room (same
 *   id, same history).
 * - messages: a room's history. `seq` is the room's 1, 2, 3... in storage order (private
 *   messages share it); UNIQUE(room_id, from_id, cid) is what makes a resent post a no-op.
 *
 * No index for private messages: every history read walks the (room_id, seq) key from one end
 * and stops after `limit` visible rows, which is what the query planner picks anyway; an index
 * on to_id would pay off only in a room where nearly everything is others' whispers.
 */
export function migrateHostDatabase(db: DatabaseSync): void {
  const { user_version: current } = db.prepare('PRAGMA user_version').get() as { user_version: number };
  if (current >= VERSION) return;
  db.exec(`
    BEGIN;
    CREATE TABLE IF NOT EXISTS rooms (
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
    );
    PRAGMA user_version = ${VERSION};
    COMMIT;
  `);
}

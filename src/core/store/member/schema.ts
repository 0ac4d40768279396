import type { DatabaseSync } from 'node:sqlite';
import { migrate } from '../migrate';

/** The member database's layout; bump with a new step, never edit an old one. */
const STEPS: string[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

  -- Posts not yet acknowledged by their room's host. ord keeps insertion order for equal times.
  CREATE TABLE outbox (
    ord        INTEGER PRIMARY KEY AUTOINCREMENT,
    room       TEXT NOT NULL,
    cid        TEXT NOT NULL,
    text       TEXT NOT NULL,
    recipient  TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (room, cid)
  );

  -- The member's copy of each room's messages, as the host stamped them (never with a cid).
  CREATE TABLE messages (
    room      TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    id        TEXT NOT NULL,
    ts        INTEGER NOT NULL,
    from_id   TEXT NOT NULL,
    from_nick TEXT NOT NULL,
    to_id     TEXT,
    to_nick   TEXT,
    text      TEXT NOT NULL,
    PRIMARY KEY (room, seq)
  ) WITHOUT ROWID;

  CREATE TABLE rooms (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    host        TEXT NOT NULL,
    endpoints   TEXT NOT NULL,
    last_joined INTEGER NOT NULL
  ) WITHOUT ROWID;

  -- How far the member has read each conversation: '' is the whole room, else the other member.
  CREATE TABLE read_markers (
    room         TEXT NOT NULL,
    conversation TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    PRIMARY KEY (room, conversation)
  ) WITHOUT ROWID;
  `,
  // Rooms the member is in, rejoined when the app starts; a left room keeps its saved copy.
  `ALTER TABLE rooms ADD COLUMN joined INTEGER NOT NULL DEFAULT 0;`,
  // Saved copies set aside because the room's host answered with another history (a welcome
  // whose newest is below our since, see PROTOCOL.md): kept on this machine, never shown as the
  // room's messages, never sent anywhere. set_aside_at tells one setting-aside from the next.
  `
  CREATE TABLE messages_aside (
    room         TEXT NOT NULL,
    set_aside_at INTEGER NOT NULL,
    seq          INTEGER NOT NULL,
    id           TEXT NOT NULL,
    ts           INTEGER NOT NULL,
    from_id      TEXT NOT NULL,
    from_nick    TEXT NOT NULL,
    to_id        TEXT,
    to_nick      TEXT,
    text         TEXT NOT NULL,
    PRIMARY KEY (room, set_aside_at, seq)
  ) WITHOUT ROWID;
  `,
];

/** Brings a member database up to the current layout (each step in its own transaction). */
export function migrateMemberDatabase(db: DatabaseSync): void {
  migrate(db, STEPS);
}

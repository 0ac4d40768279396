import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { ChatMessage } from '../../src/shared/protocol';
import { HostDatabase } from '../../src/core/store/host/HostDatabase';

interface Row {
  seq: number;
  id: string;
  ts: number;
  from_id: string;
  from_nick: string;
  to_id: string | null;
  to_nick: string | null;
  text: string;
}

function toMessage(row: Row): ChatMessage {
  const message: ChatMessage = {
    id: row.id,
    seq: row.seq,
    ts: row.ts,
    from: { id: row.from_id, nick: row.from_nick },
    text: row.text,
  };
  if (row.to_id !== null) message.to = { id: row.to_id, nick: row.to_nick ?? '' };
  return message;
}

function read(path: string, sql: string, roomId: string): ChatMessage[] {
  if (!existsSync(path)) throw new Error(`no database at ${path}`);
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return (db.prepare(sql).all(roomId) as unknown as Row[]).map(toMessage);
  } finally {
    db.close();
  }
}

const COLUMNS = 'seq, id, ts, from_id, from_nick, to_id, to_nick, text';

/** The room's history as the host stored it, read straight from its database file. */
export function hostHistory(hostDir: string, roomId: string): ChatMessage[] {
  return read(
    join(hostDir, 'host.db'),
    `SELECT ${COLUMNS} FROM messages WHERE room_id = ? ORDER BY seq`,
    roomId,
  );
}

/** A member app's saved copy of the room, read straight from its database file. */
export function memberHistory(dataDir: string, roomId: string): ChatMessage[] {
  return read(
    join(dataDir, 'member.db'),
    `SELECT ${COLUMNS} FROM messages WHERE room = ? ORDER BY seq`,
    roomId,
  );
}

/** Creates room `name` in a host data folder with `count` messages, as a real host would store them. */
export function seedRoom(hostDir: string, name: string, count: number): string {
  const db = HostDatabase.open(hostDir);
  try {
    const room = db.room(name);
    const from = { id: 'seed-member-0001', nick: 'Archivist' };
    for (let i = 1; i <= count; i++) {
      room.history.append(
        { id: `seed-${i}`, ts: 1_700_000_000_000 + i, from, text: `archived ${i}` },
        `seed-cid-${i}`,
      );
    }
    return room.id;
  } finally {
    db.close();
  }
}

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { ChatMessage } from '../../src/shared/protocol';
import { MESSAGE_COLUMNS, messageFromRow, type MessageRow } from '../../src/core/store/messageRow';
import { HostDatabase } from '../../src/core/store/host/HostDatabase';

function read(path: string, sql: string, roomId: string): ChatMessage[] {
  if (!existsSync(path)) throw new Error(`no database at ${path}`);
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return (db.prepare(sql).all(roomId) as unknown as MessageRow[]).map(messageFromRow);
  } finally {
    db.close();
  }
}

const COLUMNS = MESSAGE_COLUMNS;

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

/**
 * Histories written straight into a host data folder before the host starts, as a real host
 * would store them: what an attacker could have posted over days, in seconds.
 */
import { randomBytes } from 'node:crypto';
import { newMessageId } from '../../../src/core/host/ids';
import { HostDatabase } from '../../../src/core/store/host/HostDatabase';

const someone = () => randomBytes(12).toString('base64url').slice(0, 16);

/** `count` group messages of `text` in room `name`. */
export function seedGroupMessages(dataDir: string, name: string, count: number, text: string): void {
  const db = HostDatabase.open(dataDir);
  try {
    const room = db.room(name);
    const from = { id: someone(), nick: 'Archivist' };
    const start = Date.now() - count * 1_000;
    db.batch(() => {
      for (let n = 1; n <= count; n++)
        room.history.append({ id: newMessageId(), ts: start + n * 1_000, from, text }, `seed-${n}`);
    });
  } finally {
    db.close();
  }
}

/**
 * `hidden` private messages that one member sent itself (visible to nobody else), then
 * `visible` group messages after them, in room `name`.
 */
export function seedHiddenRows(dataDir: string, name: string, hidden: number, visible: number): void {
  const db = HostDatabase.open(dataDir);
  try {
    const room = db.room(name);
    const self = { id: someone(), nick: 'Hoarder' };
    const other = { id: someone(), nick: 'Archivist' };
    const start = Date.now() - (hidden + visible) * 1_000;
    db.batch(() => {
      for (let n = 1; n <= visible / 2; n++)
        room.history.append(
          { id: newMessageId(), ts: start + n, from: other, text: `before ${n}` },
          `seed-a${n}`,
        );
      for (let n = 1; n <= hidden; n++)
        room.history.append(
          { id: newMessageId(), ts: start + visible + n, from: self, to: self, text: `note to self ${n}` },
          `seed-h${n}`,
        );
      for (let n = 1; n <= visible / 2; n++)
        room.history.append(
          { id: newMessageId(), ts: start + visible + hidden + n, from: other, text: `after ${n}` },
          `seed-b${n}`,
        );
    });
  } finally {
    db.close();
  }
}

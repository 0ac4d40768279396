import { newMessageId } from '../../src/core/host/ids';
import { MemberKey } from '../../src/core/memberKey';
import { HostDatabase } from '../../src/core/store/host/HostDatabase';

/** The text of message number `n` in a seeded room: easy to find, and all of one length. */
export const seededText = (n: number): string => `history ${n}`;

/**
 * Writes `count` messages into the room `name` of the host.db in `dataDir`, numbered 1 to
 * `count` (seq n says `seededText(n)`), before any host opens it. One transaction: 100,000
 * messages take seconds, where posting them one by one would take many minutes. Returns the
 * room's id.
 */
export function seedHistory(dataDir: string, name: string, count: number): string {
  const db = HostDatabase.open(dataDir);
  try {
    const room = db.room(name);
    // A few members who are never online, taking turns: the list shows different names and avatars.
    const posters = ['Ann', 'Ben', 'Chloé', '小明'].map((nick) => ({
      id: MemberKey.generate().id,
      nick,
    }));
    const start = Date.now() - count * 1_000;
    db.batch(() => {
      for (let n = 1; n <= count; n++) {
        const draft = {
          id: newMessageId(),
          ts: start + n * 1_000,
          from: posters[n % posters.length]!,
          text: seededText(n),
        };
        room.history.append(draft, `seed-${n}`);
      }
    });
    return room.id;
  } finally {
    db.close();
  }
}

import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { HOST_DB_FILE } from '../../src/core/store/host/schema';
import type { Session } from '../../src/shared/api';
import { hostRoom, joinAddress, makeApp, next, send, waitOnline } from './support/apps';
import { tempDataDir } from './support/dataDir';

/** Empties a stopped host's history of its rooms, as restoring an older host.db would. */
function loseHistory(dataDir: string): void {
  const db = new DatabaseSync(join(dataDir, HOST_DB_FILE));
  db.exec('DELETE FROM messages; UPDATE rooms SET stored_messages = 0, stored_bytes = 0, removed_before = 0');
  db.close();
}

describe('a saved copy of another history', () => {
  it('is set aside when the room comes back with a history that does not reach it, and the window is told', async () => {
    const aliceDir = tempDataDir();
    const alice = makeApp('Alice', aliceDir);
    const office = await hostRoom(alice, 'Office');
    const bob = makeApp('Bob');
    await joinAddress(bob, office.port);
    await waitOnline(bob, office.id);
    const told = next(bob, 'message', (p) => p.message.text === 'second');
    // Acknowledged, so that no unsent post of Alice's goes out again after the restart.
    const acked = next(alice, 'sent', (p) => p.seq === 2);
    await send(alice, 'chat:send', { roomId: office.id, text: 'first' });
    await send(alice, 'chat:send', { roomId: office.id, text: 'second' });
    await Promise.all([told, acked]);
    await alice.stop();

    loseHistory(aliceDir);
    const again = makeApp('Alice', aliceDir);
    // Same room id and port: Bob comes back by himself, with `since` 2 against `newest` 0.
    const aside = next(
      bob,
      'session',
      (p) => p.roomId === office.id && p.session?.copySetAside !== undefined,
    );
    expect((await hostRoom(again, 'Office')).port).toBe(office.port);
    const session = (await aside).session as Session;
    expect(session.copySetAside).toEqual({ at: expect.any(Number), messages: 2 });
    expect(session.messages).toEqual([]);
    expect(session.unread).toEqual({});
    await waitOnline(bob, office.id);

    // The room's new history is Bob's copy from here on: seq 1 is the new first message.
    const fresh = next(bob, 'message', (p) => p.message.text === 'after the restore');
    await send(again, 'chat:send', { roomId: office.id, text: 'after the restore' });
    expect((await fresh).message.seq).toBe(1);
    const now = bob.snapshot().sessions.find((s) => s.roomId === office.id)!;
    expect(now.messages.map((m) => [m.seq, m.text])).toEqual([[1, 'after the restore']]);
  });
});

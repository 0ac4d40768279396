import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { HostDatabase } from '../../src/core/store/host/HostDatabase';
import { HOST_DB_FILE, migrateHostDatabase } from '../../src/core/store/host/schema';
import { openDatabase } from '../../src/core/store/openDatabase';
import type { HostLimits } from '../../src/core/host/limits';
import { ErrorCode } from '../../src/shared/protocol';
import { manualClock, openHostDb, startHost, tempDir } from './support/host';
import { joinClient } from './support/client';
import { RawPeer } from './support/RawPeer';

const DAY_MS = 86_400_000;

/** A room with a daily quota, its clock moved by the test, and Alice to show it still works. */
async function quotaRoom(limits: Partial<HostLimits>) {
  const clock = manualClock();
  const host = await startHost({ clock: clock.now, limits: { postBurst: 100, ...limits } });
  const alice = await RawPeer.join(host.port, 'Alice');
  return { host, clock, alice };
}

describe('RoomHost daily quota per member', () => {
  it('answers QUOTA_EXCEEDED with the cid and when it would fit, and a reconnect with the same key gives nothing back', async () => {
    const { host, clock, alice } = await quotaRoom({ dailyPostsPerMember: 3 });
    const mallory = await RawPeer.join(host.port, 'Mallory');
    for (let i = 1; i <= 3; i++) {
      const cid = mallory.post(`post ${i}`);
      expect(await mallory.nextOf('ack')).toMatchObject({ cid });
    }
    const over = mallory.post('one too many');
    const refused = await mallory.nextOf('error');
    expect(refused).toMatchObject({ code: ErrorCode.QuotaExceeded, cid: over });
    // One post's worth of the allowance comes back in a third of a day.
    expect(refused.retryAfterMs).toBe(DAY_MS / 3);

    // The quota follows the member id, not the connection.
    mallory.ws.close();
    const again = await RawPeer.join(host.port, 'Mallory', { key: mallory.key });
    const cid = again.post('after a reconnect');
    expect(await again.nextOf('error')).toMatchObject({ code: ErrorCode.QuotaExceeded, cid });

    // Someone else is not affected, and the allowance refills with time.
    const mine = alice.post('hello');
    expect(await alice.nextOf('ack')).toMatchObject({ cid: mine });
    clock.advance(DAY_MS / 3);
    const later = again.post('a third of a day later');
    expect(await again.nextOf('ack')).toMatchObject({ cid: later });
  });

  it('counts the UTF-8 bytes of the text against the daily byte quota', async () => {
    const { alice } = await quotaRoom({ dailyBytesPerMember: 10 });
    const fits = alice.post('héllo'); // 6 bytes
    expect(await alice.nextOf('ack')).toMatchObject({ cid: fits });
    const over = alice.post('world'); // 5 more: 11
    expect(await alice.nextOf('error')).toMatchObject({ code: ErrorCode.QuotaExceeded, cid: over });
    const small = alice.post('abcd'); // 10 exactly
    expect(await alice.nextOf('ack')).toMatchObject({ cid: small });
  });

  it('acknowledges a resend of a stored post even over the quota, and does not count it', async () => {
    const { alice } = await quotaRoom({ dailyPostsPerMember: 1 });
    const cid = alice.post('only one today');
    const ack = await alice.nextOf('ack');
    alice.post('only one today', { cid });
    expect(await alice.nextOf('ack')).toEqual(ack);
    alice.post('only one today', { cid });
    expect(await alice.nextOf('ack')).toEqual(ack);
  });
});

describe('RoomHost on a full disk', () => {
  it('answers STORAGE_FULL with the cid once the memory for unsaved messages is used up, and takes the post once the disk frees', async () => {
    const dir = tempDir();
    const opened = openDatabase(join(dir, HOST_DB_FILE), migrateHostDatabase, 'history');
    // A bound of two maximum-size messages; the retry timer is left to the test (flushAll).
    const db = HostDatabase.over(opened, { retryMs: 3_600_000, overflow: { bytes: 20_000 } });
    onTestFinished(() => db.close());
    const room = db.room('Office');
    const host = await startHost({ name: 'Office', roomId: room.id, history: room.history });
    const alice = await RawPeer.join(host.port, 'Alice');
    const pages = (opened.db.prepare('PRAGMA page_count').get() as { page_count: number }).page_count;
    opened.db.exec(`PRAGMA max_page_count = ${pages}`);

    const texts = Array.from({ length: 4 }, (_, i) => `${i} `.padEnd(8_000, 'x'));
    const cids = texts.map((t) => alice.post(t));
    const answers = [];
    for (let i = 0; i < 4; i++) {
      const frame = await alice.next();
      if (frame.type === 'ack' || frame.type === 'error') answers.push(frame);
      else i--;
    }
    // Two fit in memory (acknowledged, numbered, served); the rest are refused, not lost.
    expect(answers.map((a) => (a.type === 'ack' ? 'ack' : a.code))).toEqual([
      'ack',
      'ack',
      ErrorCode.StorageFull,
      ErrorCode.StorageFull,
    ]);
    expect(answers.map((a) => a.cid)).toEqual(cids);
    expect(room.history.unsaved).toBe(2);
    expect(room.history.unsavedBytes).toBeLessThanOrEqual(20_000);

    opened.db.exec('PRAGMA max_page_count = 1073741823');
    expect(db.flushAll()).toBe(true);
    const resent = alice.post(texts[2]!, { cid: cids[2]! });
    expect(await alice.nextOf('ack')).toMatchObject({ cid: resent, seq: 3 });
  });
});

describe('RoomHost history after the retention policy removed some', () => {
  it('tells a joining member, and a member paging back, below which seq the host removed messages', async () => {
    const db = openHostDb(tempDir(), { retention: { maxMessages: 5 } });
    const room = db.room('Office');
    for (let i = 1; i <= 12; i++)
      room.history.append({ id: `m${i}`, ts: i, from: { id: 'x', nick: 'X' }, text: `m${i}` }, `c${i}`);
    db.prune();
    expect(room.history.removedBefore).toBe(8);
    const host = await startHost({ name: 'Office', roomId: room.id, history: room.history });

    const alice = await RawPeer.join(host.port, 'Alice');
    expect(alice.welcome.removedBefore).toBe(8);
    expect(alice.welcome.history.map((m) => m.seq)).toEqual([8, 9, 10, 11, 12]);
    alice.fetch({ before: 9, ref: 'back' });
    expect(await alice.nextOf('page')).toMatchObject({ ref: 'back', more: false, removedBefore: 8 });

    const bob = await RawPeer.join(host.port, 'Bob', { since: 3 });
    expect(bob.welcome).toMatchObject({ removedBefore: 8, more: false });
    expect(bob.welcome.history.map((m) => m.seq)).toEqual([8, 9, 10, 11, 12]);
  });

  it('says nothing of removal in a room that never lost any', async () => {
    const host = await startHost();
    const alice = await RawPeer.join(host.port, 'Alice');
    expect(alice.welcome).not.toHaveProperty('removedBefore');
  });
});

describe('RoomClient in a room whose host removed history', () => {
  it('knows from the welcome, and from a page back, below which seq the host removed messages', async () => {
    const db = openHostDb(tempDir(), { retention: { maxMessages: 3 } });
    const room = db.room('Office');
    const add = (i: number) =>
      room.history.append({ id: `m${i}`, ts: i, from: { id: 'x', nick: 'X' }, text: `m${i}` }, `c${i}`);
    for (let i = 1; i <= 6; i++) add(i);
    db.prune();
    const host = await startHost({ name: 'Office', roomId: room.id, history: room.history });
    const client = await joinClient(host.port, 'Alice');
    expect(client.removedBefore).toBe(4);

    // More arrive and push the boundary up while Alice is online; a page back tells her.
    for (let i = 7; i <= 9; i++) add(i);
    db.prune();
    expect(await client.fetchEarlier(8, 10)).toMatchObject({ more: false });
    expect(client.removedBefore).toBe(7);
  });
});

import { createHmac } from 'node:crypto';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemberKey } from '../../src/core/memberKey';
import { describe, expect, it } from 'vitest';
import { MEMBER_DB_FILE, MemberDatabase } from '../../src/core/store/member/MemberDatabase';
import type { ChatMessage, Member } from '../../src/shared/protocol';
import { asideRows, openMemberDb, tempDataDir } from './support/dataDir';

const ME: Member = { id: 'me', nick: 'Me' };
const BOB: Member = { id: 'bob', nick: 'Bob' };
const CAROL: Member = { id: 'carol', nick: 'Carol' };

function msg(seq: number, from: Member = BOB, extra: Partial<ChatMessage> = {}): ChatMessage {
  return { id: `m${seq}`, seq, ts: 1_000 + seq, from, text: `text ${seq}`, ...extra };
}

describe('MemberDatabase', () => {
  it('keeps one device secret across restarts and derives a different key per room from it', () => {
    const dir = tempDataDir();
    const first = openMemberDb(dir);
    const secret = first.deviceSecret();
    const key = first.memberKey('room-a');
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    const seed = createHmac('sha256', secret).update('parley-member-key-v3\0').update('room-a').digest();
    expect(key.pub).toBe(MemberKey.fromSeed(seed).pub);
    expect(first.memberKey('room-a').pub).toBe(key.pub);
    expect(first.memberKey('room-b').pub).not.toBe(key.pub);
    first.close();

    const again = openMemberDb(dir);
    expect(again.deviceSecret()).toBe(secret);
    expect(again.memberKey('room-a').id).toBe(key.id);
  });

  it('makes a different secret on another machine (another data folder)', () => {
    const one = openMemberDb(tempDataDir());
    const other = openMemberDb(tempDataDir());
    expect(one.memberKey('room-a')).not.toBe(other.memberKey('room-a'));
  });

  it('keeps the outbox across a restart, oldest first and in the order posts were made', () => {
    const dir = tempDataDir();
    const first = openMemberDb(dir);
    const outbox = first.outbox('room-a');
    outbox.add({ cid: 'c2', text: 'second, same time', createdAt: 20 });
    outbox.add({ cid: 'c1', text: 'first', createdAt: 10 });
    outbox.add({ cid: 'c3', text: 'third, same time', createdAt: 20, to: 'bob' });
    outbox.add({ cid: 'gone', text: 'acked', createdAt: 30 });
    outbox.remove('gone');
    first.outbox('room-b').add({ cid: 'b1', text: 'elsewhere', createdAt: 5 });
    first.close();

    const again = openMemberDb(dir);
    expect(again.outbox('room-a').list()).toEqual([
      { cid: 'c1', text: 'first', createdAt: 10 },
      { cid: 'c2', text: 'second, same time', createdAt: 20 },
      { cid: 'c3', text: 'third, same time', createdAt: 20, to: 'bob' },
    ]);
    expect(
      again
        .outbox('room-b')
        .list()
        .map((p) => p.cid),
    ).toEqual(['b1']);
    again.outbox('room-a').remove('c1');
    again.outbox('room-a').remove('not-there');
    again.close();
    expect(
      openMemberDb(dir)
        .outbox('room-a')
        .list()
        .map((p) => p.cid),
    ).toEqual(['c2', 'c3']);
  });

  it('saves messages idempotently by seq and never keeps a cid', () => {
    const dir = tempDataDir();
    const db = openMemberDb(dir);
    db.saveMessages('room-a', [msg(1), msg(2, ME, { cid: 'my-cid' })]);
    db.saveMessages('room-a', [msg(2, ME, { cid: 'my-cid' }), msg(3)]);
    db.saveMessages('room-a', [msg(1)]);
    db.saveMessages('room-b', [msg(1, CAROL)]);
    expect(db.messages('room-a')).toEqual([msg(1), msg(2, ME), msg(3)]);
    expect(db.messages('room-b')).toEqual([msg(1, CAROL)]);
    db.close();
    expect(openMemberDb(dir).messages('room-a')).toEqual([msg(1), msg(2, ME), msg(3)]);
  });

  it('keeps private messages with their recipient', () => {
    const db = openMemberDb(tempDataDir());
    db.saveMessages('room-a', [msg(1, BOB, { to: ME })]);
    expect(db.messages('room-a')).toEqual([msg(1, BOB, { to: ME })]);
  });

  it('pages back through the saved copy: the latest `limit` before `before`, oldest first', () => {
    const db = openMemberDb(tempDataDir());
    db.saveMessages(
      'room-a',
      Array.from({ length: 120 }, (_, i) => msg(i + 1)),
    );
    expect(db.messages('room-a').map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => 71 + i));
    expect(db.messages('room-a', { before: 10, limit: 3 }).map((m) => m.seq)).toEqual([7, 8, 9]);
    expect(db.messages('room-a', { before: 3 }).map((m) => m.seq)).toEqual([1, 2]);
    expect(db.messages('room-none')).toEqual([]);
  });

  it('knows the highest saved seq of each room', () => {
    const db = openMemberDb(tempDataDir());
    expect(db.lastSeq('room-a')).toBeUndefined();
    db.saveMessages('room-a', [msg(7), msg(3)]);
    expect(db.lastSeq('room-a')).toBe(7);
    expect(db.lastSeq('room-b')).toBeUndefined();
  });

  it('lists the rooms it joined, the latest joined first, updating one joined again', () => {
    const dir = tempDataDir();
    const db = openMemberDb(dir);
    db.rememberRoom({ id: 'a', name: 'Alpha', host: 'Hana', endpoints: [{ host: '10.0.0.1', port: 1 }] });
    db.rememberRoom({ id: 'b', name: 'Beta', host: 'Ben', endpoints: [] });
    db.rememberRoom({
      id: 'a',
      name: 'Alpha, renamed',
      host: 'Hana',
      endpoints: [{ host: '10.0.0.2', port: 2 }],
    });
    db.close();
    const rooms = openMemberDb(dir).knownRooms();
    expect(rooms.map(({ lastJoined: _, ...room }) => room)).toEqual([
      {
        id: 'a',
        name: 'Alpha, renamed',
        host: 'Hana',
        endpoints: [{ host: '10.0.0.2', port: 2 }],
        joined: true,
      },
      { id: 'b', name: 'Beta', host: 'Ben', endpoints: [], joined: true },
    ]);
    expect(rooms[0]!.lastJoined).toBeGreaterThan(rooms[1]!.lastJoined);
  });

  it('keeps a left room listed with its saved copy, not joined, and forgets one for good', () => {
    const dir = tempDataDir();
    const db = openMemberDb(dir);
    for (const id of ['a', 'b']) {
      db.rememberRoom({ id, name: id, host: 'Hana', endpoints: [] });
      db.saveMessages(id, [msg(1, BOB)]);
      db.markRead(id, '', 1);
    }
    db.outbox('b').add({ cid: 'c1', text: 'unsent', createdAt: 1 });
    db.leftRoom('a');
    db.forgetRoom('b');
    db.close();
    const again = openMemberDb(dir);
    expect(again.knownRooms().map((r) => [r.id, r.joined])).toEqual([['a', false]]);
    expect(again.messages('a').map((m) => m.seq)).toEqual([1]);
    expect(again.messages('b')).toEqual([]);
    expect(again.outbox('b').list()).toEqual([]);
    expect(again.unread('b', ME.id)).toEqual({});
  });

  it("sets a copy of another history aside: kept on disk, no longer the room's, outbox untouched", () => {
    const dir = tempDataDir();
    const db = openMemberDb(dir);
    db.saveMessages('room-a', [msg(1), msg(2), msg(3)]);
    db.saveMessages('room-b', [msg(1)]);
    db.markRead('room-a', '', 3);
    db.outbox('room-a').add({ cid: 'c1', text: 'unsent', createdAt: 1 });
    expect(db.setAside('room-a')).toBe(3);
    expect(db.lastSeq('room-a')).toBeUndefined();
    expect(db.messages('room-a')).toEqual([]);
    // The host's new history counts as unread again from its start (the old marker named old seqs).
    db.saveMessages('room-a', [msg(1, CAROL)]);
    expect(db.unread('room-a', ME.id)).toEqual({ '': 1 });
    db.close();

    const again = openMemberDb(dir);
    expect(again.messages('room-a').map((m) => m.from.id)).toEqual([CAROL.id]);
    expect(again.messages('room-b').map((m) => m.seq)).toEqual([1]);
    expect(again.outbox('room-a').list()).toEqual([expect.objectContaining({ cid: 'c1' })]);
    expect(asideRows(dir)).toEqual([1, 2, 3].map((seq) => ({ room: 'room-a', seq, text: `text ${seq}` })));
    // Forgetting the room deletes what was set aside too.
    again.forgetRoom('room-a');
    again.close();
    expect(asideRows(dir)).toEqual([]);
  });

  it('counts unread messages per conversation, following the read markers', () => {
    const db = openMemberDb(tempDataDir());
    db.saveMessages('room-a', [
      msg(1, BOB),
      msg(2, ME),
      msg(3, BOB, { to: ME }),
      msg(4, CAROL),
      msg(5, ME, { to: BOB }),
      msg(6, CAROL, { to: ME }),
      msg(7, BOB, { to: ME }),
    ]);
    expect(db.unread('room-a', ME.id)).toEqual({ '': 2, bob: 2, carol: 1 });
    db.markRead('room-a', '', 4);
    db.markRead('room-a', 'bob', 3);
    expect(db.unread('room-a', ME.id)).toEqual({ bob: 1, carol: 1 });
    db.markRead('room-a', 'bob', 7);
    db.markRead('room-a', 'carol', 6);
    expect(db.unread('room-a', ME.id)).toEqual({});
    db.saveMessages('room-a', [msg(8, CAROL)]);
    expect(db.unread('room-a', ME.id)).toEqual({ '': 1 });
    expect(db.unread('room-b', ME.id)).toEqual({});
  });

  it('never moves a read marker back', () => {
    const dir = tempDataDir();
    const db = openMemberDb(dir);
    db.saveMessages('room-a', [msg(1), msg(2), msg(3)]);
    db.markRead('room-a', '', 3);
    db.markRead('room-a', '', 1);
    expect(db.unread('room-a', ME.id)).toEqual({});
    db.close();
    expect(openMemberDb(dir).unread('room-a', ME.id)).toEqual({});
  });

  it('keeps a damaged member.db aside and starts afresh, saying so', () => {
    const dir = tempDataDir();
    writeFileSync(join(dir, MEMBER_DB_FILE), 'this is not a database, just some text '.repeat(200));
    const db = openMemberDb(dir);
    expect(db.problem).toMatchObject({ kind: 'damaged', file: 'messages', path: join(dir, MEMBER_DB_FILE) });
    expect(db.inMemory).toBe(false);
    const aside = readdirSync(dir).filter((name) => name.startsWith(`${MEMBER_DB_FILE}.corrupt-`));
    expect(aside).toHaveLength(1);
    db.saveMessages('room-a', [msg(1)]);
    expect(db.messages('room-a')).toEqual([msg(1)]);
    expect(existsSync(join(dir, MEMBER_DB_FILE))).toBe(true);
  });

  it('runs in memory, saying so, when its folder cannot be created', () => {
    const dir = tempDataDir();
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, '');
    const db = MemberDatabase.open(join(blocker, 'data'));
    try {
      expect(db.inMemory).toBe(true);
      expect(db.problem).toMatchObject({ kind: 'unwritable', file: 'messages' });
      db.outbox('room-a').add({ cid: 'c1', text: 'still works', createdAt: 1 });
      expect(db.outbox('room-a').list()).toHaveLength(1);
    } finally {
      db.close();
    }
  });
});

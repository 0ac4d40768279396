import { join } from 'node:path';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { openDatabase } from '../../src/core/store/openDatabase';
import { MEMBER_DB_FILE, MemberDatabase } from '../../src/core/store/member/MemberDatabase';
import { migrateMemberDatabase } from '../../src/core/store/member/schema';
import type { ChatMessage } from '../../src/shared/protocol';
import { asideRows, openMemberDb, tempDataDir } from './support/dataDir';

const BOB = { id: 'bob', nick: 'Bob' };
/** Long enough that saving it needs fresh pages in the file. */
const big = (seq: number): ChatMessage => ({
  id: `m${seq}`,
  seq,
  ts: seq,
  from: BOB,
  text: 'x'.repeat(8_000),
});

/**
 * A member database whose "disk" can fill up: SQLite's max_page_count caps the file at its
 * current size, so any write that needs a new page fails with SQLITE_FULL, as on a full disk.
 */
function fillableDb(dir: string, retryMs = 60_000) {
  const opened = openDatabase(join(dir, MEMBER_DB_FILE), migrateMemberDatabase, 'messages');
  const store = MemberDatabase.over(opened, { retryMs });
  onTestFinished(() => store.close());
  const problems: string[] = [];
  store.onProblem = (p) => problems.push(`${p.kind} ${p.file}: ${p.detail}`);
  return {
    store,
    problems,
    fill: () => {
      // Checkpoint first, so the WAL holds no pages the cap would not see.
      opened.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
      const { page_count } = opened.db.prepare('PRAGMA page_count').get() as { page_count: number };
      opened.db.exec(`PRAGMA max_page_count = ${page_count}`);
    },
    free: () => opened.db.exec('PRAGMA max_page_count = 1073741823'),
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('MemberDatabase when the disk fails', () => {
  it('keeps what it could not write in memory, reports once, and saves it all when space returns', () => {
    const dir = tempDataDir();
    const { store, problems, fill, free } = fillableDb(dir);
    const secret = store.deviceSecret();
    fill();

    const outbox = store.outbox('room-a');
    expect(() => {
      store.saveMessages('room-a', [big(1), big(2)]);
      outbox.add({ cid: 'c1', text: 'typed while the disk was full', createdAt: 1 });
      outbox.add({ cid: 'c2', text: 'acked while the disk was full', createdAt: 2 });
      outbox.remove('c2');
      store.markRead('room-a', '', 1);
      store.rememberRoom({ id: 'room-a', name: 'Alpha', host: 'Hana', endpoints: [] });
    }).not.toThrow();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^failing messages: .*full/);

    // Everything reads back as if it had been written.
    expect(store.messages('room-a').map((m) => m.seq)).toEqual([1, 2]);
    expect(store.lastSeq('room-a')).toBe(2);
    expect(outbox.list().map((p) => p.cid)).toEqual(['c1']);
    expect(store.unread('room-a', 'me')).toEqual({ '': 1 });
    expect(store.knownRooms().map((r) => r.id)).toEqual(['room-a']);

    free();
    expect(store.flush()).toBe(true);
    store.close();
    const again = openMemberDb(dir);
    expect(again.deviceSecret()).toBe(secret);
    expect(again.messages('room-a').map((m) => m.seq)).toEqual([1, 2]);
    expect(
      again
        .outbox('room-a')
        .list()
        .map((p) => p.cid),
    ).toEqual(['c1']);
    expect(again.unread('room-a', 'me')).toEqual({ '': 1 });
    expect(again.knownRooms().map((r) => r.name)).toEqual(['Alpha']);
  });

  it('tries again by itself after a while', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const dir = tempDataDir();
    const { store, problems, fill, free } = fillableDb(dir, 1_000);
    store.deviceSecret();
    fill();
    store.saveMessages('room-a', [big(1)]);
    expect(problems).toHaveLength(1);
    free();
    vi.advanceTimersByTime(1_000);
    store.close();
    expect(
      openMemberDb(dir)
        .messages('room-a')
        .map((m) => m.seq),
    ).toEqual([1]);
  });

  it('reports a new spell of trouble after it recovered from the last one', () => {
    const { store, problems, fill, free } = fillableDb(tempDataDir());
    store.deviceSecret();
    fill();
    store.saveMessages('room-a', [big(1)]);
    store.saveMessages('room-a', [big(2)]);
    expect(problems).toHaveLength(1);
    free();
    expect(store.flush()).toBe(true);
    fill();
    store.saveMessages('room-a', [big(3)]);
    expect(problems).toHaveLength(2);
  });

  it('treats a copy set aside while the disk is full as gone, and moves it aside once space returns', () => {
    const dir = tempDataDir();
    const { store, fill, free } = fillableDb(dir);
    store.saveMessages('room-a', [big(1), big(2)]);
    fill();
    store.saveMessages('room-a', [big(3)]); // refused: only in memory
    expect(store.setAside('room-a')).toBe(3);
    // The stored rows are still there, but they are an old copy now: nothing reads them.
    expect(store.lastSeq('room-a')).toBeUndefined();
    expect(store.messages('room-a')).toEqual([]);
    expect(store.unread('room-a', 'me')).toEqual({});
    store.saveMessages('room-a', [{ ...big(1), id: 'new-1', from: { id: 'carol', nick: 'Carol' } }]);
    expect(store.messages('room-a').map((m) => m.id)).toEqual(['new-1']);

    free();
    expect(store.flush()).toBe(true);
    store.close();
    const again = openMemberDb(dir);
    expect(again.messages('room-a').map((m) => m.id)).toEqual(['new-1']);
    expect(asideRows(dir, 'seq')).toEqual([{ seq: 1 }, { seq: 2 }, { seq: 3 }]);
  });
});

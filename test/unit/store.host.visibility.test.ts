import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it, onTestFinished } from 'vitest';
import { MemoryHistory, type HistoryStore, type MessageDraft } from '../../src/core/host/history';
import { HostDatabase } from '../../src/core/store/host/HostDatabase';
import { HOST_DB_FILE, migrateHostDatabase } from '../../src/core/store/host/schema';
import { SQL } from '../../src/core/store/host/SqliteHistory';
import type { Member } from '../../src/shared/protocol';
import { openHostDb, tempDir } from './support/host';

const people: Member[] = ['ann', 'ben', 'cat', 'dan'].map((nick) => ({ id: `${nick}-id`, nick }));
const [ann, ben] = people as [Member, Member];
let n = 0;
const draft = (from: Member, to?: Member): MessageDraft => ({
  id: `v${++n}`,
  ts: n,
  from,
  text: `m${n}`,
  ...(to ? { to } : {}),
});

/** The query plan of a statement, one line per step, as SQLite words it. */
function plan(db: DatabaseSync, sql: string): string[] {
  const rows = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('room', 'member', 10, 50) as { detail: string }[];
  return rows.map((r) => r.detail);
}

describe('host.db history reads by visibility', () => {
  it('reads every page through index searches on group, sent and received rows, never a scan of messages', () => {
    const db = new DatabaseSync(':memory:');
    onTestFinished(() => db.close());
    migrateHostDatabase(db);
    for (const sql of [SQL.after, SQL.before]) {
      const steps = plan(db, sql);
      // Each arm is a range search of its own partial index, and the rows are fetched by key.
      expect(
        steps.filter((s) => s.startsWith('SEARCH messages USING')).map((s) => s.replace(/ \(.*/, '')),
      ).toEqual([
        'SEARCH messages USING INDEX sqlite_autoindex_messages_2',
        'SEARCH messages USING INDEX messages_group',
        'SEARCH messages USING INDEX messages_private_from',
        'SEARCH messages USING COVERING INDEX messages_private_to',
      ]);
      expect(steps.some((s) => s.includes('messages_group (room_id=? AND seq'))).toBe(true);
      expect(steps.some((s) => s.includes('(room_id=? AND from_id=? AND seq'))).toBe(true);
      expect(steps.some((s) => s.includes('(room_id=? AND to_id=? AND seq'))).toBe(true);
      // "SCAN (subquery-N)" walks an arm's own output (at most `limit` rows); the table never.
      expect(steps.filter((s) => /^SCAN messages/.test(s))).toEqual([]);
      expect(steps.some((s) => s.includes('TEMP B-TREE'))).toBe(false);
    }
  });

  it('returns exactly what each member may see, in order, with others’ private rows and whispers to oneself mixed in', () => {
    const stores: [string, HistoryStore][] = [
      ['memory', new MemoryHistory()],
      ['disk', openHostDb(tempDir()).room('Office').history],
    ];
    // A deterministic mix: group posts, private posts between any two, and whispers to oneself.
    let x = 7;
    const next = () => (x = (x * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 600; i++) {
      const from = people[next() % 4]!;
      const kind = next() % 3;
      const to = kind === 0 ? undefined : kind === 1 ? from : people[next() % 4];
      const d = draft(from, to);
      for (const [, store] of stores) store.append(d, `c${i}`);
    }
    const [memory, disk] = stores.map(([, s]) => s) as [HistoryStore, HistoryStore];
    for (const member of [...people, { id: 'stranger', nick: 'S' }]) {
      const all = memory.after(member.id, 0, 1000).messages;
      expect(all.every((m) => !m.to || m.to.id === member.id || m.from.id === member.id)).toBe(true);
      expect(disk.after(member.id, 0, 1000).messages).toEqual(all);
      for (const limit of [1, 7, 50]) {
        for (const at of [0, 123, 301, 599]) {
          expect(disk.after(member.id, at, limit)).toEqual(memory.after(member.id, at, limit));
          expect(disk.before(member.id, at + 1, limit)).toEqual(memory.before(member.id, at + 1, limit));
        }
        expect(disk.latest(member.id, limit)).toEqual(memory.latest(member.id, limit));
      }
    }
  });

  it('serves a member’s page past 20,000 of someone else’s whispers to themself without returning any', () => {
    const db = openHostDb(tempDir());
    const history = db.room('Office').history;
    history.append(draft(ann), 'first');
    db.batch(() => {
      for (let i = 0; i < 20_000; i++) history.append(draft(ben, ben), `w${i}`);
    });
    history.append(draft(ann), 'last');
    expect(history.latest(ann.id, 50).map((m) => m.text)).toEqual(['m' + (n - 20_001), 'm' + n]);
    expect(history.before(ann.id, 20_002, 50)).toMatchObject({ more: false });
    expect(history.latest(ben.id, 3).map((m) => m.seq)).toEqual([20_000, 20_001, 20_002]);
  });

  it('migrates a host.db of the first layout: indexes, counts, reads and ports as for a new file', () => {
    const dir = tempDir();
    const old = new DatabaseSync(join(dir, HOST_DB_FILE));
    old.exec(`
      CREATE TABLE rooms (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL);
      CREATE TABLE messages (room_id TEXT NOT NULL REFERENCES rooms (id), seq INTEGER NOT NULL,
        id TEXT NOT NULL UNIQUE, ts INTEGER NOT NULL, from_id TEXT NOT NULL, from_nick TEXT NOT NULL,
        to_id TEXT, to_nick TEXT, text TEXT NOT NULL, cid TEXT NOT NULL,
        PRIMARY KEY (room_id, seq), UNIQUE (room_id, from_id, cid));
      INSERT INTO rooms VALUES ('r1', 'Office', 1);
      INSERT INTO messages VALUES ('r1', 1, 'a', 1, 'ann-id', 'ann', NULL, NULL, 'hello', 'c1');
      INSERT INTO messages VALUES ('r1', 2, 'b', 2, 'ben-id', 'ben', 'cat-id', 'cat', 'psst', 'c2');
      INSERT INTO messages VALUES ('r1', 3, 'c', 3, 'ann-id', 'ann', NULL, NULL, 'ünïcode', 'c3');
      PRAGMA user_version = 1;`);
    old.close();

    const db = HostDatabase.open(dir);
    onTestFinished(() => db.close());
    const room = db.room('Office');
    expect(room.id).toBe('r1');
    // It never listened under this layout: no port to ask for again.
    expect(room.port).toBeNull();
    expect(room.history.latest(ann.id, 10).map((m) => m.seq)).toEqual([1, 3]);
    expect(room.history.latest('cat-id', 10).map((m) => m.seq)).toEqual([1, 2, 3]);
    const history = room.history;
    // Counted as rowBytes counts: UTF-8 text, nicknames, ids and cid, plus 16.
    const bytes = [5 + 3 + 1 + 6 + 2, 4 + 3 + 3 + 1 + 6 + 6 + 2, 9 + 3 + 1 + 6 + 2].reduce(
      (a, b) => a + b + 16,
      0,
    );
    expect(history.stats()).toEqual({ messages: 3, bytes });
    expect(room.history.append(draft(ann), 'c4').message.seq).toBe(4);
    expect(history.stats().messages).toBe(4);

    const check = new DatabaseSync(join(dir, HOST_DB_FILE), { readOnly: true });
    onTestFinished(() => check.close());
    const names = (
      check.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").all() as { name: string }[]
    ).map((r) => r.name);
    expect(names).toEqual(
      expect.arrayContaining(['messages_group', 'messages_private_from', 'messages_private_to']),
    );
    expect(check.prepare('PRAGMA user_version').get()).toEqual({ user_version: 3 });
  });
});

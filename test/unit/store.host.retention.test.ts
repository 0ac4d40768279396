import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { MessageDraft } from '../../src/core/host/history';
import { HOST_DB_FILE } from '../../src/core/store/host/schema';
import { PRUNE_BATCH, rowBytes } from '../../src/core/store/host/SqliteHistory';
import type { HostDatabase } from '../../src/core/store/host/HostDatabase';
import { openHostDb, tempDir } from './support/host';

const ann = { id: 'ann-id', nick: 'Ann' };
let n = 0;
const draft = (text: string, ts = Date.now()): MessageDraft => ({ id: `r${++n}`, ts, from: ann, text });

/** Appends `count` messages in one transaction (fast), each of `text`. */
function fill(db: HostDatabase, count: number, text = 'x', ts?: (i: number) => number): void {
  const history = db.room('Office').history;
  db.batch(() => {
    for (let i = 0; i < count; i++) history.append(draft(text, ts?.(i)), `c${n}`);
  });
}

describe('host.db retention', () => {
  it('removes the oldest messages past maxMessages, a bounded number per tick, and numbers on above them', () => {
    const db = openHostDb(tempDir(), { retention: { maxMessages: 1_000 } });
    const history = db.room('Office').history;
    fill(db, 6_000);
    db.prune();
    // One tick takes at most 8 batches of PRUNE_BATCH: never a long stall of the room.
    expect(history.removedBefore).toBe(8 * PRUNE_BATCH + 1);
    expect(history.stats().messages).toBe(6_000 - 8 * PRUNE_BATCH);
    db.prune();
    expect(history.stats().messages).toBe(1_000);
    expect(history.removedBefore).toBe(5_001);
    expect(history.before(ann.id, 5_003, 10).messages.map((m) => m.seq)).toEqual([5_001, 5_002]);
    expect(history.before(ann.id, 5_003, 10).more).toBe(false);
    expect(history.append(draft('next'), 'next').message.seq).toBe(6_001);
  });

  it('removes the oldest messages past maxBytes, counting as rowBytes counts', () => {
    const db = openHostDb(tempDir(), { retention: { maxBytes: 50_000 } });
    const history = db.room('Office').history;
    const text = 'ü'.repeat(500);
    fill(db, 200, text);
    const each = rowBytes(draft(text), 'c12345');
    expect(history.stats().bytes).toBeGreaterThan(190 * each);
    db.prune();
    const { bytes, messages } = history.stats();
    expect(bytes).toBeLessThanOrEqual(50_000);
    expect(bytes).toBeGreaterThan(50_000 - 2 * each);
    expect(history.latest(ann.id, 1000)).toHaveLength(messages);
    expect(history.latest(ann.id, 1)[0]!.seq).toBe(200);
  });

  it('removes messages older than maxAgeMs, and numbering goes on after all of them went, across a reopen', () => {
    const dir = tempDir();
    const now = Date.now();
    const db = openHostDb(dir, { retention: { maxAgeMs: 86_400_000 } });
    const history = db.room('Office').history;
    fill(db, 10, 'old', (i) => now - 3 * 86_400_000 + i);
    fill(db, 5, 'recent', () => now - 1_000);
    db.prune(now);
    expect(history.latest(ann.id, 100).map((m) => m.seq)).toEqual([11, 12, 13, 14, 15]);
    db.prune(now + 2 * 86_400_000);
    expect(history.latest(ann.id, 100)).toEqual([]);
    expect(history.removedBefore).toBe(16);
    db.close();

    const again = openHostDb(dir);
    const same = again.room('Office').history;
    expect(same.removedBefore).toBe(16);
    expect(same.append(draft('after'), 'after').message.seq).toBe(16);
  });

  it('applies the policy on its own timer, off the post path', async () => {
    const db = openHostDb(tempDir(), { retention: { maxMessages: 10 }, pruneEveryMs: 5 });
    const history = db.room('Office').history;
    fill(db, 50);
    // The post that crossed the line removed nothing itself.
    expect(history.stats().messages).toBe(50);
    await vi.waitFor(() => expect(history.stats().messages).toBe(10));
    expect(history.removedBefore).toBe(41);
  });

  it('brings the next pass forward, to just after the turn, once a sixteenth of the budget arrived', async () => {
    const db = openHostDb(tempDir(), { retention: { maxMessages: 160 }, pruneEveryMs: 3_600_000 });
    const history = db.room('Office').history;
    fill(db, 150);
    expect(history.removedBefore).toBe(0);
    fill(db, 20);
    // Not inside the post's own turn: the pass runs right after it.
    expect(history.stats().messages).toBe(170);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(history.stats().messages).toBe(160);
  });

  it('holds host.db under a bound while one key floods the room with maximum-size messages', () => {
    const dir = tempDir();
    const budget = 4 * 1024 * 1024;
    const db = openHostDb(dir, { retention: { maxBytes: budget } });
    const history = db.room('Office').history;
    const text = 'y'.repeat(8_000);
    let largest = 0;
    let largestDb = 0;
    const fileSize = (name: string) => statSync(join(dir, name), { throwIfNoEntry: false })?.size ?? 0;
    const size = () => {
      largestDb = Math.max(largestDb, fileSize(HOST_DB_FILE));
      return fileSize(HOST_DB_FILE) + fileSize(`${HOST_DB_FILE}-wal`);
    };
    // 40 MiB posted, ten times the budget; the timer's work done every 100 posts.
    for (let i = 0; i < 5_000; i++) {
      history.append(draft(text), `f${i}`);
      if (i % 100 === 99) {
        db.prune();
        largest = Math.max(largest, size());
      }
    }
    expect(history.stats().bytes).toBeLessThanOrEqual(budget);
    // host.db peaks near 1.25x the budget here (its pages and indexes, and the 100 posts
    // between two passes), plus the write-ahead log (SQLite checkpoints it at ~4 MiB).
    expect(largestDb).toBeLessThan(1.5 * budget);
    expect(largest).toBeLessThan(1.5 * budget + 4.5 * 1024 * 1024);
  });
});

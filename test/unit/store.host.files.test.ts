import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { StorageFullError, type MessageDraft } from '../../src/core/host/history';
import { HostDatabase } from '../../src/core/store/host/HostDatabase';
import { HOST_DB_FILE } from '../../src/core/store/host/schema';
import { openHostDb, tempDir } from './support/host';
import { storageSentence } from '../../src/shared/storageProblem';

const ann = { id: 'ann-id', nick: 'Ann' };
let n = 0;
const draft = (text: string): MessageDraft => ({ id: `m${++n}-${Date.now()}`, ts: n, from: ann, text });

/** A host.db with `count` messages in room "Office", closed, in a fresh folder. */
function realDatabase(count: number): string {
  const dir = tempDir();
  const db = HostDatabase.open(dir);
  const room = db.room('Office');
  db.batch(() => {
    for (let i = 0; i < count; i++) room.history.append(draft(`m${i} ${'x'.repeat(500)}`), `c${i}`);
  });
  db.close();
  return dir;
}

describe('HostDatabase with a damaged host.db', () => {
  it('keeps a file of garbage bytes aside and starts a fresh database', () => {
    const dir = tempDir();
    const garbage = Buffer.alloc(8192);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 131 + 7) & 0xff;
    writeFileSync(join(dir, HOST_DB_FILE), garbage);

    const db = openHostDb(dir);
    expect(db.problem).toMatchObject({
      kind: 'damaged',
      file: 'history',
      path: join(dir, HOST_DB_FILE),
      detail: 'file is not a database',
    });
    expect(db.inMemory).toBe(false);
    const aside = readdirSync(dir).find((f) => /^host\.db\.corrupt-[\d-TZ]+$/.test(f))!;
    expect(db.problem!.aside).toBe(join(dir, aside));
    expect(readFileSync(join(dir, aside))).toEqual(garbage);

    const room = db.room('Office');
    expect(room.history.append(draft('fresh start'), 'c1').message.seq).toBe(1);
  });

  it('keeps a truncated database aside and starts a fresh one', () => {
    const dir = realDatabase(400);
    const file = join(dir, HOST_DB_FILE);
    const size = statSync(file).size;
    truncateSync(file, Math.floor(size / 2));

    const db = openHostDb(dir);
    expect(db.problem).toMatchObject({ kind: 'damaged', aside: expect.stringMatching(/host\.db\.corrupt-/) });
    expect(readdirSync(dir).filter((f) => f.startsWith('host.db.corrupt-'))).not.toHaveLength(0);
    const room = db.room('Office');
    expect(room.history.latest(ann.id, 10)).toEqual([]);
    expect(room.history.append(draft('fresh start'), 'c1').message.seq).toBe(1);
  });

  it('opens a healthy database without a problem', () => {
    const dir = realDatabase(3);
    const db = openHostDb(dir);
    expect(db.problem).toBeNull();
    expect(db.room('Office').history.latest(ann.id, 10)).toHaveLength(3);
  });
});

describe('HostDatabase in a folder it cannot write', () => {
  it('runs on an in-memory database and says history lasts until Parley restarts', () => {
    const parent = tempDir();
    // A file where the folder should be: no user, root included, can create the folder.
    writeFileSync(join(parent, 'host'), 'not a folder');
    const db = openHostDb(join(parent, 'host', 'data'));
    expect(db.inMemory).toBe(true);
    expect(db.problem).toMatchObject({ kind: 'unwritable', file: 'history', detail: expect.any(String) });
    expect(storageSentence(db.problem!)).toMatch(
      /cannot be written \(.*\); it is kept in memory until Parley restarts\./,
    );
    const room = db.room('Office');
    expect(room.history.append(draft('still works'), 'c1').message.seq).toBe(1);
    expect(room.history.latest(ann.id, 5).map((m) => m.text)).toEqual(['still works']);
  });
});

// A really full disk: a 512 KiB tmpfs filled up by another file. Mounting needs root.
const isRoot = process.getuid?.() === 0;
const mustRun = Boolean(process.env.CI);

/** Appends to `file` until the disk refuses even a single byte more. */
function fillUp(file: string): void {
  const chunk = Buffer.alloc(16 * 1024, 1);
  for (;;) {
    try {
      writeFileSync(file, chunk, { flag: 'a' });
    } catch {
      break;
    }
  }
  for (let size = 4096; size >= 1; size = Math.floor(size / 2)) {
    try {
      for (;;) writeFileSync(file, Buffer.alloc(size, 1), { flag: 'a' });
    } catch {
      // next smaller size
    }
  }
}

/** A tmpfs of `size` mounted for this test, unmounted (after `before`) when it ends. */
function smallDisk(size: string, before: () => void): string {
  const mnt = tempDir('parley-tmpfs-');
  // Fails (and so fails the test) rather than skipping when CI demands it but we are not root.
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mnt]);
  onTestFinished(() => {
    before();
    execFileSync('umount', [mnt]);
  });
  return mnt;
}

describe('HostDatabase on a disk that really fills up', () => {
  if (!isRoot && !mustRun) {
    it.skip('keeps acknowledging messages in memory when the disk is full (needs root to mount a small tmpfs)', () => {});
    return;
  }

  it('keeps at most its bound in memory on a full disk, refuses the rest with StorageFullError, and loses nothing it took', () => {
    let db: HostDatabase | null = null;
    const mnt = smallDisk('4m', () => db?.close());
    const dir = join(mnt, 'data');
    mkdirSync(dir);
    const bound = 1024 * 1024;
    db = HostDatabase.open(dir, { retryMs: 3_600_000, overflow: { bytes: bound } });
    const history = db.room('Office').history;
    history.append(draft('before the disk filled'), 'c0');
    fillUp(join(mnt, 'filler'));

    // 400 posts of 8,000 characters (3.2 MB) at a disk with no room: what fits the bound is
    // kept and acknowledged, in order; everything past it is refused, not held.
    const outcomes: ('kept' | 'refused')[] = [];
    let lastKept = 1;
    for (let i = 1; i <= 400; i++) {
      try {
        lastKept = history.append(draft(`${i} `.padEnd(8_000, 'z')), `c${i}`).message.seq;
        outcomes.push('kept');
      } catch (err) {
        expect(err).toBeInstanceOf(StorageFullError);
        outcomes.push('refused');
      }
    }
    const kept = outcomes.filter((o) => o === 'kept').length;
    expect(history.unsavedBytes).toBeLessThanOrEqual(bound);
    expect(history.unsaved).toBeLessThanOrEqual(Math.ceil(bound / 8_000));
    // Some went to the disk's last free pages; then memory took its bound's worth and no more.
    expect(kept).toBeGreaterThanOrEqual(history.unsaved);
    expect(kept).toBeLessThan(200);
    expect(outcomes.slice(kept).every((o) => o === 'refused')).toBe(true);
    expect(lastKept).toBe(kept + 1);

    rmSync(join(mnt, 'filler'));
    expect(db.flushAll()).toBe(true);
    expect(history.unsaved).toBe(0);
    // A refused post sent again is taken now, numbered after everything kept.
    expect(history.append(draft('resent'), `c${kept + 1}`).message.seq).toBe(kept + 2);
    db.close();
    const reopened = HostDatabase.open(dir);
    const all = reopened.room('Office').history.after(ann.id, 0, 10_000).messages;
    reopened.close();
    expect(all.map((m) => m.seq)).toEqual(Array.from({ length: kept + 2 }, (_, i) => i + 1));
  });

  it('keeps acknowledging messages in memory when the disk is full, and saves them once space is freed', () => {
    let db: HostDatabase | null = null;
    const mnt = smallDisk('512k', () => db?.close());
    const dir = join(mnt, 'data');
    mkdirSync(dir);
    db = HostDatabase.open(dir, { retryMs: 60_000 });
    const problems: string[] = [];
    const recoveries: string[] = [];
    db.onProblem = (p) => problems.push(`${p.kind} ${p.file}: ${p.detail}`);
    db.onRecovered = (s) => recoveries.push(s);
    const history = db.room('Office').history;
    history.append(draft('before the disk filled'), 'c0');
    const filler = join(mnt, 'filler');
    fillUp(filler);

    // Whatever still fits in the file's free space goes to disk; the rest must be kept anyway.
    let seq = 1;
    for (let i = 1; i <= 300 && problems.length === 0; i++) {
      const { message } = history.append(draft(`during ${i} ${'y'.repeat(3000)}`), `c${i}`);
      expect(message.seq).toBe(++seq);
    }
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/disk is full|database or disk is full|I\/O/);
    for (let i = 301; i <= 310; i++)
      expect(history.append(draft(`more ${i}`), `c${i}`).message.seq).toBe(++seq);
    expect(history.latest(ann.id, 1)[0]).toMatchObject({ seq, text: 'more 310' });
    expect(problems).toHaveLength(1);

    rmSync(filler);
    history.append(draft('after freeing space'), 'last');
    // What the retry timer does next: everything kept in memory goes to disk, in order.
    expect(db.flushAll()).toBe(true);
    expect(recoveries).toHaveLength(1);
    db.close();
    db = null;

    const reopened = HostDatabase.open(dir);
    const all = reopened.room('Office').history.after(ann.id, 0, 10_000).messages;
    reopened.close();
    expect(all.map((m) => m.seq)).toEqual(Array.from({ length: seq + 1 }, (_, i) => i + 1));
    expect(all.at(-1)!.text).toBe('after freeing space');
  });
});

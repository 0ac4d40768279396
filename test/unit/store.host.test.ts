import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { appendEach, MemoryHistory, type HistoryStore, type MessageDraft } from '../../src/core/host/history';
import { HostDatabase } from '../../src/core/store/host/HostDatabase';
import { HOST_DB_FILE, migrateHostDatabase } from '../../src/core/store/host/schema';
import { openDatabase } from '../../src/core/store/openDatabase';
import type { Member } from '../../src/shared/protocol';
import { openHostDb, tempDir } from './support/host';

const ann: Member = { id: 'ann-id', nick: 'Ann' };
const ben: Member = { id: 'ben-id', nick: 'Ben' };
const cat: Member = { id: 'cat-id', nick: 'Cat' };

let drafts = 0;
function draft(text: string, from: Member = ann, to?: Member): MessageDraft {
  drafts++;
  return {
    id: `msg-${drafts}-${Math.random().toString(36).slice(2)}`,
    ts: drafts,
    from,
    text,
    ...(to ? { to } : {}),
  };
}

const seqs = (page: { messages: { seq: number }[] } | { seq: number }[]): number[] =>
  (Array.isArray(page) ? page : page.messages).map((m) => m.seq);

/** Each store a host can be given must behave the same. */
const implementations: [string, () => HistoryStore][] = [
  ['MemoryHistory', () => new MemoryHistory()],
  ['SqliteHistory', () => openHostDb(tempDir()).room('Office').history],
];

describe.each(implementations)('%s as a room’s history', (_name, make) => {
  it('numbers messages 1, 2, 3 in storage order and returns them without their cid', () => {
    const history = make();
    const stored = ['a', 'b', 'c'].map((text, i) => history.append(draft(text), `c${i}`));
    expect(stored.map((s) => [s.message.seq, s.duplicate])).toEqual([
      [1, false],
      [2, false],
      [3, false],
    ]);
    expect(history.latest(ann.id, 10)).toEqual(stored.map((s) => s.message));
    expect(history.latest(ann.id, 10).every((m) => m.cid === undefined)).toBe(true);
  });

  it('stores a turn’s batch of posts in order, a cid repeated within it only once', () => {
    const history = make();
    history.append(draft('before'), 'c0');
    const entries = [
      { draft: draft('one'), cid: 'c1' },
      { draft: draft('two', ben), cid: 'c1' },
      { draft: draft('one, resent'), cid: 'c1' },
      { draft: draft('old, resent'), cid: 'c0' },
    ];
    const results = history.appendAll?.(entries) ?? appendEach(history, entries);
    expect(results.map((r) => ('message' in r ? [r.message.seq, r.duplicate] : 'error'))).toEqual([
      [2, false],
      [3, false],
      [2, true],
      [1, true],
    ]);
    expect(history.latest(cat.id, 10).map((m) => m.text)).toEqual(['before', 'one', 'two']);
  });

  it('returns the stored message for a cid its sender used before, storing nothing', () => {
    const history = make();
    const first = history.append(draft('once'), 'same');
    const again = history.append(draft('once, resent'), 'same');
    expect(again).toEqual({ message: first.message, duplicate: true });
    expect(history.stored(ann.id, 'same')).toEqual(first.message);
    expect(history.append(draft('other sender', ben), 'same').message.seq).toBe(2);
    expect(seqs(history.latest(cat.id, 10))).toEqual([1, 2]);
  });

  it('shows private messages to their two members only', () => {
    const history = make();
    history.append(draft('group'), 'c1');
    history.append(draft('ann to ben', ann, ben), 'c2');
    history.append(draft('cat to ann', cat, ann), 'c3');
    history.append(draft('group again', ben), 'c4');
    expect(seqs(history.latest(ann.id, 10))).toEqual([1, 2, 3, 4]);
    expect(seqs(history.latest(ben.id, 10))).toEqual([1, 2, 4]);
    expect(seqs(history.latest(cat.id, 10))).toEqual([1, 3, 4]);
    expect(seqs(history.after(ben.id, 0, 10))).toEqual([1, 2, 4]);
    expect(seqs(history.before(cat.id, 4, 10))).toEqual([1, 3]);
    expect(history.latest(ben.id, 10)[1]).toMatchObject({ from: ann, to: ben });
  });

  it('pages after and before a seq, saying whether more lie beyond', () => {
    const history = make();
    for (let i = 1; i <= 10; i++)
      history.append(draft(`m${i}`, i % 3 === 0 ? ben : ann, i % 3 === 0 ? ann : undefined), `c${i}`);
    // Cat cannot see 3, 6 and 9.
    expect(history.after(cat.id, 0, 3)).toMatchObject({ more: true });
    expect(seqs(history.after(cat.id, 0, 3))).toEqual([1, 2, 4]);
    expect(history.after(cat.id, 7, 3)).toMatchObject({ more: false });
    expect(seqs(history.after(cat.id, 7, 3))).toEqual([8, 10]);
    expect(history.after(cat.id, 8, 1)).toMatchObject({ more: false });
    expect(history.after(cat.id, 10, 5)).toEqual({ messages: [], more: false });
    expect(seqs(history.before(cat.id, 10, 3))).toEqual([5, 7, 8]);
    expect(history.before(cat.id, 10, 3).more).toBe(true);
    expect(seqs(history.before(cat.id, 4, 3))).toEqual([1, 2]);
    expect(history.before(cat.id, 4, 3).more).toBe(false);
    expect(history.before(cat.id, 4, 2).more).toBe(false);
    expect(history.before(cat.id, 1, 5)).toEqual({ messages: [], more: false });
    expect(seqs(history.latest(cat.id, 3))).toEqual([7, 8, 10]);
  });
});

describe('HostDatabase', () => {
  it('keeps a room’s id, history and numbering across a reopen of the same folder', () => {
    const dir = tempDir();
    const db = openHostDb(dir);
    const room = db.room('Office');
    expect(room.id).toMatch(/^[0-9a-f-]{36}$/);
    for (const text of ['one', 'two', 'three']) room.history.append(draft(text), text);
    db.close();

    const again = openHostDb(dir);
    expect(again.problem).toBeNull();
    const same = again.room('Office');
    expect(same.id).toBe(room.id);
    expect(same.history.latest(ann.id, 10).map((m) => [m.seq, m.text])).toEqual([
      [1, 'one'],
      [2, 'two'],
      [3, 'three'],
    ]);
    expect(same.history.append(draft('two'), 'two')).toMatchObject({ duplicate: true, message: { seq: 2 } });
    expect(same.history.append(draft('four'), 'four').message.seq).toBe(4);
  });

  it('keeps rooms of different names apart, each numbered from 1', () => {
    const db = openHostDb(tempDir());
    const office = db.room('Office');
    const lab = db.room('Lab');
    expect(lab.id).not.toBe(office.id);
    expect(db.room('Office')).toBe(office);
    office.history.append(draft('in office'), 'c1');
    expect(lab.history.append(draft('in lab'), 'c1').message.seq).toBe(1);
    expect(lab.history.latest(ann.id, 10).map((m) => m.text)).toEqual(['in lab']);
  });

  it('has every acknowledged message after the host is killed with SIGKILL', async () => {
    const dir = tempDir();
    // A writer in its own process prints each seq once append() has returned (= acknowledged).
    const script = `
      import { HostDatabase } from ${JSON.stringify(join(process.cwd(), 'src/core/store/host/HostDatabase.ts'))};
      const room = HostDatabase.open(process.argv[1]).room('Office');
      for (let i = 1; ; i++) {
        const { message } = room.history.append({ id: 'id-' + i, ts: i, from: { id: 'a', nick: 'A' }, text: 'm' + i }, 'c' + i);
        process.stdout.write(message.seq + '\\n');
      }`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const exited = once(child, 'exit');
    let acked = 0;
    for await (const line of createInterface({ input: child.stdout })) {
      acked = Number(line);
      if (acked >= 300) {
        child.kill('SIGKILL');
        break;
      }
    }
    expect((await exited)[1]).toBe('SIGKILL');

    const room = openHostDb(dir).room('Office');
    const kept = room.history.after('a', 0, 100_000).messages;
    expect(kept.length).toBeGreaterThanOrEqual(acked);
    expect(seqs(kept)).toEqual(Array.from({ length: kept.length }, (_, i) => i + 1));
    expect(kept.slice(0, acked).map((m) => m.id)).toEqual(
      Array.from({ length: acked }, (_, i) => `id-${i + 1}`),
    );
  });
});

describe('HostDatabase when the disk refuses writes', () => {
  /** A HostDatabase whose file may grow to no more than its current size once `fill()` is called. */
  function capped(retryMs = 60_000) {
    const dir = tempDir();
    const opened = openDatabase(join(dir, HOST_DB_FILE), migrateHostDatabase, 'history');
    const db = HostDatabase.over(opened, { retryMs });
    onTestFinished(() => db.close());
    const problems: string[] = [];
    const recoveries: string[] = [];
    db.onProblem = (p) => problems.push(`${p.kind} ${p.file}: ${p.detail}`);
    db.onRecovered = (s) => recoveries.push(s);
    const pages = () => (opened.db.prepare('PRAGMA page_count').get() as { page_count: number }).page_count;
    return {
      dir,
      db,
      problems,
      recoveries,
      // SQLite's own limit: writes past it fail with SQLITE_FULL, exactly as on a full disk.
      fill: () => opened.db.exec(`PRAGMA max_page_count = ${pages()}`),
      free: () => opened.db.exec('PRAGMA max_page_count = 1073741823'),
    };
  }

  it('keeps messages in memory, still numbers and serves them, and reports it once', () => {
    const { db, problems, fill } = capped();
    const history = db.room('Office').history;
    history.append(draft('on disk'), 'c0');
    fill();
    const kept = Array.from({ length: 40 }, (_, i) =>
      history.append(
        draft(`kept ${i} ${'x'.repeat(2000)}`, i % 2 ? ben : ann, i % 5 === 0 ? cat : undefined),
        `k${i}`,
      ),
    );
    expect(kept.map((k) => k.message.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 2));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toBe('failing history: database or disk is full');
    // Served like the rest, private ones to their members only; a resend is still recognised.
    expect(seqs(history.after(ben.id, 0, 1000))).toEqual([
      1,
      ...kept.filter((k, i) => i % 5 !== 0 || i % 2).map((k) => k.message.seq),
    ]);
    expect(seqs(history.latest(cat.id, 3))).toEqual([39, 40, 41]);
    expect(seqs(history.before(ann.id, 3, 10))).toEqual([1, 2]);
    expect(history.append(draft('resent'), 'k4')).toMatchObject({ duplicate: true, message: { seq: 6 } });
  });

  it('keeps a batch the disk refuses in memory, numbered on from the disk, and writes it out later', () => {
    const { dir, db, problems, fill, free } = capped();
    const room = db.room('Office');
    room.history.append(draft('before'), 'c0');
    fill();
    const entries = [1, 2, 3].map((i) => ({ draft: draft(`during ${i}`.padEnd(6000, '.')), cid: `c${i}` }));
    const results = room.history.appendAll!(entries);
    expect(results.map((r) => ('message' in r ? [r.message.seq, r.duplicate] : 'error'))).toEqual([
      [2, false],
      [3, false],
      [4, false],
    ]);
    expect(problems).toHaveLength(1);
    free();
    expect(db.flushAll()).toBe(true);
    db.close();
    const reopened = openHostDb(dir).room('Office');
    expect(seqs(reopened.history.latest(ann.id, 10))).toEqual([1, 2, 3, 4]);
  });

  it('writes the kept messages out at the next retry once the disk allows, and says so', () => {
    const { dir, db, problems, recoveries, fill, free } = capped();
    const room = db.room('Office');
    room.history.append(draft('before'), 'c0');
    fill();
    // Long enough to need new pages: a short one might still fit in a page's free space.
    room.history.append(draft('during 1'.padEnd(6000, '.')), 'c1');
    room.history.append(draft('during 2'.padEnd(6000, '.')), 'c2');
    expect(problems).toHaveLength(1);
    expect(db.flushAll()).toBe(false);
    expect(recoveries).toEqual([]);
    free();
    // A post joins the overflow behind the others, in order; it does not retry the disk itself.
    room.history.append(draft('after'), 'c3');
    expect(room.history.unsaved).toBe(3);
    expect(recoveries).toEqual([]);
    // The retry (flushAll is what the retry timer calls) writes them all.
    expect(db.flushAll()).toBe(true);
    expect(room.history.unsaved).toBe(0);
    expect(problems).toHaveLength(1);
    expect(recoveries).toHaveLength(1);
    db.close();

    const reopened = openHostDb(dir).room('Office');
    expect(reopened.history.latest(ann.id, 10).map((m) => [m.seq, m.text.replace(/\.+$/, '')])).toEqual([
      [1, 'before'],
      [2, 'during 1'],
      [3, 'during 2'],
      [4, 'after'],
    ]);
  });

  it('retries on a timer that backs off while the disk stays full, never from a post', () => {
    vi.useFakeTimers();
    onTestFinished(() => void vi.useRealTimers());
    const dir = tempDir();
    const opened = openDatabase(join(dir, HOST_DB_FILE), migrateHostDatabase, 'history');
    const db = HostDatabase.over(opened, { retryMs: 100, maxRetryMs: 400 });
    onTestFinished(() => db.close());
    const history = db.room('Office').history;
    const pages = (opened.db.prepare('PRAGMA page_count').get() as { page_count: number }).page_count;
    opened.db.exec(`PRAGMA max_page_count = ${pages}`);
    const flushes = vi.spyOn(history, 'flush');
    history.append(draft('kept'.padEnd(6000, '.')), 'c1');
    // Posts while messages wait join them; none of them tries the disk again.
    for (let i = 2; i <= 50; i++) history.append(draft(`more ${i}`), `c${i}`);
    expect(flushes).not.toHaveBeenCalled();
    // Tries 100, 200, 400, then 400 ms apart: doubling up to maxRetryMs.
    const calls = (ms: number) => {
      vi.advanceTimersByTime(ms);
      return flushes.mock.calls.length;
    };
    expect([calls(99), calls(1), calls(199), calls(1), calls(399), calls(1), calls(399), calls(1)]).toEqual([
      0, 1, 1, 2, 2, 3, 3, 4,
    ]);
    expect(history.unsaved).toBe(50);
  });

  it('retries on its own, without waiting for another message', async () => {
    const { dir, db, fill, free } = capped(20);
    const room = db.room('Office');
    fill();
    room.history.append(draft('waiting'.padEnd(6000, '.')), 'c1');
    const recovered = new Promise<string>((resolve) => (db.onRecovered = resolve));
    free();
    expect(await recovered).toMatch(/saved again; nothing was lost/);
    db.close();
    expect(openHostDb(dir).room('Office').history.latest(ann.id, 10)).toHaveLength(1);
  });

  it('writes the kept messages out on close if the disk allows by then', () => {
    const { dir, db, problems, fill, free } = capped();
    const room = db.room('Office');
    fill();
    room.history.append(draft('kept'.padEnd(6000, '.')), 'c1');
    expect(problems).toHaveLength(1);
    expect(room.history.latest(ann.id, 1)[0]!.text).toMatch(/^kept/);
    free();
    db.close();
    expect(
      openHostDb(dir)
        .room('Office')
        .history.latest(ann.id, 10)
        .map((m) => m.text.slice(0, 4)),
    ).toEqual(['kept']);
  });
});

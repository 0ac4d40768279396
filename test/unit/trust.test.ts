import { storageSentence } from '../../src/shared/storageProblem';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { openDatabase } from '../../src/core/store/openDatabase';
import { migrateTrustDatabase } from '../../src/core/trust/schema';
import { TRUST_DB_FILE, TrustStore } from '../../src/core/trust/TrustStore';
import { tempDataDir } from './support/dataDir';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
/** A's fingerprint as Node's getPeerCertificate().fingerprint256 spells it. */
const A_NODE_STYLE = A.toUpperCase().match(/../g)!.join(':');

function open(dir: string): TrustStore {
  const store = TrustStore.open(dir);
  onTestFinished(() => store.close());
  return store;
}

describe('TrustStore', () => {
  it('calls a room it has never seen new, and trusts it once pinned', () => {
    const store = open(tempDataDir());
    expect(store.problem).toBeNull();
    expect(store.verdict('room-1', A)).toEqual({ kind: 'new' });
    expect(store.pinned('room-1')).toBeNull();

    store.pin('room-1', A);

    expect(store.verdict('room-1', A)).toEqual({ kind: 'trusted' });
    expect(store.pinned('room-1')).toBe(A);
  });

  it('reports a mismatch, with both fingerprints, when the room presents another certificate', () => {
    const store = open(tempDataDir());
    store.pin('room-1', A);
    expect(store.verdict('room-1', B)).toEqual({ kind: 'mismatch', pinned: A, presented: B });
    // The pin is untouched until the user accepts the new certificate.
    expect(store.pinned('room-1')).toBe(A);
  });

  it('keeps pins per room', () => {
    const store = open(tempDataDir());
    store.pin('room-1', A);
    expect(store.verdict('room-2', A)).toEqual({ kind: 'new' });
  });

  it('trusts the new certificate once the user accepts it', () => {
    const store = open(tempDataDir());
    store.pin('room-1', A);
    store.pin('room-1', B);
    expect(store.verdict('room-1', B)).toEqual({ kind: 'trusted' });
    expect(store.verdict('room-1', A)).toEqual({ kind: 'mismatch', pinned: B, presented: A });
  });

  it("accepts Node's colon-separated upper-case spelling and stores Parley's", () => {
    const store = open(tempDataDir());
    store.pin('room-1', A_NODE_STYLE);
    expect(store.pinned('room-1')).toBe(A);
    expect(store.verdict('room-1', A_NODE_STYLE)).toEqual({ kind: 'trusted' });
  });

  it('refuses something that is not a fingerprint', () => {
    const store = open(tempDataDir());
    expect(() => store.pin('room-1', 'abc')).toThrow(/fingerprint/);
    expect(() => store.verdict('room-1', '')).toThrow(/fingerprint/);
  });

  it('keeps pins across restarts, in trust.db', () => {
    const dir = tempDataDir();
    const first = TrustStore.open(dir);
    first.pin('room-1', A);
    first.pin('room-2', B);
    first.close();

    expect(existsSync(join(dir, TRUST_DB_FILE))).toBe(true);
    const again = open(dir);
    expect(again.pinned('room-1')).toBe(A);
    expect(again.pinned('room-2')).toBe(B);
    expect(again.pinned('room-3')).toBeNull(); // never pinned
  });

  it('records when a pin was first and last seen', () => {
    const store = open(tempDataDir());
    const before = Date.now();
    store.pin('room-1', A);
    const [pinned] = store.list();
    expect(pinned).toMatchObject({ roomId: 'room-1', fingerprint: A });
    expect(pinned!.firstSeen).toBeGreaterThanOrEqual(before);
    store.touch('room-1', A);
    store.pin('room-1', A);
    const [seen] = store.list();
    expect(seen!.firstSeen).toBe(pinned!.firstSeen);
    expect(seen!.lastSeen).toBeGreaterThanOrEqual(pinned!.lastSeen);
  });

  it('judges a certificate without writing; only touch() records that the room was seen', () => {
    vi.useFakeTimers({ toFake: ['Date'], now: 1_000 });
    onTestFinished(() => void vi.useRealTimers());
    const dir = tempDataDir();
    const store = TrustStore.open(dir);
    store.pin('room-1', A);
    vi.setSystemTime(2_000);

    expect(store.verdict('room-1', A)).toEqual({ kind: 'trusted' });
    store.touch('room-1', B);
    store.touch('room-2', A);
    expect(store.list()).toMatchObject([{ roomId: 'room-1', lastSeen: 1_000 }]);

    store.touch('room-1', A_NODE_STYLE);
    store.close();
    expect(open(dir).list()).toMatchObject([{ roomId: 'room-1', firstSeen: 1_000, lastSeen: 2_000 }]);
  });

  it('starts afresh from a damaged file, keeps it aside, and warns that rooms are first contact again', () => {
    const dir = tempDataDir();
    writeFileSync(join(dir, TRUST_DB_FILE), 'this is not a database, just some text that is long enough');
    const store = open(dir);
    expect(store.problem).toMatchObject({
      kind: 'damaged',
      file: 'trust',
      aside: expect.stringContaining('.corrupt-'),
    });
    // What it costs is said with it (the window words the same, shared/storageProblem.ts).
    expect(storageSentence(store.problem!)).toMatch(/trusted anew on first contact/);
    expect(readdirSync(dir).some((name) => name.startsWith(`${TRUST_DB_FILE}.corrupt-`))).toBe(true);
    store.pin('room-1', A);
    expect(store.verdict('room-1', A)).toEqual({ kind: 'trusted' });
  });

  it('works in memory when the data folder cannot be written', () => {
    const file = join(tempDataDir(), 'a-file');
    writeFileSync(file, '');
    const store = open(join(file, 'parley'));
    expect(store.inMemory).toBe(true);
    expect(store.problem).toMatchObject({ kind: 'unwritable', file: 'trust' });
    store.pin('room-1', A);
    expect(store.verdict('room-1', A)).toEqual({ kind: 'trusted' });
  });

  it('keeps pins in memory while the disk refuses them, reports once, and saves them later', () => {
    const dir = tempDataDir();
    const opened = openDatabase(join(dir, TRUST_DB_FILE), migrateTrustDatabase, 'trust');
    const store = TrustStore.over(opened);
    const problems: string[] = [];
    store.onProblem = (p) => problems.push(`${p.kind} ${p.file}`);

    opened.db.exec('PRAGMA query_only = ON');
    expect(() => {
      store.pin('room-1', A);
      store.pin('room-2', B);
    }).not.toThrow();
    expect(store.pinned('room-1')).toBe(A);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toBe('failing trust');

    opened.db.exec('PRAGMA query_only = OFF');
    store.close();
    const again = open(dir);
    expect(again.pinned('room-1')).toBe(A);
    expect(again.pinned('room-2')).toBe(B);
  });
});

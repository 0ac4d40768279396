import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { describe, expect, it, onTestFinished } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../../src/core/store/openDatabase';
import { tempDir } from './support/host';

const migrate = (db: DatabaseSync): void => db.exec('CREATE TABLE IF NOT EXISTS notes (text TEXT)');

function open(path: string, m = migrate): OpenedDatabase {
  const opened = openDatabase(path, m, 'history');
  onTestFinished(() => {
    if (opened.db.isOpen) opened.db.close();
  });
  return opened;
}

describe('openDatabase', () => {
  it('creates the folder and a WAL database, and runs the migration', () => {
    const path = join(tempDir(), 'deep', 'er', 'x.db');
    const { db, problem, inMemory } = open(path);
    expect([problem, inMemory]).toEqual([null, false]);
    expect(db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    expect(db.prepare('PRAGMA foreign_keys').get()).toEqual({ foreign_keys: 1 });
    db.prepare('INSERT INTO notes VALUES (?)').run('kept');
    db.close();
    expect(open(path).db.prepare('SELECT text FROM notes').all()).toEqual([{ text: 'kept' }]);
  });

  it('moves a damaged file and its -wal and -shm aside together, deleting nothing', () => {
    const dir = tempDir();
    const path = join(dir, 'x.db');
    for (const suffix of ['', '-wal', '-shm']) writeFileSync(path + suffix, `garbage${suffix}`.repeat(600));
    const { problem, inMemory } = open(path);
    expect(inMemory).toBe(false);
    const aside = readdirSync(dir)
      .filter((f) => f.includes('.corrupt-'))
      .sort();
    expect(aside).toHaveLength(3);
    expect(aside[0]).toMatch(/^x\.db\.corrupt-[\d-TZ]+$/);
    expect(aside.slice(1)).toEqual([`${aside[0]}-shm`, `${aside[0]}-wal`]);
    expect(problem).toMatchObject({ kind: 'damaged', file: 'history', path, aside: join(dir, aside[0]!) });
  });

  it('falls back to memory when the folder cannot be created, and says why', () => {
    const parent = tempDir();
    writeFileSync(join(parent, 'file'), '');
    const { db, problem, inMemory } = open(join(parent, 'file', 'x.db'));
    expect(inMemory).toBe(true);
    expect(problem).toMatchObject({
      kind: 'unwritable',
      file: 'history',
      path: join(parent, 'file', 'x.db'),
      detail: expect.any(String),
    });
    db.prepare('INSERT INTO notes VALUES (?)').run('in memory');
  });

  it('throws what a broken migration throws, instead of hiding a bug as a damaged file', () => {
    const dir = tempDir();
    const broken = (db: DatabaseSync): void =>
      db.exec('CREATE TABLE oops (a INTEGER CHECK (nonsense_function(a)))');
    expect(() => openDatabase(join(dir, 'x.db'), broken, 'history')).toThrow(/no such function/);
    expect(readdirSync(dir).filter((f) => f.includes('.corrupt-'))).toEqual([]);
  });
});

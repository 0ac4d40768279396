import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { openDatabase } from '../../src/core/store/openDatabase';
import { SqliteFile } from '../../src/core/store/SqliteFile';
import type { RetryPolicy } from '../../src/core/store/RetryTimer';
import { tempDataDir } from './support/dataDir';

const migrate = (db: DatabaseSync): void => db.exec('CREATE TABLE IF NOT EXISTS notes (text TEXT)');

/** A file whose writes can be refused (query_only), with what it reported. */
function notes(retry?: Omit<RetryPolicy, 'run'>) {
  const opened = openDatabase(join(tempDataDir(), 'notes.db'), migrate, 'messages');
  const problems: string[] = [];
  let tries = 0;
  const file = new SqliteFile(
    opened,
    (p) => problems.push(`${p.kind} ${p.file}`),
    retry && {
      ...retry,
      run: () => {
        tries++;
        add('retried');
      },
    },
  );
  onTestFinished(() => file.close());
  const add = (text: string) => file.commit(() => void file.stmt('INSERT INTO notes VALUES (?)').run(text));
  return {
    file,
    problems,
    add,
    tries: () => tries,
    /** The tries so far, `ms` later (fake timers). */
    after: (ms: number) => {
      vi.advanceTimersByTime(ms);
      return tries;
    },
    refuse: (on: boolean) => opened.db.exec(`PRAGMA query_only = ${on ? 'ON' : 'OFF'}`),
  };
}

describe('SqliteFile', () => {
  it('reports the first failure of a spell of trouble only, and a new spell again', () => {
    const { file, problems, add, refuse } = notes();
    refuse(true);
    expect([add('a'), add('b')]).toEqual([false, false]);
    expect(problems).toEqual(['failing messages']);
    expect(file.failing).toBe(true);

    refuse(false);
    expect(add('c')).toBe(true);
    expect(file.failing).toBe(false);
    refuse(true);
    expect(add('d')).toBe(false);
    expect(problems).toEqual(['failing messages', 'failing messages']);
  });

  it('gives the fallback for a read that fails, and reports it', () => {
    const { file, problems } = notes();
    expect(file.rows('SELECT * FROM no_such_table')).toEqual([]);
    expect(file.row('SELECT * FROM no_such_table')).toBeUndefined();
    expect(problems).toEqual(['failing messages']);
  });

  it('retries at a steady pace when given no longest wait', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    onTestFinished(() => void vi.useRealTimers());
    const { add, after, refuse } = notes({ ms: 100 });
    refuse(true);
    add('a');
    expect([after(99), after(1), after(99), after(1), after(100)]).toEqual([0, 1, 1, 2, 3]);
  });

  it('doubles the wait up to the longest, and starts over once recovered', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    onTestFinished(() => void vi.useRealTimers());
    const { add, after, refuse } = notes({ ms: 100, maxMs: 400 });
    refuse(true);
    add('a');
    expect([after(100), after(199), after(1), after(400), after(400)]).toEqual([1, 1, 2, 3, 4]);

    refuse(false);
    expect(after(400)).toBe(5); // this retry goes through and ends the spell
    expect(after(10_000)).toBe(5);
    refuse(true);
    add('b');
    expect(after(100)).toBe(6);
  });

  it('after close reads give the fallback, writes give false, and no retry runs', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    onTestFinished(() => void vi.useRealTimers());
    const { file, problems, add, tries, refuse } = notes({ ms: 100 });
    refuse(true);
    add('a');
    file.close();
    file.close();
    vi.advanceTimersByTime(1_000);
    expect(tries()).toBe(0);
    expect(file.rows('SELECT * FROM notes')).toEqual([]);
    expect(add('b')).toBe(false);
    expect(() => file.stmt('SELECT * FROM notes')).toThrow(/closed/);
    expect(problems).toHaveLength(1);
  });
});

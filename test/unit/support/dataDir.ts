import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { onTestFinished } from 'vitest';
import { MEMBER_DB_FILE, MemberDatabase } from '../../../src/core/store/member/MemberDatabase';

/** A fresh, empty data folder, removed when the test ends. */
export function tempDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-member-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Opens the member database in `dir`, closed when the test ends (closing twice is harmless). */
export function openMemberDb(dir: string): MemberDatabase {
  const db = MemberDatabase.open(dir);
  onTestFinished(() => db.close());
  return db;
}

/** What member.db in `dir` holds set aside (messages_aside), read straight from the file. */
export function asideRows(dir: string, columns = 'room, seq, text'): Record<string, unknown>[] {
  const db = new DatabaseSync(join(dir, MEMBER_DB_FILE), { readOnly: true });
  try {
    return db.prepare(`SELECT ${columns} FROM messages_aside ORDER BY room, seq`).all();
  } finally {
    db.close();
  }
}

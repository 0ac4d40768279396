import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { MemberDatabase } from '../../../src/core/store/member/MemberDatabase';

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

import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { StorageFile, StorageProblem } from '../../shared/storageProblem';

export interface OpenedDatabase {
  db: DatabaseSync;
  /** The file it is (or, in memory, would be). */
  path: string;
  /** Which of the app's files, for what a problem with it later says. */
  file: StorageFile;
  /** What was wrong with the file when it was unusable (a code and its parameters); null when all was well. */
  problem: StorageProblem | null;
  /** true when running on an in-memory database because the folder cannot be written */
  inMemory: boolean;
}

/**
 * Opens (creating when needed) the SQLite file at `path` in WAL mode, checks it and runs
 * `migrate` on it. It never throws for a damaged or unwritable file:
 * - a damaged file (not a database, corrupt, failing `quick_check`) is renamed aside with its
 *   -wal/-shm siblings as `<path>.corrupt-<timestamp>` (never deleted) and a fresh one is started;
 * - a folder or file that cannot be written (read-only, no permission, disk full, in use by
 *   another program) leaves the app on an in-memory database until it restarts.
 * Both are described in `problem`. Anything else (a bug in `migrate`, say) is thrown.
 */
export function openDatabase(
  path: string,
  migrate: (db: DatabaseSync) => void,
  file: StorageFile,
): OpenedDatabase {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (err) {
    return inMemory(path, migrate, { kind: 'unwritable', file, path, detail: reasonOf(err) });
  }

  let first: unknown;
  /** The failed connection, left open until the damaged files are moved (see below). */
  let failed: DatabaseSync | null = null;
  try {
    return { db: openChecked(path, migrate), path, file, problem: null, inMemory: false };
  } catch (err) {
    if (err instanceof OpenFailure) {
      first = err.cause;
      failed = err.db;
    } else {
      first = err;
    }
  }

  const kind = classify(first);
  if (kind !== 'damaged') {
    closeQuietly(failed);
    if (kind === 'unwritable') {
      return inMemory(path, migrate, { kind: 'unwritable', file, path, detail: reasonOf(first) });
    }
    throw first;
  }

  // Damaged: keep it aside, start afresh. The files are moved while the failed connection is
  // still open, because closing it first lets SQLite delete the -wal and -shm it cannot use.
  const aside = `${path}.corrupt-${timestamp()}`;
  try {
    moveAside(path, aside);
  } catch (err) {
    closeQuietly(failed);
    return inMemory(path, migrate, {
      kind: 'stuck',
      file,
      path,
      detail: `${reasonOf(first)}; ${reasonOf(err)}`,
    });
  }
  closeQuietly(failed);
  const damaged: StorageProblem = { kind: 'damaged', file, path, aside, detail: reasonOf(first) };
  try {
    return { db: openChecked(path, migrate), path, file, problem: damaged, inMemory: false };
  } catch (err) {
    if (classify(err) === 'other') throw err;
    // Kept aside, and no fresh one can be written either: in memory (the copy aside is safe).
    return inMemory(path, migrate, { kind: 'unwritable', file, path, aside, detail: reasonOf(err) });
  }
}

/** SQLite primary result codes (the low byte of extended codes). */
const SQLITE = {
  PERM: 3,
  BUSY: 5,
  LOCKED: 6,
  READONLY: 8,
  IOERR: 10,
  CORRUPT: 11,
  FULL: 13,
  CANTOPEN: 14,
  NOTADB: 26,
} as const;

type Kind = 'damaged' | 'unwritable' | 'other';

/** Sorts an error from opening, checking or migrating a database file. */
export function classify(err: unknown): Kind {
  if (err instanceof DamagedError) return 'damaged';
  const e = err as { errcode?: unknown; code?: unknown; message?: unknown } | null;
  if (typeof e?.errcode === 'number') {
    switch (e.errcode & 0xff) {
      case SQLITE.CORRUPT:
      case SQLITE.NOTADB:
        return 'damaged';
      case SQLITE.PERM:
      case SQLITE.BUSY:
      case SQLITE.LOCKED:
      case SQLITE.READONLY:
      case SQLITE.IOERR:
      case SQLITE.FULL:
      case SQLITE.CANTOPEN:
        return 'unwritable';
    }
  }
  const message = typeof e?.message === 'string' ? e.message : '';
  if (/file is not a database|malformed/i.test(message)) return 'damaged';
  if (['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'ENOTDIR', 'EEXIST'].includes(String(e?.code))) {
    return 'unwritable';
  }
  return 'other';
}

class DamagedError extends Error {}

/** A failure after the file was opened, with the connection still open for the caller to close. */
class OpenFailure extends Error {
  constructor(
    override readonly cause: unknown,
    readonly db: DatabaseSync,
  ) {
    super('opening the database failed');
  }
}

function openChecked(path: string, migrate: (db: DatabaseSync) => void): DatabaseSync {
  const db = new DatabaseSync(path);
  try {
    db.exec('PRAGMA busy_timeout=2000');
    db.exec('PRAGMA journal_mode=WAL');
    db.exec('PRAGMA synchronous=NORMAL');
    db.exec('PRAGMA foreign_keys=ON');
    // The history pages' IN (...) sets are ephemeral tables of at most a page of seqs; on the
    // default temp store each query set up a temporary file's pager, and the host kept ~22 KB
    // of RSS per welcome it served (bench/fanout, 1,000 joins: 121 -> 99 KB per member).
    db.exec('PRAGMA temp_store=MEMORY');
    const rows = db.prepare('PRAGMA quick_check').all() as Array<Record<string, unknown>>;
    const verdict = rows.map((row) => String(Object.values(row)[0])).join('; ');
    if (verdict !== 'ok') throw new DamagedError(`quick_check: ${verdict.slice(0, 200)}`);
    // Migrations are CREATE ... IF NOT EXISTS and `PRAGMA user_version` steps; `migrate` may use
    // its own transaction. A read-only file already failed at `journal_mode=WAL` above.
    migrate(db);
    return db;
  } catch (err) {
    if (db.isOpen && db.isTransaction) {
      try {
        db.exec('ROLLBACK');
      } catch {
        // the close below ends the transaction anyway
      }
    }
    throw new OpenFailure(err, db);
  }
}

function closeQuietly(db: DatabaseSync | null): void {
  try {
    if (db?.isOpen) db.close();
  } catch {
    // already unusable; the original error is what matters
  }
}

function inMemory(
  path: string,
  migrate: (db: DatabaseSync) => void,
  problem: StorageProblem,
): OpenedDatabase {
  const db = new DatabaseSync(':memory:');
  migrate(db);
  return { db, path, file: problem.file, inMemory: true, problem: { ...problem, path } };
}

function moveAside(path: string, aside: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) {
    if (existsSync(path + suffix)) renameSync(path + suffix, aside + suffix);
  }
}

function timestamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-');
}

function reasonOf(err: unknown): string {
  const e = err as { errstr?: unknown; code?: unknown; message?: unknown } | null;
  if (typeof e?.errstr === 'string' && e.errstr) return e.errstr;
  if (typeof e?.code === 'string' && e.code !== 'ERR_SQLITE_ERROR' && typeof e.message === 'string') {
    return e.message;
  }
  return typeof e?.message === 'string' ? e.message : String(err);
}

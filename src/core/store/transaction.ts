import type { DatabaseSync } from 'node:sqlite';

/**
 * Runs `fn` inside BEGIN IMMEDIATE … COMMIT, rolling back and rethrowing if anything in it (or
 * the COMMIT itself: a full disk reports there) fails. IMMEDIATE takes the write lock up front,
 * so a second writer waits at BEGIN rather than failing half-way through.
 */
export function inTransaction<T>(db: DatabaseSync, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (err) {
    // A failed COMMIT can leave the transaction open or already rolled back; only the first needs it.
    if (db.isTransaction) db.exec('ROLLBACK');
    throw err;
  }
}

import type { DatabaseSync } from 'node:sqlite';
import { inTransaction } from './transaction';

/**
 * Brings a database up to the layout `steps` describe: step N runs once, in its own
 * transaction, and `PRAGMA user_version` records how far the file is. Steps are only ever
 * appended, never edited.
 */
export function migrate(db: DatabaseSync, steps: readonly string[]): void {
  const row = db.prepare('PRAGMA user_version').get() as { user_version: number };
  for (let version = row.user_version; version < steps.length; version++) {
    inTransaction(db, () => {
      db.exec(steps[version]!);
      db.exec(`PRAGMA user_version = ${version + 1}`);
    });
  }
}

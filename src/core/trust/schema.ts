import type { DatabaseSync } from 'node:sqlite';
import { migrate } from '../store/migrate';

/** The trust database's layout; bump with a new step, never edit an old one. */
const STEPS: string[] = [
  `
  -- The certificate fingerprint trusted for each room (trust on first use). Times are ms since the epoch.
  CREATE TABLE pins (
    room_id     TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    first_seen  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  // 1 when the user compared the verification code with the host (room:trust), 0 when the
  // certificate was only trusted on first use.
  `ALTER TABLE pins ADD COLUMN verified INTEGER NOT NULL DEFAULT 0;`,
];

/** Brings a trust database up to the current layout (each step in its own transaction). */
export function migrateTrustDatabase(db: DatabaseSync): void {
  migrate(db, STEPS);
}

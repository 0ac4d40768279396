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
];

/** Brings a trust database up to the current layout (each step in its own transaction). */
export function migrateTrustDatabase(db: DatabaseSync): void {
  migrate(db, STEPS);
}

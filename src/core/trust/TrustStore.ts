import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { normalizeFingerprint } from '../identity/fingerprint';
import type { StorageProblem } from '../../shared/storageProblem';
import { openDatabase, type OpenedDatabase } from '../store/openDatabase';
import { migrateTrustDatabase } from './schema';
import { inTransaction } from '../store/transaction';

/** The file in the member's data folder. */
export const TRUST_DB_FILE = 'trust.db';

/** What the trust store says about the certificate a room's host presented. */
export type TrustVerdict =
  /** Never seen this room: first contact. Pin it (or ask the user to compare codes first). */
  | { kind: 'new' }
  /** The pinned certificate: connect. */
  | { kind: 'trusted' }
  /** Another certificate than the pinned one: do not connect unless the user accepts it. */
  | { kind: 'mismatch'; pinned: string; presented: string };

/** One trusted room. Times are milliseconds since the epoch. */
export interface Pin {
  roomId: string;
  fingerprint: string;
  /** When this fingerprint was first pinned for the room. */
  firstSeen: number;
  /** When the room last presented it. */
  lastSeen: number;
  /** The user compared its verification code with the host; false: trusted on first use. */
  verified: boolean;
}

/**
 * What a member trusts: for each room id, the fingerprint of the certificate its host presented
 * the first time (trust on first use), or the one the user accepted after comparing codes.
 * Kept in `trust.db` in the member's data folder.
 *
 * Pins are few, so all of them are read once at open and kept in memory; every change is written
 * at once. When the disk refuses, the change is kept in memory, retried with the next change and
 * at close, and `onProblem` is told once per spell of trouble. Nothing here throws into the
 * caller because of the disk.
 */
export class TrustStore {
  /** Set when trust.db could not be used as it was (kept aside, or in memory only). */
  readonly problem: StorageProblem | null;
  /** True when no pin will survive a restart. */
  readonly inMemory: boolean;
  /** Told (once per spell of trouble) when pins cannot be saved; a sentence for the user. */
  onProblem: ((problem: StorageProblem) => void) | null = null;

  private readonly db: DatabaseSync;
  /** The file, for what a problem says. */
  private readonly path: string;
  private readonly pins = new Map<string, Pin>();
  /** Room ids whose row on disk differs from `pins` (a write failed). */
  private readonly unsaved = new Set<string>();
  private failing = false;
  private closed = false;

  private constructor(opened: OpenedDatabase) {
    this.db = opened.db;
    this.path = opened.path;
    this.inMemory = opened.inMemory;
    this.problem = opened.problem;
    try {
      const rows = this.db
        .prepare('SELECT room_id, fingerprint, first_seen, last_seen, verified FROM pins')
        .all() as unknown as {
        room_id: string;
        fingerprint: string;
        first_seen: number;
        last_seen: number;
        verified: number;
      }[];
      for (const row of rows) {
        this.pins.set(row.room_id, {
          roomId: row.room_id,
          fingerprint: row.fingerprint,
          firstSeen: row.first_seen,
          lastSeen: row.last_seen,
          verified: row.verified === 1,
        });
      }
    } catch (err) {
      // openDatabase checked the file; a read failing now is a disk trouble like any other.
      this.trouble(err);
    }
  }

  /** Opens (or creates) trust.db in `dataDir`; never throws for a bad or unwritable file. */
  static open(dataDir: string): TrustStore {
    return new TrustStore(openDatabase(join(dataDir, TRUST_DB_FILE), migrateTrustDatabase, 'trust'));
  }

  /** Over a database opened with migrateTrustDatabase (tests use it to make the disk fail). */
  static over(opened: OpenedDatabase): TrustStore {
    return new TrustStore(opened);
  }

  /**
   * Compares what a room's host presented with the pin. A match also records that the room was
   * seen now. Accepts Node's `AB:CD:…` spelling as well as Parley's.
   */
  check(roomId: string, fingerprint: string): TrustVerdict {
    const presented = canonical(fingerprint);
    const pin = this.pins.get(roomId);
    if (!pin) return { kind: 'new' };
    if (pin.fingerprint !== presented) return { kind: 'mismatch', pinned: pin.fingerprint, presented };
    this.pins.set(roomId, { ...pin, lastSeen: Date.now() });
    this.save(roomId);
    return { kind: 'trusted' };
  }

  /**
   * Trusts `fingerprint` for the room from now on: on first join (trust on first use), or
   * `verified`, because the user compared verification codes with the host. Re-pinning the same
   * one keeps its first-seen time, and a verified one stays verified.
   */
  pin(roomId: string, fingerprint: string, opts: { verified?: boolean } = {}): void {
    const normal = canonical(fingerprint);
    const now = Date.now();
    const old = this.pins.get(roomId);
    const same = old?.fingerprint === normal;
    const firstSeen = same ? old.firstSeen : now;
    const verified = opts.verified === true || (same && old.verified);
    this.pins.set(roomId, { roomId, fingerprint: normal, firstSeen, lastSeen: now, verified });
    this.save(roomId);
  }

  /** Whether the user compared the pinned certificate's code with the host. */
  verified(roomId: string): boolean {
    return this.pins.get(roomId)?.verified ?? false;
  }

  /** Forgets the room: its next certificate counts as first contact again. */
  forget(roomId: string): void {
    if (!this.pins.delete(roomId)) return;
    this.save(roomId);
  }

  /** The fingerprint trusted for the room; null when there is none. */
  pinned(roomId: string): string | null {
    return this.pins.get(roomId)?.fingerprint ?? null;
  }

  /** Every pin, the most recently seen first (for a settings page). */
  list(): Pin[] {
    return [...this.pins.values()].sort((a, b) => b.lastSeen - a.lastSeen);
  }

  /** Writes what it can and closes the file; the object is of no further use. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    try {
      this.db.close();
    } catch {
      // already unusable; nothing more to save
    }
  }

  private save(roomId: string): void {
    this.unsaved.add(roomId);
    this.flush();
  }

  /** Writes every unsaved change in one transaction; true when nothing is left unsaved. */
  private flush(): boolean {
    if (this.unsaved.size === 0 || this.closed) return this.unsaved.size === 0;
    try {
      inTransaction(this.db, () => {
        const upsert = this.db.prepare(
          `INSERT INTO pins (room_id, fingerprint, first_seen, last_seen, verified) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (room_id) DO UPDATE SET fingerprint = excluded.fingerprint,
             first_seen = excluded.first_seen, last_seen = excluded.last_seen,
             verified = excluded.verified`,
        );
        const remove = this.db.prepare('DELETE FROM pins WHERE room_id = ?');
        for (const roomId of this.unsaved) {
          const pin = this.pins.get(roomId);
          if (pin) upsert.run(pin.roomId, pin.fingerprint, pin.firstSeen, pin.lastSeen, pin.verified ? 1 : 0);
          else remove.run(roomId);
        }
      });
    } catch (err) {
      this.trouble(err);
      return false;
    }
    this.unsaved.clear();
    this.failing = false;
    return true;
  }

  private trouble(err: unknown): void {
    if (this.failing) return;
    this.failing = true;
    const reason = err instanceof Error ? err.message : String(err);
    this.onProblem?.({ kind: 'failing', file: 'trust', path: this.path, detail: reason });
  }
}

/** A fingerprint in Parley's form; anything else is a caller's bug, not outside data. */
function canonical(fingerprint: string): string {
  const normal = normalizeFingerprint(fingerprint);
  if (normal === null) throw new Error(`Not a SHA-256 fingerprint: ${JSON.stringify(fingerprint)}.`);
  return normal;
}

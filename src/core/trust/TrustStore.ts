import { join } from 'node:path';
import { normalizeFingerprint } from '../identity/fingerprint';
import type { StorageProblem } from '../../shared/storageProblem';
import { openDatabase, type OpenedDatabase } from '../store/openDatabase';
import { migrateTrustDatabase } from './schema';
import { SqliteFile } from '../store/SqliteFile';

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

  private readonly file: SqliteFile;
  private readonly pins = new Map<string, Pin>();
  /** Room ids whose row on disk differs from `pins` (a write failed). */
  private readonly unsaved = new Set<string>();

  private constructor(opened: OpenedDatabase) {
    // No retry timer: what the disk refused is tried again with the next change, and at close.
    this.file = new SqliteFile(opened, (problem) => this.onProblem?.(problem));
    this.inMemory = opened.inMemory;
    this.problem = opened.problem;
    // openDatabase checked the file; a read failing now is a disk trouble like any other.
    const rows = this.file.rows<PinRow>(
      'SELECT room_id, fingerprint, first_seen, last_seen, verified FROM pins',
    );
    for (const row of rows) {
      this.pins.set(row.room_id, {
        roomId: row.room_id,
        fingerprint: row.fingerprint,
        firstSeen: row.first_seen,
        lastSeen: row.last_seen,
        verified: row.verified === 1,
      });
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
   * How what a room's host presented stands against the pin; it writes nothing, so asking
   * about a room (checking an address, say) is not taken for having been in it. Accepts
   * Node's `AB:CD:…` spelling as well as Parley's.
   */
  verdict(roomId: string, fingerprint: string): TrustVerdict {
    const presented = canonical(fingerprint);
    const pin = this.pins.get(roomId);
    if (!pin) return { kind: 'new' };
    if (pin.fingerprint !== presented) return { kind: 'mismatch', pinned: pin.fingerprint, presented };
    return { kind: 'trusted' };
  }

  /**
   * Records that the room presented its pinned certificate just now (its `lastSeen`). Any other
   * certificate changes nothing: only pin() trusts a new one.
   */
  touch(roomId: string, fingerprint: string): void {
    const pin = this.pins.get(roomId);
    if (!pin || pin.fingerprint !== canonical(fingerprint)) return;
    this.pins.set(roomId, { ...pin, lastSeen: Date.now() });
    this.save(roomId);
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
    if (this.file.closed) return;
    this.flush();
    this.file.close();
  }

  private save(roomId: string): void {
    this.unsaved.add(roomId);
    this.flush();
  }

  /** Writes every unsaved change in one transaction; true when nothing is left unsaved. */
  private flush(): boolean {
    if (this.unsaved.size === 0) return true;
    const written = this.file.commit(() => {
      const upsert = this.file.stmt(
        `INSERT INTO pins (room_id, fingerprint, first_seen, last_seen, verified) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (room_id) DO UPDATE SET fingerprint = excluded.fingerprint,
           first_seen = excluded.first_seen, last_seen = excluded.last_seen,
           verified = excluded.verified`,
      );
      // Pins are only ever made or changed, never removed: forgetting a room keeps its pin, so
      // an impostor answering for it later is still told apart.
      for (const roomId of this.unsaved) {
        const pin = this.pins.get(roomId)!;
        upsert.run(pin.roomId, pin.fingerprint, pin.firstSeen, pin.lastSeen, pin.verified ? 1 : 0);
      }
    });
    if (written) this.unsaved.clear();
    return written;
  }
}

interface PinRow {
  room_id: string;
  fingerprint: string;
  first_seen: number;
  last_seen: number;
  verified: number;
}

/** A fingerprint in Parley's form; anything else is a caller's bug, not outside data. */
function canonical(fingerprint: string): string {
  const normal = normalizeFingerprint(fingerprint);
  if (normal === null) throw new Error(`Not a SHA-256 fingerprint: ${JSON.stringify(fingerprint)}.`);
  return normal;
}

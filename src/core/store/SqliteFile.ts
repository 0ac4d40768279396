import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import type { StorageFile, StorageProblem } from '../../shared/storageProblem';
import type { OpenedDatabase } from './openDatabase';
import { RetryTimer, type RetryPolicy } from './RetryTimer';
import { inTransaction } from './transaction';

/**
 * The write-behind skeleton of Parley's SQLite stores (member.db, host.db, trust.db): what the
 * disk refuses stays with the store, is reported once per spell of trouble and is tried again,
 * and nothing here throws into the store's callers because of the disk, except stmt() (below).
 *
 * Each store holds one rather than extending it: what it keeps unsaved, and when it has all been
 * written, differs from store to store, and held this way stmt(), read() and trouble() stay
 * out of the stores' own API, where a base class would have put them (protected) in every one.
 */
export class SqliteFile {
  /** Set when the file could not be used as it was (kept aside, or in memory only). */
  readonly problem: StorageProblem | null;
  /** True when nothing will survive a restart (the data folder cannot be written). */
  readonly inMemory: boolean;

  private readonly db: DatabaseSync;
  private readonly path: string;
  private readonly file: StorageFile;
  private readonly statements = new Map<string, StatementSync>();
  private readonly retry: RetryTimer | null;
  private _failing = false;
  private _closed = false;

  /**
   * `report` hears of the first failure of each spell of trouble; `retry`, when given, is run
   * on a timer after every failure until recovered() (without one, the store retries itself).
   */
  constructor(
    opened: OpenedDatabase,
    private readonly report: (problem: StorageProblem) => void,
    retry?: RetryPolicy,
  ) {
    this.db = opened.db;
    this.path = opened.path;
    this.file = opened.file;
    this.problem = opened.problem;
    this.inMemory = opened.inMemory;
    this.retry = retry ? new RetryTimer(retry) : null;
  }

  /** Whether the disk refused something since the last recovered(). */
  get failing(): boolean {
    return this._failing;
  }

  /** Whether close() was called: nothing reaches the disk any more. */
  get closed(): boolean {
    return this._closed;
  }

  /**
   * A prepared statement, prepared once per text. It throws (a closed file, or SQL that does
   * not prepare) for the store to decide: some reads are worth no report (see HostDatabase).
   */
  stmt(sql: string): StatementSync {
    if (this._closed) throw new Error(`The ${this.file} database is closed.`);
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** A read that cannot fail the caller: on trouble (reported), what is in memory is all there is. */
  read<T>(query: () => T, fallback: T): T {
    if (this._closed) return fallback;
    try {
      return query();
    } catch (err) {
      this.trouble(err);
      return fallback;
    }
  }

  /** The rows `sql` selects; none when the disk fails (see read()). */
  rows<Row>(sql: string, ...params: SQLInputValue[]): Row[] {
    return this.read(() => this.stmt(sql).all(...params) as unknown as Row[], []);
  }

  /** The first row `sql` selects; undefined when there is none, or when the disk fails (see read()). */
  row<Row>(sql: string, ...params: SQLInputValue[]): Row | undefined {
    return this.read(() => this.stmt(sql).get(...params) as Row | undefined, undefined);
  }

  /** Runs `fn` in one transaction, rethrowing what fails; the caller decides what that means. */
  transaction<T>(fn: () => T): T {
    return inTransaction(this.db, fn);
  }

  /**
   * Writes `fn`'s changes in one transaction; true when they were committed, which ends the
   * spell of trouble. A failure is reported and retried, and false comes back.
   */
  commit(fn: () => void): boolean {
    if (this._closed) return false;
    try {
      inTransaction(this.db, fn);
    } catch (err) {
      this.trouble(err);
      return false;
    }
    this.recovered();
    return true;
  }

  /** The disk refused something: tells `report` if this starts a spell, and arms the retry. */
  trouble(err: unknown): void {
    if (this._closed) return;
    if (!this._failing) {
      this._failing = true;
      const detail = err instanceof Error ? err.message : String(err);
      this.report({ kind: 'failing', file: this.file, path: this.path, detail });
    }
    this.retry?.schedule();
  }

  /** Nothing is waiting for the disk any more: the next failure is a new spell, reported again. */
  recovered(): void {
    this._failing = false;
    this.retry?.cancel();
  }

  /** Closes the file; the store writes what it can first. Safe to call more than once. */
  close(): void {
    if (this._closed) return;
    // Also a retry armed by the store's last flush: it would find the file closed.
    this.retry?.cancel();
    this._closed = true;
    this.statements.clear();
    try {
      this.db.close();
    } catch {
      // already unusable; nothing more to save
    }
  }
}

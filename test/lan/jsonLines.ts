/**
 * Reading child processes that print one JSON object per line on stdout (the LAN fixtures and
 * agents). Lines are recorded from the moment the reader is attached (Lan.spawn attaches at
 * once), so a line printed before anyone waits for it is not lost.
 */
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export type Line = Record<string, unknown>;

export interface JsonLines {
  /** Every JSON object the child printed so far, in order. */
  readonly all: readonly Line[];
  /**
   * The first line after the last one `next` matched that satisfies `predicate`. Rejects on
   * timeout or when the child exits first, with the child's stderr in the message.
   */
  next<T extends Line = Line>(predicate: (line: T) => boolean, timeoutMs: number, what?: string): Promise<T>;
  /** The tail of what the child wrote to stderr. */
  stderr(): string;
}

const MAX_STDERR = 16 * 1024;
const readers = new WeakMap<ChildProcess, JsonLines>();

/** The (single, cached) JSON-lines reader of a child; attach it right after spawning. */
export function jsonLines(child: ChildProcess): JsonLines {
  const existing = readers.get(child);
  if (existing) return existing;

  const all: Line[] = [];
  let cursor = 0;
  let stderr = '';
  let closed: string | null = null;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of [...waiters]) w();
  };

  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-MAX_STDERR);
  });
  if (child.stdout) {
    createInterface({ input: child.stdout }).on('line', (text) => {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return; // not a JSON line (a log message): ignored
      }
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        all.push(value as Line);
        wake();
      }
    });
  }
  // 'close' comes after stdout has ended, so every line is in `all` by then.
  child.once('close', (code, signal) => {
    closed = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    wake();
  });

  const reader: JsonLines = {
    all,
    stderr: () => stderr,
    next<T extends Line>(predicate: (line: T) => boolean, timeoutMs: number, what = 'the expected line') {
      return new Promise<T>((resolve, reject) => {
        let scanned = cursor;
        const check = () => {
          for (; scanned < all.length; scanned++) {
            const line = all[scanned] as T;
            let ok: boolean;
            try {
              ok = predicate(line);
            } catch {
              ok = false;
            }
            if (ok) {
              cursor = Math.max(cursor, scanned + 1);
              done();
              resolve(line);
              return;
            }
          }
          if (closed !== null) {
            done();
            reject(new Error(`Child ${child.pid} ${closed} before ${what}.${tail(stderr)}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`No ${what} from child ${child.pid} within ${timeoutMs} ms.${tail(stderr)}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
  readers.set(child, reader);
  return reader;
}

/** Waits for the child's next JSON line that satisfies `predicate` (see JsonLines.next). */
export function waitForLine<T extends Line = Line>(
  child: ChildProcess,
  predicate: (line: T) => boolean,
  timeoutMs: number,
  what?: string,
): Promise<T> {
  return jsonLines(child).next(predicate, timeoutMs, what);
}

/** Every JSON line the child prints from now on (and any not yet consumed), until it exits. */
export async function* lines(child: ChildProcess): AsyncGenerator<Line> {
  const reader = jsonLines(child);
  for (;;) {
    try {
      yield await reader.next(() => true, 2 ** 31 - 1, 'another line');
    } catch {
      return;
    }
  }
}

function tail(stderr: string): string {
  const text = stderr.trim();
  return text ? `\nstderr:\n${text.slice(-4000)}` : ' (nothing on stderr)';
}

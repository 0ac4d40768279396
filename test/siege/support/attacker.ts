/**
 * What every attack script shares: its target from the command line (Siege.targetArgs), one
 * JSON line per event on stdout, and a bounded life: it stops at `--max-ms` or on SIGTERM,
 * whichever comes first, printing its `done` figures exactly once.
 */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';

/** The room under attack, as Siege.targetArgs passes it. */
export interface Target {
  host: string;
  host6: string;
  port: number;
  fingerprint: string;
  room: string;
  /** The longest this attack may run, ms. */
  maxMs: number;
}

const TARGET = {
  host: { type: 'string' },
  host6: { type: 'string' },
  port: { type: 'string' },
  fingerprint: { type: 'string' },
  room: { type: 'string' },
  'max-ms': { type: 'string', default: '60000' },
} as const satisfies ParseArgsOptionsConfig;

/** Parses the target and the attack's own options (all strings, by name). */
export function attackArgs(own: ParseArgsOptionsConfig): {
  target: Target;
  values: Record<string, string | undefined>;
} {
  const values = parseArgs({ options: { ...TARGET, ...own }, strict: true }).values as Record<
    string,
    string | undefined
  >;
  const target: Target = {
    host: values.host as string,
    host6: values.host6 as string,
    port: Number(values.port),
    fingerprint: values.fingerprint as string,
    room: values.room as string,
    maxMs: Number(values['max-ms']),
  };
  return { target, values };
}

/**
 * Prints one JSON line. U+2028 and U+2029 are escaped: JSON allows them raw, but Node's
 * readline (the siege's reader) takes them for line ends.
 */
export function emit(event: string, figures: Record<string, unknown> = {}): void {
  const json = JSON.stringify({ event, ...figures })
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  process.stdout.write(json + '\n');
}

/**
 * Calls `figures` once, when the attack must end (SIGTERM, or `maxMs` passed), prints them as
 * the `done` line and exits. Returns a function that ends it now (the attack ran its course).
 */
export function boundedLife(
  maxMs: number,
  figures: () => Record<string, unknown> | Promise<Record<string, unknown>>,
): () => void {
  let ending = false;
  const end = () => {
    if (ending) return;
    ending = true;
    void Promise.resolve(figures()).then((f) => {
      emit('done', f);
      process.exit(0);
    });
  };
  setTimeout(end, maxMs).unref();
  // Keeps the process alive until the end even when the attack holds nothing that would.
  const keepAlive = setInterval(() => {}, 1 << 30);
  process.once('SIGTERM', () => {
    clearInterval(keepAlive);
    end();
  });
  return end;
}

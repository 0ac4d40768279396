import type { ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * With PARLEY_TEST_LOGS=DIR, everything a test's child process prints is kept in DIR (one file
 * per process), so a failure on a CI machine can be read afterwards.
 */
export function keepLog(child: ChildProcess, name: string): void {
  const dir = process.env.PARLEY_TEST_LOGS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-${child.pid}.log`);
  const write = (stream: string) => (chunk: Buffer) =>
    appendFileSync(file, `[${new Date().toISOString()} ${stream}] ${chunk.toString()}`);
  child.stdout?.on('data', write('out'));
  child.stderr?.on('data', write('err'));
}

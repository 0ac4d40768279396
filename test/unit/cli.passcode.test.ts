import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it, onTestFinished } from 'vitest';
import { tempDir } from './support/host';

const CLI = resolve(import.meta.dirname, '../../src/cli/host.ts');

/**
 * Runs the headless host without mDNS and returns everything it printed (stdout and stderr)
 * up to the line saying how members join, then stops it.
 */
async function printedBy(args: string[]): Promise<string> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CLI, '--name', 'Passcodes', '--no-advertise', '--data', tempDir(), ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  onTestFinished(() => void child.kill('SIGKILL'));
  let printed = '';
  child.stderr.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  await new Promise<void>((done, fail) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      printed += `${line}\n`;
      if (line.startsWith('  verification code')) done();
    });
    child.once('exit', (code) => fail(new Error(`the host exited with ${code}:\n${printed}`)));
  });
  child.kill('SIGTERM');
  return printed;
}

describe('npm run host passcodes', () => {
  it('warns that a short passcode can be guessed offline, and says what to do instead', async () => {
    const printed = await printedBy(['--passcode', '1234']);
    expect(printed).toContain('warning: this passcode is shorter than 10 characters');
    expect(printed).toContain('offline');
    expect(printed).toContain('--passcode generate');
    expect(printed).toContain('members need the passcode to join\n');
  });

  it('makes a strong passcode with --passcode generate and prints it, with no warning', async () => {
    const printed = await printedBy(['--passcode', 'generate']);
    expect(printed).toMatch(/members need the passcode to join: [a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}\n/);
    expect(printed).not.toContain('warning');
  });
});

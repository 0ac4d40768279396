import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { jsonLines, lines, waitForLine } from './jsonLines';

const node = (script: string) => {
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'pipe'] });
  jsonLines(child);
  return child;
};

describe('the JSON-lines helper for fixture processes', () => {
  it('finds lines in order, including ones printed before anyone waited, and skips other output', async () => {
    const child = node(
      `console.log('plain log'); console.log('{"event":"a","n":1}'); console.log('{"event":"a","n":2}')`,
    );
    await new Promise((r) => child.once('close', r));
    expect(await waitForLine(child, (l) => l.event === 'a', 1000)).toEqual({ event: 'a', n: 1 });
    expect(await waitForLine(child, (l) => l.event === 'a', 1000)).toEqual({ event: 'a', n: 2 });
    expect(jsonLines(child).all).toHaveLength(2);
  });

  it("rejects with the child's stderr when the child exits before the line comes", async () => {
    const child = node(`console.error('boom: no room'); process.exit(3)`);
    await expect(waitForLine(child, (l) => l.event === 'never', 5000, 'the never line')).rejects.toThrow(
      /exited with code 3 before the never line[\s\S]*boom: no room/,
    );
  });

  it('rejects on timeout, naming what it waited for', async () => {
    const child = node(`setTimeout(() => {}, 5000)`);
    await expect(waitForLine(child, () => true, 100, 'a greeting')).rejects.toThrow(
      /No a greeting from child \d+ within 100 ms/,
    );
    child.kill('SIGKILL');
  });

  it('iterates every line until the child exits', async () => {
    const child = node(`for (let i = 0; i < 3; i++) console.log(JSON.stringify({ i }))`);
    const seen: unknown[] = [];
    for await (const line of lines(child)) seen.push(line.i);
    expect(seen).toEqual([0, 1, 2]);
  });
});

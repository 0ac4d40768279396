/**
 * The headless host as installed on its own: the one-file bundle (scripts/build-host.mjs), copied
 * where no node_modules and no tsx exist, run by plain Node, joined by an app, and stopped by a
 * service manager's SIGTERM with a goodbye.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { makeApp, send, waitOnline, type AddressCheck } from './support/apps';

const ROOT = resolve(import.meta.dirname, '../..');
let dir: string;
let bundle: string;

beforeAll(() => {
  // Outside the repository: nothing it needs may come from our node_modules.
  dir = mkdtempSync(join(tmpdir(), 'parley-host-bundle-'));
  bundle = join(dir, 'parley-host.mjs');
  const built = spawnSync(process.execPath, [join(ROOT, 'scripts/build-host.mjs'), bundle], {
    encoding: 'utf8',
  });
  if (built.status !== 0) throw new Error(`build-host failed:\n${built.stdout}\n${built.stderr}`);
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the bundled parley-host', () => {
  it('imports nothing but Node’s own modules', () => {
    const source = readFileSync(bundle, 'utf8');
    const imported = [...source.matchAll(/^import .* from ["']([^"']+)["'];?$/gm)].map((m) => m[1]);
    expect(imported.length).toBeGreaterThan(0);
    expect(imported.filter((name) => !name!.startsWith('node:') && !/^[a-z_]+$/.test(name!))).toEqual([]);
    expect(source).not.toMatch(/from ["']tsx/);
  });

  it('runs on plain Node from any folder, takes a member, and says goodbye on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [
        bundle,
        '--name',
        'Desk',
        '--port',
        '0',
        '--bind',
        '127.0.0.1',
        '--no-advertise',
        '--data',
        join(dir, 'data'),
      ],
      { cwd: dir, env: { PATH: process.env.PATH, PARLEY_HOST_PASSCODE: 'blue whale kitchen sink' } },
    );
    onTestFinished(() => void child.kill('SIGKILL'));
    let printed = '';
    child.stderr.on('data', (d: Buffer) => (printed += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    await new Promise<void>((done, fail) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        printed += `${line}\n`;
        if (line.includes('members need the passcode')) done();
      });
      void exited.then((code) => fail(new Error(`the host exited with ${code}:\n${printed}`)));
    });
    const port = Number(/listening on wss:\/\/127\.0\.0\.1:(\d+)/.exec(printed)![1]);
    // The passcode came from the environment: it is never printed.
    expect(printed).not.toContain('whale');

    const app = makeApp('Member');
    const address = `127.0.0.1:${port}`;
    const seen = await send<AddressCheck & { room: { passcode?: boolean } }>(app, 'room:check-address', {
      address,
    });
    expect(seen.room).toMatchObject({ name: 'Desk', passcode: true });
    expect(printed).toContain(seen.code);
    await send(app, 'room:join-address', {
      address,
      fingerprint: seen.fingerprint,
      passcode: 'blue whale kitchen sink',
    });
    await waitOnline(app, seen.room.id);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(printed).toContain('saying goodbye');
  });
});

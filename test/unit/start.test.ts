import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const ELECTRON = join(ROOT, 'node_modules', 'electron');
// Where Electron's binary is already installed, npm start would open the app instead.
const installed = existsSync(join(ELECTRON, 'path.txt'));

/** A mirror on loopback that has no Electron to give (the download must never leave the machine). */
async function emptyMirror(): Promise<{ server: Server; url: string; asked: string[] }> {
  const asked: string[] = [];
  const server = createServer((req, res) => {
    asked.push(req.url ?? '');
    res.writeHead(404).end();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, asked };
}

function npmStart(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(ROOT, 'scripts', 'start.mjs')], { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

describe('npm start on a machine that cannot download Electron', () => {
  it.skipIf(installed)(
    'says in one sentence that the download failed and how to retry, exits 1 and leaves nothing half installed',
    async () => {
      const mirror = await emptyMirror();
      cleanups.push(() => mirror.server.close());
      const cache = mkdtempSync(join(tmpdir(), 'parley-electron-cache-'));
      cleanups.push(() => rmSync(cache, { recursive: true, force: true }));

      const result = await npmStart({
        ...process.env,
        // Both spellings: npm passes .npmrc settings as npm_config_*, which @electron/get reads first.
        ELECTRON_MIRROR: mirror.url,
        npm_config_electron_mirror: mirror.url,
        electron_config_cache: cache,
        force_no_cache: 'true',
      });

      expect(result.code).toBe(1);
      expect(mirror.asked.some((url) => /electron-v[\d.]+-\w+-\w+\.zip$/.test(url))).toBe(true);
      const said = result.stderr.trim().split('\n');
      expect(said).toHaveLength(1);
      expect(said[0]).toMatch(
        /^Parley could not start: downloading Electron from 127\.0\.0\.1:\d+ failed \(.*404.*\)\. /,
      );
      expect(said[0]).toContain('run npm start again');
      expect(existsSync(join(ELECTRON, 'path.txt'))).toBe(false);
      expect(existsSync(join(ELECTRON, 'dist'))).toBe(false);
    },
    60_000,
  );
});

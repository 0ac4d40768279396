import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../../..');

/**
 * Builds the app's bundles fresh (electron-vite, ~2 s) into a private folder, so a test never
 * reads a stale out/ nor races an e2e build writing it. Inside the repository
 * (node_modules/.cache), so the bundles' bare imports (zod, ws) resolve. The caller removes it.
 */
export function buildBundles(prefix: string): string {
  const cache = join(ROOT, 'node_modules/.cache');
  mkdirSync(cache, { recursive: true });
  const outDir = mkdtempSync(join(cache, prefix));
  const build = spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'),
      'build',
      '--outDir',
      outDir,
      '--logLevel',
      'error',
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (build.status !== 0) throw new Error(`electron-vite build failed:\n${build.stdout}\n${build.stderr}`);
  return outDir;
}

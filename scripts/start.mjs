#!/usr/bin/env node
/**
 * `npm start`: makes sure Electron's binary is here, then builds and opens the app.
 *
 * Electron 42 and later download their binary on first use instead of on install, and
 * electron-vite 6 reads node_modules/electron/path.txt itself instead of triggering that
 * download (it fails with "Electron uninstall", electron-vite issue #904). So this runs
 * Electron's own installer first: a no-op once the binary is there, a download from GitHub
 * (or ELECTRON_MIRROR) the first time. `npm ci` stays free of downloads.
 *
 * When the download fails (no internet, a proxy, a mirror that does not answer) it says so in
 * one sentence with the reason and how to retry, exits 1, and leaves nothing half extracted.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const electronDir = dirname(require.resolve('electron/package.json'));
const electronVite = join(dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');

const install = spawnSync(process.execPath, [join(electronDir, 'install.js')], {
  stdio: ['ignore', 'inherit', 'pipe'],
  encoding: 'utf8',
});
if (install.status !== 0) {
  // The installer writes path.txt only once the binary is extracted: without it, whatever is
  // in dist/ is a broken extraction that would make the next attempt think it is done.
  if (!existsSync(join(electronDir, 'path.txt')))
    rmSync(join(electronDir, 'dist'), { recursive: true, force: true });
  console.error(
    `Parley could not start: downloading Electron from ${sourceHost()} failed (${reasonOf(install)}). ` +
      'Check the internet connection, or set ELECTRON_MIRROR to a mirror you can reach, and run npm start again.',
  );
  process.exit(1);
}

// Built as `npm run build` builds (bundles, then the icons drawn from resources/icon.svg), then opened.
const build = spawnSync(process.execPath, [electronVite, 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const icons = spawnSync(process.execPath, [join(import.meta.dirname, 'icons.mjs')], { stdio: 'inherit' });
if (icons.status !== 0) process.exit(icons.status ?? 1);
const preview = spawnSync(process.execPath, [electronVite, 'preview', '--skipBuild'], { stdio: 'inherit' });
process.exit(preview.status ?? 1);

/** Where @electron/get downloads from: a mirror if one is set (its own order of settings), else GitHub. */
function sourceHost() {
  const env = process.env;
  const mirror = env.npm_config_electron_mirror ?? env.NPM_CONFIG_ELECTRON_MIRROR ?? env.ELECTRON_MIRROR;
  try {
    return new URL(mirror ?? 'https://github.com/').host;
  } catch {
    return mirror;
  }
}

/** The first line of what the installer printed (its error's message, not its stack). */
function reasonOf(result) {
  if (result.error) return result.error.message;
  const line = (result.stderr ?? '')
    .split('\n')
    .map((text) => text.trim())
    .find((text) => text.length > 0 && !text.startsWith('at '));
  // Node's fetch says only this when no connection could be made (its cause is not printed).
  if (line === 'TypeError: fetch failed') return 'no connection';
  return line ?? `the installer exited with ${result.status ?? result.signal}`;
}

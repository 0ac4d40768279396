/**
 * What only the installers' workflow can build (AppImage, deb, rpm, NSIS, dmg: their tools come
 * from GitHub) stands on what can be checked here: electron-builder's own validation of the
 * config, and the unpacked app (`--linux dir`) packed against a stand-in Electron
 * (`electronDist`): a file carrying Electron's fuse wire, so the fuses are flipped for real.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** A report read back as JSON: its shape is what the assertions check. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const ROOT = resolve(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);
const config = JSON.parse(readFileSync(join(ROOT, 'electron-builder.json'), 'utf8')) as Json;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  main: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

describe('the installers’ config', () => {
  // An internal path of app-builder-lib (pinned in package.json): the builder's own schema check.
  const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
    validateConfiguration(cfg: unknown, debug: { isEnabled: boolean; add(): void }): Promise<void>;
  };
  const check = (cfg: unknown) => validateConfiguration(cfg, { isEnabled: false, add() {} });

  it('passes electron-builder’s validation, and a stray key would not', async () => {
    await expect(check(config)).resolves.toBeUndefined();
    await expect(check({ ...config, _comment: 'x' })).rejects.toThrow(/unknown property '_comment'/);
  });

  it('builds every installer the project ships, registers parley: links and names files with the version', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb', 'rpm']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg', 'zip']);
    expect(config.protocols).toEqual([{ name: 'Parley invite link', schemes: ['parley'] }]);
    expect(config.linux.mimeTypes).toContain('x-scheme-handler/parley');
    expect(config.artifactName).toContain('${version}');
  });
});

describe.skipIf(process.platform !== 'linux')('the unpacked app, packed against a stand-in Electron', () => {
  let work: string;
  let appDir: string;
  let files: string[];

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'parley-package-'));
    // What the app is built from, as `npm run build` makes it (bundles, then icons).
    for (const step of [
      [join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--logLevel', 'error'],
      [join(ROOT, 'scripts/icons.mjs')],
    ]) {
      const run = spawnSync(process.execPath, step, { cwd: ROOT, encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`${step.join(' ')} failed:\n${run.stdout}\n${run.stderr}`);
    }
    const { SENTINEL } = require('@electron/fuses/dist/constants.js') as { SENTINEL: string };
    const dist = join(work, 'electron-dist');
    mkdirSync(join(dist, 'resources'), { recursive: true });
    // Electron's fuse wire as a real binary carries it: sentinel, version 1, 8 fuses, defaults.
    const wire = Buffer.concat([Buffer.from(SENTINEL), Buffer.from([1, 8]), Buffer.from('10110001')]);
    writeFileSync(join(dist, 'electron'), Buffer.concat([Buffer.from('#!/bin/sh\n'), wire]), { mode: 0o755 });
    writeFileSync(join(dist, 'LICENSE'), 'stand-in');
    const output = join(work, 'dist');
    const run = spawnSync(
      process.execPath,
      [
        join(ROOT, 'node_modules/electron-builder/cli.js'),
        '--linux',
        'dir',
        '--config',
        'electron-builder.json',
        `-c.electronDist=${dist}`,
        `-c.directories.output=${output}`,
      ],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CSC_IDENTITY_AUTO_DISCOVERY: 'false' } },
    );
    if (run.status !== 0) throw new Error(`electron-builder failed:\n${run.stdout}\n${run.stderr}`);
    appDir = join(output, 'linux-unpacked');
    const asar = require('@electron/asar') as { listPackage(file: string): string[] };
    files = asar.listPackage(join(appDir, 'resources/app.asar')).map((f) => f.replaceAll('\\', '/'));
    const size = statSync(join(appDir, 'resources/app.asar')).size;
    console.log(`app.asar: ${(size / 1024 / 1024).toFixed(1)} MiB, ${files.length} entries`);
  }, 180_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('holds the built out/ files, the icons and package.json, whose main resolves inside it', () => {
    for (const file of [
      '/out/main/index.js',
      '/out/preload/index.cjs',
      '/out/renderer/index.html',
      '/out/icons/tray.png',
      '/out/icons/window.png',
      '/package.json',
    ]) {
      expect(files, file).toContain(file);
    }
    expect(files).toContain(`/${pkg.main.replace(/^\.\//, '')}`);
    expect(existsSync(join(appDir, 'parley'))).toBe(true);
  });

  it('carries production dependencies only: no dev tools, tests, sources or source maps', () => {
    const modules = new Set(
      files
        .filter((f) => f.startsWith('/node_modules/'))
        .map((f) =>
          f
            .split('/')
            .slice(2, f.split('/')[2]!.startsWith('@') ? 4 : 3)
            .join('/'),
        ),
    );
    for (const dep of Object.keys(pkg.dependencies)) expect(modules, dep).toContain(dep);
    for (const dev of Object.keys(pkg.devDependencies)) expect(modules.has(dev), dev).toBe(false);
    expect(files.filter((f) => /^\/(src|test|e2e|bench|scripts|docs)\//.test(f))).toEqual([]);
    expect(files.filter((f) => f.startsWith('/out/') && f.endsWith('.map'))).toEqual([]);
  });

  it('flips the Electron fuses: no running as Node, no inspector or NODE_OPTIONS, the app only from its checked asar', async () => {
    const { getCurrentFuseWire, FuseV1Options } =
      require('@electron/fuses') as typeof import('@electron/fuses');
    const wire = await getCurrentFuseWire(join(appDir, 'parley'));
    const on = (fuse: number) => (wire as unknown as Record<number, number>)[fuse] === 49;
    expect(on(FuseV1Options.RunAsNode)).toBe(false);
    expect(on(FuseV1Options.EnableNodeOptionsEnvironmentVariable)).toBe(false);
    expect(on(FuseV1Options.EnableNodeCliInspectArguments)).toBe(false);
    expect(on(FuseV1Options.EnableEmbeddedAsarIntegrityValidation)).toBe(true);
    expect(on(FuseV1Options.OnlyLoadAppFromAsar)).toBe(true);
    expect(on(FuseV1Options.EnableCookieEncryption)).toBe(true);
    expect(on(FuseV1Options.GrantFileProtocolExtraPrivileges)).toBe(false);
  });
});

describe('the GitHub Actions workflow', () => {
  const yaml = require('js-yaml') as { load(text: string): unknown };
  const workflow = yaml.load(readFileSync(join(ROOT, '.github/workflows/ci.yml'), 'utf8')) as Json;
  const runs = (job: string) =>
    (workflow.jobs[job].steps as { run?: string }[]).map((step) => step.run ?? '').join('\n');

  it('runs npm test on Ubuntu on every push, the real Electron app under a virtual display', () => {
    expect(workflow.on.push.branches).toEqual(['**']);
    expect(workflow.jobs.test['runs-on']).toMatch(/^ubuntu/);
    expect(runs('test')).toContain('node node_modules/electron/install.js');
    expect(runs('test')).toMatch(/xvfb-run .*npm test/);
  });

  it('builds the installers on Linux, Windows and macOS, and publishes them on a version tag', () => {
    expect(workflow.jobs.packages.strategy.matrix.os).toEqual([
      'ubuntu-24.04',
      'windows-latest',
      'macos-latest',
    ]);
    expect(runs('packages')).toContain('electron-builder --publish never');
    expect(workflow.on.push.tags).toEqual(['v*']);
    expect(workflow.jobs.release.if).toContain("startsWith(github.ref, 'refs/tags/v')");
  });
});

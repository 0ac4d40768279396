#!/usr/bin/env node
/**
 * npm run lint:electron — Doyensec's Electronegativity over the BUILT app, offline.
 *
 * Builds the app fresh into a scratch folder (or copies --input <dir>, e.g. out/), scans it, and
 * fails when any finding is not listed in .electronegativity.json with a reason (and, for a
 * HIGH one, the test that proves it wrong), or when a file could not be parsed. Every accepted
 * finding is explained in docs/SECURITY.md.
 *
 * Offline on purpose: Electronegativity fetches translations and Electron's release list from
 * the internet with `got`; here `got` is replaced by a stub that fails at once, and the release
 * check (AVAILABLE_SECURITY_FIXES_GLOBAL_CHECK) is excluded in the config.
 *
 *   node scripts/electronegativity.mjs [--input out]
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const { values: args } = parseArgs({ options: { input: { type: 'string' } } });
const config = JSON.parse(readFileSync(join(ROOT, '.electronegativity.json'), 'utf8'));

// No network: `got` is the only HTTP client Electronegativity uses.
const Module = require('node:module');
const offline = () => Promise.reject(new Error('offline: lint:electron makes no network requests'));
offline.head = offline;
offline.get = offline;
const load = Module._load;
Module._load = function (request, ...rest) {
  return request === 'got' ? offline : load.call(this, request, ...rest);
};

// Not under node_modules: Electronegativity skips every path that contains it.
const scanDir = mkdtempSync(join(tmpdir(), 'parley-electronegativity-'));
// Electronegativity calls process.exit() itself on some errors; clean up even then.
process.on('exit', () => rmSync(scanDir, { recursive: true, force: true }));
let failed = false;
try {
  if (args.input) {
    cpSync(resolve(args.input), scanDir, { recursive: true });
  } else {
    const build = spawnSync(
      process.execPath,
      [
        join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'),
        'build',
        '--outDir',
        scanDir,
        '--logLevel',
        'error',
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    if (build.status !== 0) throw new Error(`electron-vite build failed:\n${build.stdout}\n${build.stderr}`);
  }
  // Electronegativity reads .js/.html only: give the CommonJS preload a .js twin so it is scanned.
  for (const file of walk(scanDir)) {
    if (/\.[cm]js$/.test(file)) cpSync(file, `${file}.js`);
  }
  for (const required of ['main/index.js', 'preload/index.cjs.js', 'renderer/index.html']) {
    if (!existsSync(join(scanDir, required))) throw new Error(`nothing to scan at ${required}`);
  }

  const run = require('@doyensec/electronegativity');
  const electronVersion = JSON.parse(
    readFileSync(join(ROOT, 'node_modules/electron/package.json'), 'utf8'),
  ).version;
  const log = console.log;
  console.log = () => {}; // "Could not retrieve updated translations": expected, offline
  let result;
  try {
    result = await run({
      input: scanDir,
      isSarif: false,
      customScan: [],
      excludeFromScan: config.excludeChecks.map((c) => c.check),
      isRelative: true,
      isVerbose: true,
      electronVersionOverride: electronVersion,
      parserPlugins: [],
    });
  } finally {
    console.log = log;
  }

  // A file the parser cannot read is not scanned at all: fail, unless the config says why.
  const glob = (pattern) =>
    new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
  for (const e of result.errors.filter((error) => !error.tolerable)) {
    const file = relative(scanDir, e.file);
    const known = config.unscannable.find((u) => glob(u.file).test(file));
    if (known) {
      console.log(`  not scanned: ${file} (${e.message}): ${known.reason}`);
    } else {
      failed = true;
      console.error(`  NOT SCANNED: ${file}: ${e.message}`);
    }
  }

  const matches = (issue, entry) =>
    entry.check === issue.id &&
    entry.severity === issue.severity.name &&
    (entry.file === undefined || entry.file === issue.file) &&
    (issue.sample ?? '').trim() === entry.sample;
  const used = new Set();
  console.log(
    `Electronegativity ${require('@doyensec/electronegativity/package.json').version} on the build ` +
      `(Electron ${electronVersion}): ${result.atomicChecks} atomic + ${result.globalChecks} global checks`,
  );
  for (const issue of result.issues) {
    const where = `${issue.file}:${issue.location.line}:${issue.location.column}`;
    const entry = config.accepted.find((e) => matches(issue, e));
    if (entry && (issue.severity.name !== 'HIGH' || entry.verifiedBy)) {
      used.add(entry);
      console.log(`  accepted ${issue.severity.name.padEnd(6)} ${issue.id} at ${where}: ${entry.reason}`);
    } else {
      failed = true;
      console.error(
        `  NEW      ${issue.severity.name.padEnd(6)} ${issue.id} at ${where} (${issue.confidence.name})\n` +
          `           ${issue.description}\n           ${issue.sample ?? ''}\n` +
          `           Fix it, or accept it in .electronegativity.json and docs/SECURITY.md with the reason.`,
      );
    }
  }
  for (const entry of config.accepted) {
    if (!used.has(entry))
      console.log(`  (no longer found: ${entry.check} in ${entry.file ?? 'any file'}; remove the entry)`);
  }
  console.log(failed ? 'lint:electron: FAILED' : 'lint:electron: no unreviewed findings');
} catch (err) {
  failed = true;
  console.error(err instanceof Error ? err.message : err);
}
process.exit(failed ? 1 : 0);

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}

#!/usr/bin/env node
/**
 * Bundles the headless host (src/cli/host.ts) into one file, out/host/parley-host.mjs, that runs
 * on plain Node >= 22.13 with nothing else installed: every dependency is inside it, no tsx, no
 * node_modules. esbuild does the bundling (the job it is made for); Node's own modules, node:sqlite
 * among them, stay imports.
 */
import { chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// `node scripts/build-host.mjs [outfile]`: out/host/parley-host.mjs unless told otherwise.
const outfile = process.argv[2] ?? join(root, 'out/host/parley-host.mjs');
await build({
  entryPoints: [join(root, 'src/cli/host.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22.13',
  legalComments: 'none',
  // Some bundled CommonJS packages call require() for Node's modules: give ESM one.
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as parleyCreateRequire } from 'node:module';\nconst require = parleyCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
chmodSync(outfile, 0o755);
console.log(`parley-host: ${outfile}`);

import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import svelteConfig from './svelte.config.js';

const noElectron = {
  paths: [
    { name: 'electron', message: 'Only src/main and src/preload may import electron (see DESIGN.md).' },
  ],
  patterns: [{ group: ['electron/*'], message: 'Only src/main and src/preload may import electron.' }],
};
const noNode = {
  patterns: [
    { group: ['node:*'], message: 'This layer is runtime-agnostic: no node: imports.' },
    {
      group: ['fs', 'path', 'os', 'net', 'http', 'child_process', 'crypto', 'events'],
      message: 'This layer is runtime-agnostic: no Node built-ins.',
    },
  ],
};

/**
 * Which layer may import which (DESIGN.md), checked on resolved files, not on how the import
 * is spelled: the renderer never reaches into the core or the shell, the core never into the
 * shell or the window, shared into nothing of ours. `import type` counts too: a type from the
 * wrong layer drags its module's assumptions along.
 */
const LAYERS = {
  'src/shared': ['src/core', 'src/cli', 'src/main', 'src/preload', 'src/renderer'],
  'src/core': ['src/cli', 'src/main', 'src/preload', 'src/renderer'],
  'src/cli': ['src/main', 'src/preload', 'src/renderer'],
  'src/main': ['src/cli', 'src/preload', 'src/renderer'],
  'src/preload': ['src/core', 'src/cli', 'src/main', 'src/renderer'],
  'src/renderer': ['src/core', 'src/cli', 'src/main', 'src/preload'],
};
const layerZones = Object.entries(LAYERS).flatMap(([target, forbidden]) =>
  forbidden.map((from) => ({
    target: `./${target}`,
    from: `./${from}`,
    message: `${target} may not import ${from} (layers: DESIGN.md).`,
  })),
);

export default tseslint.config(
  { ignores: ['out/', 'node_modules/', 'test-results/', 'playwright-report/', 'e2e/artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-control-regex': 'off',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: {
        projectService: true,
        extraFileExtensions: ['.svelte'],
        parser: tseslint.parser,
        svelteConfig,
      },
    },
  },
  {
    files: ['src/**/*.ts', 'src/**/*.svelte'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.mjs', '.svelte'] })],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: layerZones }],
      'import-x/no-cycle': 'error',
    },
  },
  // Platform imports by layer (DESIGN.md): shared imports nothing platform-specific, core never
  // imports electron, the renderer never imports node:.
  {
    files: ['src/shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: noElectron.paths, patterns: [...noElectron.patterns, ...noNode.patterns] },
      ],
    },
  },
  {
    files: ['src/core/**', 'src/cli/**', 'test/**'],
    rules: { 'no-restricted-imports': ['error', noElectron] },
  },
  {
    files: ['src/renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: noElectron.paths, patterns: [...noElectron.patterns, ...noNode.patterns] },
      ],
    },
  },
);

import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
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
  // Layering (DESIGN.md): shared imports nothing platform-specific, core never imports electron,
  // the renderer never imports node:.
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

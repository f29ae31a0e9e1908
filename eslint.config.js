import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const RUNTIME_PACKAGES = ['@huggingface/transformers', 'onnxruntime-*'];
const UI_PACKAGES = ['react', 'react-dom', 'react-dom/*'];

/** Who may not import whom, by folder: `from` is forbidden inside `target`. */
const LAYERS = {
  'src/core': { may: [], why: 'core is pure TypeScript that runs anywhere' },
  'src/engine': { may: ['src/core'], why: 'the engine runs in the worker and in Node, with no UI' },
  'src/worker': { may: ['src/core', 'src/engine'], why: 'the worker hosts the engine and knows nothing of the page' },
  'src/remote': { may: ['src/core'], why: 'the remote client is a library the app drives' },
  'src/app': { may: ['src/core', 'src/remote'], why: 'the app drives the worker through messages, never by import, and renders nothing' },
  'src/ui': { may: ['src/core', 'src/app'], why: 'components reach the worker and remote VLMs through src/app' },
  'src/main.tsx': { may: ['src/core', 'src/app', 'src/ui'], why: 'the entry point mounts the UI' },
  scripts: { may: ['src/core', 'src/engine', 'src/remote', 'src/worker', 'test/support'], why: 'scripts run in Node, without the page' },
};
const SRC_FOLDERS = ['src/core', 'src/engine', 'src/worker', 'src/remote', 'src/app', 'src/ui', 'src/main.tsx'];
const LAYER_ZONES = Object.entries(LAYERS).map(([target, { may, why }]) => ({
  target: `./${target}`,
  from: SRC_FOLDERS.filter((folder) => folder !== target && !may.includes(folder)).map((folder) => `./${folder}`),
  message: `${why}; ${target} may import only ${[target, ...may].join(', ')}.`,
}));

export default tseslint.config(
  { ignores: ['dist', 'dist-*', 'models', 'node_modules', 'test-results', 'playwright-report', 'bench-results'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    files: ['**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['scripts/**', 'test/**', 'e2e/**', '*.config.{ts,js}'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['src/**'],
    languageOptions: { globals: globals.browser },
  },
  {
    // Where code runs decides what it may import (see the README's "Layout"). Paths are resolved, so the rules
    // hold at any depth; packages are restricted by name.
    files: ['**/*.{ts,tsx}'],
    plugins: { 'import-x': importX },
    settings: {
      // Without the extensions, import-x skips .ts files when it walks the graph and sees no cycle.
      'import-x/extensions': ['.ts', '.tsx', '.js'],
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.*.json', noWarnOnMultipleProjects: true })],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': ['error', { zones: LAYER_ZONES }],
    },
  },
  {
    files: ['src/core/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...RUNTIME_PACKAGES, ...UI_PACKAGES, 'comlink', 'idb', 'openai', 'node:*'] }] },
  },
  {
    files: ['src/engine/**', 'src/worker/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...UI_PACKAGES, 'idb', 'openai', 'node:*'] }] },
  },
  {
    files: ['src/ui/**', 'src/app/**', 'src/remote/**', 'src/main.tsx'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...RUNTIME_PACKAGES, 'node:*'] }] },
  },
  {
    files: ['src/**'],
    rules: { 'max-lines': ['error', { max: 300, skipBlankLines: true, skipComments: true }] },
  },
  {
    // Numeric kernels index typed arrays in bounds they just computed; tests look up known fixtures.
    files: ['scripts/tiny-model/**', 'test/**', 'e2e/**'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);

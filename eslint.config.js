import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

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
    // Where code runs decides what it may import (see the README's "Layout").
    files: ['src/core/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['@huggingface/transformers', 'onnxruntime-*', 'react', 'react-dom', 'comlink', '../engine/*', '../worker/*', '../app/*', '../ui/*', '../remote/*', 'node:*'] },
      ],
    },
  },
  {
    files: ['src/ui/**', 'src/app/**', 'src/remote/**', 'src/main.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['@huggingface/transformers', 'onnxruntime-*', '../engine/*', 'node:*'] },
      ],
    },
  },
  {
    files: ['src/engine/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['react', 'react-dom', '../ui/*', '../app/*', '../worker/*', 'node:*'] }],
    },
  },
  {
    // Numeric kernels index typed arrays in bounds they just computed; tests look up known fixtures.
    files: ['scripts/tiny-model/**', 'test/**', 'e2e/**'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['scripts/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['../src/ui/*', '../src/app/*', '../../src/ui/*', '../../src/app/*'] }],
    },
  },
);

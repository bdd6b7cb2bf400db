// One lint config for every workspace: typescript-eslint's recommended rules, plus the few
// boundaries that keep the architecture honest (see docs/architecture.md).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'data/**', 'test-artifacts/**', 'web/src/api/schema.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['web/src/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // The sensor runs alone on a small box: it must never pull in the server or the console.
    files: ['sensor/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@otasuke/server*', '@otasuke/web*', 'fastify*', 'kysely*', 'pg', '@electric-sql/*'] }],
    },
  },
  {
    // Shared schemas have no I/O and no framework.
    files: ['shared/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['node:fs*', 'node:net', 'fastify*', 'kysely*', '@otasuke/server*', '@otasuke/sensor*'] }],
    },
  },
  {
    // The console talks to the server only through the generated API client.
    files: ['web/src/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@otasuke/server*'] }],
    },
  },
);

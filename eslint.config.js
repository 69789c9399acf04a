// Lint: the rules that catch real mistakes in this codebase (typescript-eslint's recommended set), and the house's
// layering rules (ARCHITECTURE.md "Layout"), run by `npm test`:
// - src/ is runtime-neutral: it imports no adapters/, no node:* (nor bare Node built-ins) and no cloudflare:*;
// - src/domain/ is pure: it imports nothing of the project outside src/domain/ (npm packages, and the JSON data of
//   schemas/directory, aside);
// - src/ has no import cycles (import-x/no-cycle, type-only imports included: a cycle of types is still a knot);
// - intake's plan (src/intake/plan.ts) is pure: nothing in it is async or awaited, so it cannot read or write; it
//   takes the facts read before it and returns statements (its write builders are typed Statements, src/deps.ts).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

export default tseslint.config(
  { ignores: ['node_modules/**', 'migrations/**', '.wrangler/**', 'data/**', 'dist/**', 'coverage/**', 'src/generated/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-undef': 'off', // TypeScript checks names; this rule does not know the runtime globals
      // Chinese text uses the ideographic space (U+3000) on purpose, in strings and templates only.
      'no-irregular-whitespace': ['error', { skipStrings: true, skipTemplates: true, skipJSXText: true }],
      // `let x = fallback; try { x = … } catch { … }` is the house pattern for optional reads; it is not a bug.
      'no-useless-assignment': 'off',
    },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    ignores: ['src/**/*.test.{ts,tsx}'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs'],
    },
    rules: {
      'import-x/no-nodejs-modules': 'error',
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^cloudflare:', message: 'src/ is runtime-neutral: Workers bindings belong in adapters/workers.' }] },
      ],
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            { target: './src', from: './adapters', message: 'src/ never imports adapters/: an adapter implements a port of src/deps.ts.' },
            {
              target: './src/domain',
              from: '.',
              // schemas/directory holds data, not code: the demo directory (a JSON file, validated on load).
              except: ['./src/domain', './node_modules', './schemas/directory'],
              message: 'src/domain/ is pure: it imports only from src/domain/ (npm packages and directory data files aside).',
            },
          ],
        },
      ],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    files: ['src/intake/plan.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'AwaitExpression', message: 'the plan is pure: read what it needs in src/intake/facts.ts, before it.' },
        { selector: ':function[async=true]', message: 'the plan is pure and synchronous: read what it needs in src/intake/facts.ts, before it.' },
      ],
    },
  },
  {
    // Tests poke at shapes the types do not describe (tampered receipts, hostile manifests).
    files: ['**/*.test.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);

// Lint: the rules that catch real mistakes in this codebase (typescript-eslint's recommended set), run by `npm test`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
    // Tests poke at shapes the types do not describe (tampered receipts, hostile manifests).
    files: ['**/*.test.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);

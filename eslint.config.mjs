import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['**/dist/**', 'node_modules/**', 'coverage/**', 'data/**', 'test/artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-control-regex': 'off',
    },
  },
  {
    files: ['client/src/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      // The browser bundle must never pull in Node-only code.
      'no-restricted-imports': ['error', { patterns: ['@fts/shared/node', 'node:*'] }],
      // Nothing from the data is ever inserted as HTML.
      'no-restricted-properties': [
        'error',
        { property: 'innerHTML', message: 'build elements with el() and textContent' },
        { property: 'outerHTML', message: 'build elements with el() and textContent' },
        { property: 'insertAdjacentHTML', message: 'build elements with el() and textContent' },
      ],
    },
  },
  {
    files: ['shared/src/*.ts', 'shared/src/stats/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['node:*', './node/*', './node', '../node/*', '../node'] },
      ],
    },
  },
);

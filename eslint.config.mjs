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
      // The browser bundle must never pull in Node-only code, nor zod: values come from
      // '@fts/shared/rules', and '@fts/shared' is imported for its types only.
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@fts/shared',
              allowTypeImports: true,
              message: "import values from '@fts/shared/rules'; '@fts/shared' pulls zod into the bundle",
            },
          ],
          patterns: ['@fts/shared/node', 'node:*', 'zod'],
        },
      ],
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

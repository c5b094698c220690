// Lint: typescript-eslint's type-checked recommended rules for the TypeScript sources,
// ESLint's recommended rules for the plain JavaScript (scripts, the example portal).
// Formatting is Prettier's job (.prettierrc.json), so no stylistic rules here.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'examples/*/node_modules/', 'examples/*/vendor/', 'coverage/', '**/*.min.js'] },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Knex query builders are thenables, so every `(q) => q.where(…)` callback "returns a promise";
      // and Express 5 awaits async handlers. Promises in conditions, spreads and the like stay errors.
      // An Express handler's or hook's full signature documents it even where a parameter goes unused.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: { globals: { ...globals.node } },
    // Express knows an error handler by its four parameters, used or not.
    rules: { 'no-unused-vars': ['error', { argsIgnorePattern: '^_' }] },
  },
  // The module's one browser script, served to the pages.
  { files: ['views/**/*.js'], languageOptions: { globals: { ...globals.browser } } },
  { files: ['examples/*/test/**/*.mjs'], languageOptions: { globals: { ...globals.mocha } } },
  // No line over 120 characters; Prettier wraps code, this catches long strings and comments.
  { rules: { 'max-len': ['error', { code: 120, ignoreUrls: false }] } },
);

// ESLint flat config: typescript-eslint's recommended rules, Prettier owning the formatting, and
// Nx's module boundaries, so the package graph in ARCHITECTURE.md is enforced rather than hoped for.
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Who may import whom. Every project's package.json carries two tags:
 * - type: app (runs: api, cli, web) > feature (a stage or a library of answers) > data (what the
 *   product keeps: the database, posted feedback, the trained model's files and registry, with the
 *   math that reads them) > util (config, artifacts, random numbers, the stage runner). A project depends only on lower or equal types, and
 *   nothing depends on an app.
 * - scope: what part of the product it belongs to; the API (scope:serving) cannot reach the trainer,
 *   the ingest stage or the report.
 */
const depConstraints = [
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:feature', 'type:data', 'type:util'] },
  { sourceTag: 'type:feature', onlyDependOnLibsWithTags: ['type:feature', 'type:data', 'type:util'] },
  { sourceTag: 'type:data', onlyDependOnLibsWithTags: ['type:data', 'type:util'] },
  { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
  { sourceTag: 'scope:serving', onlyDependOnLibsWithTags: ['scope:serving', 'scope:shared', 'scope:data'] },
  { sourceTag: 'scope:cli', onlyDependOnLibsWithTags: ['scope:serving', 'scope:training', 'scope:shared', 'scope:data'] },
  { sourceTag: 'scope:training', onlyDependOnLibsWithTags: ['scope:training', 'scope:shared', 'scope:data'] },
  { sourceTag: 'scope:report', onlyDependOnLibsWithTags: ['scope:report', 'scope:training', 'scope:shared', 'scope:data'] },
  { sourceTag: 'scope:data', onlyDependOnLibsWithTags: ['scope:data', 'scope:shared'] },
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:web', onlyDependOnLibsWithTags: ['scope:shared'] },
];

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', 'data/**', 'models/**', 'reports/**', 'artifacts/**', '.nx/**', '**/*.wasm'],
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs', '**/*.cjs'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          depConstraints,
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Specs may build their data with any stage (a test of the API runs ingest, database and train).
    files: ['**/*.spec.ts', 'tests/**/*.ts', 'tools/**/*.ts', '**/src/testing/**/*.ts', '**/__fixtures__/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          // The CLI loads the trainer lazily (only `evaluate --split` needs it); its tests may import it directly.
          checkDynamicDependenciesExceptions: ['@reelrank/trainer', '@reelrank/ingest', '@reelrank/database'],
          depConstraints: [{ sourceTag: '*', onlyDependOnLibsWithTags: ['type:feature', 'type:data', 'type:util', 'type:app'] }],
        },
      ],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // The test runner's own configuration files load the shared preset by path.
    files: ['jest.config.js', 'jest.preset.js', '**/jest.config.js'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  {
    // Plain CommonJS: jest configs and the worker scripts that Node loads without a TypeScript loader.
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly' } },
  },
  {
    // The page's scripts: plain ES modules the browser loads as they are (no build step).
    files: ['apps/web/public/**/*.js'],
    languageOptions: { sourceType: 'module', globals: { ...globals.browser } },
    // No compiler checks these files, so an undefined name must fail here.
    rules: { 'no-undef': 'error' },
  },
  prettier,
);

// ESLint flat config. Syntax-only typescript-eslint rules (no type information) so `npm run lint`
// stays fast; `npm run typecheck` is the type gate. Module boundaries between folders are checked by
// dependency-cruiser (.dependency-cruiser.cjs); this file guards imports of database drivers and
// reads of process.env, which need per-file exceptions.
import js from '@eslint/js'
import { defineConfig, globalIgnores } from 'eslint/config'
import tseslint from 'typescript-eslint'

const ALL_FILES = ['**/*.{js,mjs,cjs,ts,tsx,mts,cts}']
const TEST_FILES = ['**/*.test.{ts,tsx}', 'test/**']

// Only repositories (the one place SQL is built), the db platform layer and tooling may talk to the
// query builder or a driver directly (HOUSE-STYLE 2 and 3).
const DB_ALLOWED = [
  'src/**/*.repo.ts',
  'src/platform/db/**',
  'drizzle.config.ts',
  'scripts/**',
  ...TEST_FILES,
]
const DB_MESSAGE =
  'Only *.repo.ts files and src/platform/db may import the query builder or a database driver.'

// Configuration is read once, validated and frozen at boot (HOUSE-STYLE 10).
const ENV_ALLOWED = [
  'src/platform/config/**',
  'scripts/**',
  'bench/**',
  'vitest.config.ts',
  '*.config.*',
  ...TEST_FILES,
]
const ENV_MESSAGE = 'Read configuration through src/platform/config; process.env is read nowhere else.'

// Leaving the tenant scope is one named, greppable call (src/platform/db networkTransaction, whose
// reason says why); only the db layer and Ctx (a context without a site) build a network binding.
const NETWORK_SCOPE_ALLOWED = ['src/platform/db/**', 'src/platform/access/ctx.ts']
const NETWORK_SCOPE_SYNTAX = {
  selector:
    'CallExpression[callee.name="appTransaction"] > ObjectExpression > Property[key.name="network"]:not([value.value=false])',
  message:
    'Leave the tenant scope with networkTransaction(orm, reason, fn) from src/platform/db, naming why; do not pass `network` to appTransaction.',
}
const ENV_IMPORT_SYNTAX = {
  selector: 'ImportDeclaration[source.value=/^(node:)?process$/] > ImportSpecifier[imported.name="env"]',
  message: ENV_MESSAGE,
}

// Node globals for plain JavaScript files (TypeScript files get them from @types/node, and
// typescript-eslint turns no-undef off for them). The `globals` package is not installed.
const NODE_GLOBALS = Object.fromEntries(
  ['process', 'console', 'Buffer', 'URL', 'setTimeout', 'clearTimeout', 'structuredClone', 'fetch'].map(
    (name) => [name, 'readonly'],
  ),
)

export default defineConfig(
  globalIgnores(['**/node_modules/', 'data/', '**/dist/', 'coverage/', 'test-results/']),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    name: 'colophon/language',
    languageOptions: { ecmaVersion: 'latest', sourceType: 'module', globals: NODE_GLOBALS },
  },
  {
    // Scripts served to browsers (the account pages); they run there, not in Node.
    name: 'colophon/browser',
    files: ['src/**/*.client.js'],
    languageOptions: {
      sourceType: 'script',
      globals: Object.fromEntries(
        ['document', 'location', 'history', 'URLSearchParams', 'fetch'].map((name) => [name, 'readonly']),
      ),
    },
  },
  {
    name: 'colophon/commonjs',
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', exports: 'writable', require: 'readonly', __dirname: 'readonly' },
    },
  },
  {
    name: 'colophon/all',
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },
  {
    // Logging goes through the request/app logger (pino); scripts/, bench/ and .ci may print.
    name: 'colophon/src',
    files: ['src/**/*.{js,mjs,cjs,ts,tsx,mts,cts}'],
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    name: 'colophon/db-imports',
    files: ALL_FILES,
    ignores: DB_ALLOWED,
    rules: {
      // The typescript-eslint variant also covers `import type` (allowTypeImports stays false):
      // services get the transaction type from src/platform/db, not from the driver.
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: ['drizzle-orm', 'pg', '@electric-sql/pglite'].map((name) => ({ name, message: DB_MESSAGE })),
          patterns: [
            { group: ['drizzle-orm/*', 'pg/*', '@electric-sql/pglite/*'], message: DB_MESSAGE },
            // The table objects are what a query is built from: a service holding `tx` and `schema` could
            // write `tx.select().from(schema.entries)` and pass every other check.
            {
              group: ['**/platform/db/index.ts', '**/platform/db/schema/**'],
              importNames: ['schema'],
              // A row type (`typeof schema.entries.$inferSelect`) builds no query.
              allowTypeImports: true,
              message: DB_MESSAGE,
            },
          ],
        },
      ],
    },
  },
  {
    name: 'colophon/env',
    files: ALL_FILES,
    ignores: ENV_ALLOWED,
    rules: {
      // Catches process.env, process['env'] and `const { env } = process`.
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: ENV_MESSAGE }],
    },
  },
  // no-restricted-syntax carries two checks with different exceptions, and a later block replaces a
  // rule's options rather than adding to them: one block per combination.
  {
    name: 'colophon/syntax',
    files: ALL_FILES,
    ignores: [...ENV_ALLOWED, ...NETWORK_SCOPE_ALLOWED],
    rules: { 'no-restricted-syntax': ['error', ENV_IMPORT_SYNTAX, NETWORK_SCOPE_SYNTAX] },
  },
  {
    name: 'colophon/syntax-env-allowed',
    files: ENV_ALLOWED,
    ignores: NETWORK_SCOPE_ALLOWED,
    rules: { 'no-restricted-syntax': ['error', NETWORK_SCOPE_SYNTAX] },
  },
  {
    name: 'colophon/syntax-network-scope-allowed',
    files: NETWORK_SCOPE_ALLOWED,
    ignores: ENV_ALLOWED,
    rules: { 'no-restricted-syntax': ['error', ENV_IMPORT_SYNTAX] },
  },
  {
    // Tests may import drivers and read the environment (excluded above); they may also print.
    name: 'colophon/tests',
    files: TEST_FILES,
    rules: { 'no-console': 'off' },
  },
)

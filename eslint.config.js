// ESLint: the layer table of docs/architecture.md, no import cycles, and the
// size limits (a file about 250 lines, a function about 50) for lib/.
// Formatting is Prettier's job (npm run format:check), not ESLint's.
const tseslint = require('typescript-eslint');
const importX = require('eslint-plugin-import-x');
const noImportCycle = require('./scripts/eslint/no-import-cycle');

/** Who may not import whom: one zone per layer, `from` is what it must not import. */
const layer = (target, from, message) => ({ target: `./lib/${target}`, from: from.map((f) => `./lib/${f}`), message });
const zones = [
  layer(
    'sql',
    ['source', 'plan', 'schema', 'db', 'config', 'migrator', 'cli', 'types.ts', 'errors', 'log.ts', 'index.ts'],
    'sql/ imports nothing outside itself',
  ),
  layer(
    'source',
    ['db', 'cli', 'migrator', 'plan', 'schema', 'config'],
    'source/ may import sql/, types and errors only',
  ),
  layer('plan', ['db', 'cli', 'migrator', 'config'], 'plan/ is pure: source/, sql/, schema/, types and errors'),
  layer('schema', ['db', 'cli', 'migrator', 'plan', 'source', 'config'], 'schema/ is pure: types and errors'),
  layer('config', ['db', 'cli', 'migrator', 'plan', 'source'], 'config/ may import types and errors only'),
  layer(
    'lint',
    ['db', 'cli', 'migrator', 'config', 'plan', 'schema'],
    'lint/ is pure: sql/, source/, types and errors',
  ),
  layer(
    'observe',
    ['db', 'cli', 'migrator', 'config', 'plan', 'source', 'schema'],
    'observe/ is pure: lint/ (lock modes and findings), sql/, types and errors',
  ),
  layer(
    'fleet',
    ['db', 'cli', 'migrator', 'plan', 'source', 'schema', 'lint', 'observe'],
    'fleet/ is pure: config/, types and errors',
  ),
  layer('db', ['cli', 'migrator', 'plan'], 'db/ may not import cli/, migrator/ or plan/'),
  layer('migrator', ['cli'], 'migrator/ may not import cli/'),
  layer('cli', ['db'], 'cli/ goes through migrator/, never db/'),
];

module.exports = tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench/peers/**', 'coverage/**', '**/*.js'] },
  {
    files: ['lib/**/*.ts'],
    languageOptions: { parser: tseslint.parser, parserOptions: { project: false } },
    plugins: {
      '@typescript-eslint': tseslint.plugin,
      'import-x': importX,
      tidemark: { rules: { 'no-import-cycle': noImportCycle } },
    },
    settings: { 'import-x/resolver': { node: { extensions: ['.ts', '.js'] } }, 'import-x/extensions': ['.ts'] },
    rules: {
      // import-x/no-cycle skips `import type`; ours counts it (scripts/eslint/no-import-cycle.js).
      'tidemark/no-import-cycle': 'error',
      'import-x/no-restricted-paths': ['error', { zones }],
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      'max-lines': ['error', { max: 260, skipBlankLines: true, skipComments: true }],
      'max-lines-per-function': ['error', { max: 50, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    files: [
      'lib/sql/**/*.ts',
      'lib/source/**/*.ts',
      'lib/plan/**/*.ts',
      'lib/schema/**/*.ts',
      'lib/config/**/*.ts',
      'lib/fleet/**/*.ts',
      'lib/cli/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'pg', message: 'only lib/db/ talks to pg' },
            {
              name: 'libpg-query',
              message: 'only lib/lint/ loads the parser (and only the lint command loads lib/lint/)',
            },
          ],
          patterns: ['pg/*'],
        },
      ],
      // A dynamic import() or a require() of pg is an import too.
      'no-restricted-syntax': [
        'error',
        { selector: 'ImportExpression[source.value=/^pg(\\/|$)/]', message: 'only lib/db/ talks to pg' },
        {
          selector: "CallExpression[callee.name='require'][arguments.0.value=/^pg(\\/|$)/]",
          message: 'only lib/db/ talks to pg',
        },
      ],
    },
  },
  {
    files: ['lib/db/**/*.ts', 'lib/migrator/**/*.ts', 'lib/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'libpg-query', message: 'only lib/lint/ loads the parser' }] },
      ],
    },
  },
);

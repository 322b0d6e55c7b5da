import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'test-artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through src/config.' },
      ],
    },
  },
  {
    // The browser scripts (progressive enhancement: the establishment pickers, the print button).
    files: ['public/js/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: { document: 'readonly', window: 'readonly' },
    },
  },
  {
    // One home for SQL, one binding convention (src/storage/sql.ts): raw queries only in storage
    // and db, values only as positional bind parameters.
    files: ['src/**/*.ts'],
    ignores: ['src/storage/**', 'src/db/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='query']",
          message: 'Raw SQL lives in src/storage (a repository or a query module).',
        },
      ],
    },
  },
  {
    files: ['src/storage/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "Property[key.name='replacements']",
          message: 'Bind values as positional parameters (src/storage/sql.ts), not replacements.',
        },
      ],
    },
  },
  {
    files: [
      'src/config/**',
      'scripts/**',
      'test/**',
      'bench/**',
      'src/sandbox/**',
      'eslint.config.mjs',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['jest.config.js', '.dependency-cruiser.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', require: 'readonly' },
    },
  },
);

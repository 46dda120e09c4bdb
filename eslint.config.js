import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules', 'dist', 'data', 'coverage', 'web/dist', 'bin'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // domain/ is pure: no I/O, no wall clock. Time comes in through a Clock.
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', 'fs', 'fs/*', 'path', 'net', 'http', 'https', 'child_process', 'os', 'crypto'], message: 'domain/ must stay free of I/O.' },
            { group: ['better-sqlite3', 'pg', 'kysely', 'fastify', 'fastify/*', '@fastify/*', 'nodemailer', 'smtp-server', 'mailparser', 'pino'], message: 'domain/ must stay free of I/O.' },
            { group: ['**/store/**', '**/http/**', '**/app/**', '**/notify/**', '**/scheduler/**', '**/intake/**', '**/cli/**'], message: 'domain/ depends on nothing outside it.' },
          ],
        },
      ],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'Use the Clock passed in.' }],
      'no-restricted-globals': ['error', { name: 'process', message: 'domain/ must not read the process.' }],
    },
  },
);

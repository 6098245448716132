import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts', 'templates/**/*.test.ts', 'stacks/**/*.test.ts', 'examples/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    // Integration tests start real servers (PostgreSQL, Redis, S3) and spawn the built CLI.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Long reliability variants only run through their own npm script.
    env: { FORK_STACK_TEST: '1' },
  },
});

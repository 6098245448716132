import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Only the repository's own vitest suites. The stacks' and examples' tests are node:test files a user
    // runs with `make test` in a copy; test/stacks and test/examples run them that way.
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    // Integration tests start real servers (PostgreSQL, Redis, S3) and spawn the built CLI.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // The run must leave stacks/ and examples/ (current env, .env.local, .fork-stack/, databases) as it found them.
    globalSetup: ['test/global/working-tree.ts'],
    // Long reliability variants only run through their own npm script.
    env: { FORK_STACK_TEST: '1' },
  },
});

/**
 * examples/typescript-web, copied into a throwaway project (node_modules linked as `npm install` would
 * give them): type-check and unit tests, and the isolation test — the built CLI forks dev, the server
 * runs in the fork on a free port, a posted note lands there and dev's files stay byte for byte the same.
 */
import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyProject, EXAMPLES, FORK_STACK_CLI, REPO, runAsync, show } from '../stacks/harness.js';
import { requireToolchain, toolchain } from '../readers/toolchain.js';

const make = toolchain('make', ['--version'], 'apt-get install make');

function project() {
  const copy = copyProject(path.join(EXAMPLES, 'typescript-web'), 'notes');
  symlinkSync(path.join(REPO, 'node_modules'), path.join(copy.dir, 'node_modules'));
  return copy;
}

describe.concurrent('example typescript-web', () => {
  it('make test', async ({ skip }) => {
    requireToolchain(make, skip);
    const copy = project();
    try {
      const result = await runAsync('make', ['--no-print-directory', 'test'], { cwd: copy.dir });
      expect(result.code, show(result)).toBe(0);
      expect(result.stdout).toMatch(/^# pass [1-9]\d*$/m);
      expect(result.stdout).toMatch(/^# fail 0$/m);
    } finally {
      copy.cleanup();
    }
  });

  it('make test-isolation: a note written in a fork leaves dev unchanged', async ({ skip }) => {
    requireToolchain(make, skip);
    const copy = project();
    try {
      const result = await runAsync('make', ['--no-print-directory', 'test-isolation', `FORK_STACK=${FORK_STACK_CLI}`], { cwd: copy.dir, env: { FORK_STACK_TEST_ENV: 'alice' } });
      expect(result.code, show(result)).toBe(0);
      expect(result.stdout, show(result)).toMatch(/^# pass 1$/m);
      expect(result.stdout).toMatch(/^# skipped 0$/m);
    } finally {
      copy.cleanup();
    }
  });
});

/**
 * examples/python-turso-tigris-doppler, copied into a throwaway project: its unit tests, and the isolation
 * test — the built CLI forks dev, the app serves the fork on a free port, a posted note (row + file) lands
 * there and dev's database file and bucket stay byte for byte the same.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireToolchain, toolchain } from '../readers/toolchain.js';
import { copyProject, EXAMPLES, FORK_STACK_CLI, runAsync, show } from '../stacks/harness.js';

const python = toolchain('python3', ['--version'], 'apt-get install python3');
const make = toolchain('make', ['--version'], 'apt-get install make');

describe.concurrent('example python-turso-tigris-doppler', () => {
  it('make test', async ({ skip }) => {
    requireToolchain(python, skip);
    requireToolchain(make, skip);
    const project = copyProject(path.join(EXAMPLES, 'python-turso-tigris-doppler'), 'notes');
    try {
      const result = await runAsync('make', ['--no-print-directory', 'test'], { cwd: project.dir });
      expect(result.code, show(result)).toBe(0);
      expect(result.stderr).toMatch(/Ran [1-9]\d* tests? in[\s\S]*\nOK\n/);
    } finally {
      project.cleanup();
    }
  });

  it('make test-isolation: a note written in a fork leaves dev unchanged', async ({ skip }) => {
    requireToolchain(python, skip);
    requireToolchain(make, skip);
    const project = copyProject(path.join(EXAMPLES, 'python-turso-tigris-doppler'), 'notes');
    try {
      const result = await runAsync('make', ['--no-print-directory', 'test-isolation', `FORK_STACK=${FORK_STACK_CLI}`], { cwd: project.dir, env: { FORK_STACK_TEST_ENV: 'alice' } });
      expect(result.code, show(result)).toBe(0);
      expect(result.stderr, show(result)).toMatch(/Ran 1 test in[\s\S]*\nOK\n/);
    } finally {
      project.cleanup();
    }
  });
});

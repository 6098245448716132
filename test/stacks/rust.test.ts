/**
 * The Rust stack (stacks/rust-*), each copied into a throwaway project as a user copies it:
 * `make test` (its unit tests) and `make test-integration` (the built CLI creates an environment,
 * switches to it, the app::describe reads its values through env_utils and they match what the CLI
 * created, then it is deleted) against the provider fakes, the Tigris fake and s3rver.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { requireToolchain, toolchain } from '../readers/toolchain.js';
import { Backends, copyProject, FORK_STACK_CLI, readIndex, runAsync, show, STACKS } from './harness.js';
import path from 'node:path';

const cargo = toolchain('cargo', ['--version'], 'https://rustup.rs');
const make = toolchain('make', ['--version'], 'apt-get install make');
const stacks = readIndex().stacks.filter((s) => s.language === 'rust');
const backends = new Backends();
afterAll(() => backends.close());

// Cargo builds into the readers' shared target directory (CARGO_TARGET_DIR, set by toolEnv), so the
// reader's crate graph is compiled once per machine, not once per copy.
describe.concurrent.each(stacks.map((stack, i) => ({ ...stack, envName: `itest-rs${i}` })))('stack $name', (stack) => {
  it('make test: its unit tests pass in a copy of the stack', async ({ skip }) => {
    requireToolchain(cargo, skip);
    requireToolchain(make, skip);
    const project = copyProject(path.join(STACKS, stack.name));
    try {
      const result = await runAsync('make', ['--no-print-directory', 'test'], { cwd: project.dir });
      expect(result.code, show(result)).toBe(0);
      expect(result.stdout).toMatch(/test result: ok\. [1-9]\d* passed; 0 failed/);
    } finally {
      project.cleanup();
    }
  });

  it(`make test-integration: create → switch → the app reads the values the CLI created → delete (${stack.local ? 'local' : 'fakes'})`, async ({ skip }) => {
    requireToolchain(cargo, skip);
    requireToolchain(make, skip);
    const project = copyProject(path.join(STACKS, stack.name));
    try {
      const env = await backends.envFor(stack);
      const result = await runAsync('make', ['--no-print-directory', 'test-integration', `FORK_STACK=${FORK_STACK_CLI}`], {
        cwd: project.dir,
        env: { ...env, FORK_STACK_TEST_ENV: stack.envName },
      });
      expect(result.code, show(result)).toBe(0);
      expect(result.stdout, show(result)).toMatch(/test create_switch_read_delete \.\.\. ok/);
      expect(result.stdout + result.stderr).not.toMatch(/skipped: set FORK_STACK_INTEGRATION/);
      expect(backends.violations()).toEqual([]);
    } finally {
      project.cleanup();
    }
  });
});

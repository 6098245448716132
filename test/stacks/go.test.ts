/**
 * The Go stacks (stacks/go-*), each copied into a throwaway project as a user copies it:
 * `make test` (its unit tests) and `make test-integration` (the built CLI creates an environment,
 * switches to it, the example's Describe reads its values through envutils and they match what the CLI
 * created, then it is deleted) against the provider fakes, the Tigris fake and s3rver.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { requireToolchain, toolchain } from '../readers/toolchain.js';
import { Backends, copyProject, FORK_STACK_CLI, readIndex, runAsync, show, STACKS } from './harness.js';
import path from 'node:path';

const go = toolchain('go', ['version'], 'apt-get install golang-go, or https://go.dev/dl');
const make = toolchain('make', ['--version'], 'apt-get install make');
const stacks = readIndex().stacks.filter((s) => s.language === 'go');
const backends = new Backends();
afterAll(() => backends.close());

// Concurrently: most of each test's time is waiting on the CLI and the fakes' asynchronous operations;
// the stacks use different environment names on the shared fakes. Go caches builds between runs.
describe.concurrent.each(stacks.map((stack, i) => ({ ...stack, envName: `itest-go${i}` })))('stack $name', (stack) => {
  it('make test: its unit tests pass in a copy of the stack', async ({ skip }) => {
    requireToolchain(go, skip);
    requireToolchain(make, skip);
    const project = copyProject(path.join(STACKS, stack.name));
    try {
      const result = await runAsync('make', ['--no-print-directory', 'test'], { cwd: project.dir });
      expect(result.code, show(result)).toBe(0);
      expect(result.stdout).toMatch(/^ok\s+example\.com\/myapp\/example/m);
    } finally {
      project.cleanup();
    }
  });

  it(`make test-integration: create → switch → the app reads the values the CLI created → delete (${stack.local ? 'local' : 'fakes'})`, async ({ skip }) => {
    requireToolchain(go, skip);
    requireToolchain(make, skip);
    const project = copyProject(path.join(STACKS, stack.name));
    try {
      const env = await backends.envFor(stack);
      const result = await runAsync('make', ['--no-print-directory', 'test-integration', `FORK_STACK=${FORK_STACK_CLI}`], {
        cwd: project.dir,
        env: { ...env, FORK_STACK_TEST_ENV: stack.envName },
      });
      expect(result.code, show(result)).toBe(0);
      expect(result.stdout, show(result)).toMatch(/--- PASS: TestCreateSwitchReadDelete/);
      expect(result.stdout).not.toMatch(/--- SKIP/);
      expect(backends.violations()).toEqual([]);
    } finally {
      project.cleanup();
    }
  });
});

/**
 * The TypeScript stacks (stacks/typescript-*), each copied into a throwaway project as a user copies it:
 * `make test` (its unit tests) and `make test-integration` (the built CLI creates an environment,
 * switches to it, the example reads its values through envUtils.ts and they match what the CLI
 * created, then it is deleted) against the provider fakes, the Tigris fake and s3rver.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { requireToolchain, toolchain } from '../readers/toolchain.js';
import { Backends, copyProject, FORK_STACK_CLI, readIndex, REPO, runAsync, show, STACKS } from './harness.js';
import { symlinkSync } from 'node:fs';
import path from 'node:path';

const node = toolchain(process.execPath, ['--version'], 'https://nodejs.org');
const make = toolchain('make', ['--version'], 'apt-get install make');
const stacks = readIndex().stacks.filter((s) => s.language === 'typescript');
const backends = new Backends();

/** `npm install` in a copied stack: here the repository's node_modules (fork-stack, tsx, the AWS SDK, @libsql/client). */
function withModules(project: { dir: string; cleanup(): void }): { dir: string; cleanup(): void } {
  symlinkSync(path.join(REPO, 'node_modules'), path.join(project.dir, 'node_modules'));
  return project;
}
afterAll(() => backends.close());

// Concurrently: most of each test's time is waiting on the CLI and the fakes' asynchronous operations;
// the stacks use different environment names on the shared fakes.
describe.concurrent.each(stacks.map((stack, i) => ({ ...stack, envName: `itest-ts${i}` })))('stack $name', (stack) => {
  it('make test: its unit tests pass in a copy of the stack', async ({ skip }) => {
    requireToolchain(node, skip);
    requireToolchain(make, skip);
    const project = withModules(copyProject(path.join(STACKS, stack.name)));
    try {
      const result = await runAsync('make', ['--no-print-directory', 'test'], { cwd: project.dir });
      expect(result.code, show(result)).toBe(0);
      expect(result.stdout).toMatch(/^# pass [1-9]\d*$/m);
      expect(result.stdout).toMatch(/^# fail 0$/m);
    } finally {
      project.cleanup();
    }
  });

  it(`make test-integration: create → switch → the app reads the values the CLI created → delete (${stack.local ? 'local' : 'fakes'})`, async ({ skip }) => {
    requireToolchain(node, skip);
    requireToolchain(make, skip);
    const project = withModules(copyProject(path.join(STACKS, stack.name)));
    try {
      const env = await backends.envFor(stack);
      const result = await runAsync('make', ['--no-print-directory', 'test-integration', `FORK_STACK=${FORK_STACK_CLI}`], {
        cwd: project.dir,
        env: { ...env, FORK_STACK_TEST_ENV: stack.envName },
      });
      expect(result.code, show(result)).toBe(0);
      expect(result.stdout, show(result)).toMatch(/^# pass 1$/m);
      expect(result.stdout).toMatch(/^# skipped 0$/m);
      expect(backends.violations()).toEqual([]);
    } finally {
      project.cleanup();
    }
    // A whole stack's create → switch → test → delete through make and the CLI: over two minutes on a
    // loaded 2-core machine (the fresh-clone CI run found it), a few seconds when idle.
  }, 360_000);
});

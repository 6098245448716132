/**
 * examples/go-web, copied into a throwaway project: go vet and unit tests, and the isolation test — the
 * built CLI forks dev, the app's handler serves the fork on a free port, a posted note lands there and
 * dev's files stay byte for byte the same. The SQLite driver builds offline from Debian's
 * golang-github-mattn-go-sqlite3-dev (see the example's README): without it the tests skip, or fail in CI.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireToolchain, toolchain, type Toolchain } from '../readers/toolchain.js';
import { copyProject, EXAMPLES, FORK_STACK_CLI, runAsync, show } from '../stacks/harness.js';

const go = toolchain('go', ['version'], 'apt-get install golang-go');
const make = toolchain('make', ['--version'], 'apt-get install make');
const driver: Toolchain = {
  name: 'go-sqlite3',
  command: 'golang-github-mattn-go-sqlite3-dev',
  available: existsSync('/usr/share/gocode/src/github.com/mattn/go-sqlite3/go.mod'),
  version: '',
  install: 'apt-get install golang-github-mattn-go-sqlite3-dev libsqlite3-dev gcc',
};

describe.concurrent('example go-web', () => {
  it('make test', async ({ skip }) => {
    for (const tool of [go, make, driver]) requireToolchain(tool, skip);
    const copy = copyProject(path.join(EXAMPLES, 'go-web'), 'notes');
    try {
      const result = await runAsync('make', ['--no-print-directory', 'test'], { cwd: copy.dir, env: { GOPROXY: 'off', GOFLAGS: '' } });
      expect(result.code, show(result)).toBe(0);
      expect(result.stdout).toMatch(/^ok\s+example\.com\/goweb\s/m);
    } finally {
      copy.cleanup();
    }
  });

  it('make test-isolation: a note written in a fork leaves dev unchanged', async ({ skip }) => {
    for (const tool of [go, make, driver]) requireToolchain(tool, skip);
    const copy = copyProject(path.join(EXAMPLES, 'go-web'), 'notes');
    try {
      const result = await runAsync('make', ['--no-print-directory', 'test-isolation', `FORK_STACK=${FORK_STACK_CLI}`], {
        cwd: copy.dir,
        env: { FORK_STACK_TEST_ENV: 'alice', GOPROXY: 'off', GOFLAGS: '' },
      });
      expect(result.code, show(result)).toBe(0);
      expect(result.stdout, show(result)).toMatch(/--- PASS: TestIsolation/);
    } finally {
      copy.cleanup();
    }
  });
});

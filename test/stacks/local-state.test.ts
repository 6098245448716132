/**
 * The stacks' and examples' integration tests run in the developer's own checkout (`make
 * test-integration`, `make test-isolation`). They used to leave it changed: switched to dev, with their
 * test rows in dev's database. Makefile.base's fork_stack_keep_state now puts .current-env, .env.local and
 * .fork-stack/ back byte for byte. Here a copy plays the developer's checkout — its own environment
 * current, its own lines in .env.local, its own rows — and every file in it must be the same afterwards.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync, appendFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireToolchain, toolchain } from '../readers/toolchain.js';
import { copyProject, EXAMPLES, FORK_STACK_CLI, REPO, runAsync, show, STACKS } from './harness.js';

const python = toolchain('python3', ['--version'], 'apt-get install python3');
const node = toolchain(process.execPath, ['--version'], 'https://nodejs.org');
const make = toolchain('make', ['--version'], 'apt-get install make');

/** Build caches the language tools keep next to the code: not the checkout's state. */
const CACHES = new Set(['__pycache__', 'node_modules', 'target']);

/** Every file, directory and link under `dir`: its mode and content hash (a link: its target). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(dir, rel)).sort()) {
      if (CACHES.has(name)) continue;
      const relative = rel ? `${rel}/${name}` : name;
      const full = path.join(dir, relative);
      const stat = lstatSync(full);
      const mode = (stat.mode & 0o7777).toString(8);
      if (stat.isSymbolicLink()) out[relative] = `link ${readlinkSync(full)}`;
      else if (stat.isDirectory()) {
        out[`${relative}/`] = `dir ${mode}`;
        walk(relative);
      } else out[relative] = `${mode} ${createHash('sha256').update(readFileSync(full)).digest('hex')}`;
    }
  };
  walk('');
  return out;
}

const CASES = [
  { name: 'stack python-sqlite-fs-dotenv', source: path.join(STACKS, 'python-sqlite-fs-dotenv'), target: 'test-integration', tool: python, modules: false },
  { name: 'stack typescript-sqlite-fs-dotenv', source: path.join(STACKS, 'typescript-sqlite-fs-dotenv'), target: 'test-integration', tool: node, modules: true },
  { name: 'example python-turso-tigris-doppler', source: path.join(EXAMPLES, 'python-turso-tigris-doppler'), target: 'test-isolation', tool: python, modules: false },
];

describe.concurrent.each(CASES)('$name', ({ source, target, tool, modules }) => {
  it(`make ${target} leaves the checkout byte for byte as it was: current environment, .env.local, .fork-stack/ and dev's rows`, async ({ skip }) => {
    requireToolchain(tool, skip);
    requireToolchain(make, skip);
    const project = copyProject(source, 'myapp');
    try {
      if (modules) symlinkSync(path.join(REPO, 'node_modules'), path.join(project.dir, 'node_modules'));
      const cli = (...args: string[]) => runAsync(process.execPath, [FORK_STACK_CLI.split(' ')[1] as string, ...args], { cwd: project.dir });
      // The developer's checkout: dev made, their own environment "mine" current, their own .env.local line.
      const init = await runAsync('make', ['--no-print-directory', 'envs-init', `FORK_STACK=${FORK_STACK_CLI}`], { cwd: project.dir });
      expect(init.code, show(init)).toBe(0);
      const mine = await cli('create', 'mine', '--switch');
      expect(mine.code, show(mine)).toBe(0);
      appendFileSync(path.join(project.dir, '.env.local'), 'MY_OWN=line\n');
      writeFileSync(path.join(project.dir, '.fork-stack', 'my-notes.txt'), 'kept\n');
      const before = snapshot(project.dir);
      expect(readFileSync(path.join(project.dir, '.current-env'), 'utf8')).toBe('mine\n');

      const result = await runAsync('make', ['--no-print-directory', target, `FORK_STACK=${FORK_STACK_CLI}`], { cwd: project.dir, env: { FORK_STACK_TEST_ENV: 'itest-state' } });
      expect(result.code, show(result)).toBe(0);
      expect(`${result.stdout}${result.stderr}`, show(result)).toMatch(/\nOK\n|# pass [1-9]/);
      expect(snapshot(project.dir)).toEqual(before);
    } finally {
      project.cleanup();
    }
  });
});

/**
 * Every stack in stacks/index.json, scaffolded with `create-fork-stack <dir> --stack <name>` into a temp
 * folder: the project is the stack under the new name, and the project's own tests pass there — the
 * stack's unit tests (its "test" command), and on the local stack its integration test as well
 * (create → switch → the app reads the right values → delete, with the CLI the project installs).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireToolchain, toolchain, type Toolchain } from '../../../test/readers/toolchain.js';
import { keptFiles, linkDependencies, listFiles, output, REPO, scaffold, sh, stackIndex, tempDir } from './helpers.js';

const TOOLCHAINS: Record<string, Toolchain> = {
  python: toolchain('python3', ['--version'], 'install Python 3.9 or newer'),
  go: toolchain('go', ['version'], 'apt-get install golang-go, or https://go.dev/dl'),
  rust: toolchain('cargo', ['--version'], 'install Rust with rustup, https://rustup.rs'),
  typescript: toolchain(process.execPath, ['--version'], 'Node.js 20.12 or newer'),
};
const make = toolchain('make', ['--version'], 'apt-get install make');
const stacks = stackIndex();
const PROJECT = 'shop-app';

describe('stacks/index.json', () => {
  it('lists stacks, each with a folder and a preset', () => {
    expect(stacks.length).toBeGreaterThan(0);
    const missing = stacks.filter((s) => !existsSync(path.join(REPO, 'stacks', s.name, 'fork-stack.toml'))).map((s) => s.name);
    expect(missing, 'listed in stacks/index.json without stacks/<name>/fork-stack.toml').toEqual([]);
  });

  it('lists each stack as create-fork-stack --list-stacks shows it (providers from the preset)', () => {
    const tmp = tempDir();
    try {
      const result = scaffold(['--list-stacks'], tmp.dir);
      expect(result.status, output(result)).toBe(0);
      for (const stack of stacks) {
        const line = result.stdout.split('\n').find((l) => l.startsWith(`${stack.name} `));
        expect(line, stack.name).toBeDefined();
        const providers = [stack.database, stack.storage, stack.secrets, stack.cache, stack.queue].filter(Boolean).join(' + ');
        expect(line, `${stack.name}: index.json and its fork-stack.toml disagree`).toContain(`${stack.language}: ${providers}`);
      }
    } finally {
      tmp.cleanup();
    }
  });
});

describe.each(stacks.map((s) => [s.name, s] as const))('stack %s', (name, stack) => {
  it('scaffolds into a new project whose own tests pass', ({ skip }) => {
    requireToolchain(make, skip);
    requireToolchain(TOOLCHAINS[stack.language] ?? toolchain(stack.language, [], `a toolchain for ${stack.language}`), skip);
    const source = path.join(REPO, 'stacks', name);
    expect(existsSync(path.join(source, 'fork-stack.toml')), `stacks/${name} is missing`).toBe(true);
    const tmp = tempDir();
    try {
      const result = scaffold([PROJECT, '--stack', name], tmp.dir);
      expect(result.status, output(result)).toBe(0);
      expect(result.stdout).toContain(`wrote ${PROJECT}`);
      expect(result.stderr).toBe('');
      const project = path.join(tmp.dir, PROJECT);

      // The stack's files, under the new project name; no link back into the repository.
      const files = listFiles(project);
      for (const file of keptFiles(`stacks/${name}`)) expect(files).toContain(file);
      expect(files).toContain('package.json');
      const config = readFileSync(path.join(project, 'fork-stack.toml'), 'utf8');
      expect(config).toMatch(new RegExp(`^project = "${PROJECT}"`, 'm'));
      for (const file of files.filter((f) => f.endsWith('.md'))) expect(readFileSync(path.join(project, file), 'utf8'), file).not.toMatch(/\]\(\.\.\/\.\.\//);
      if (stack.local) {
        expect(result.stdout).toContain('created the root environment');
        expect(files).toContain('.current-env');
      }

      linkDependencies(project);
      const unit = sh(stack.test ?? 'make test', project);
      expect(unit.status, output(unit)).toBe(0);
      if (stack.local && stack.integration) {
        const integration = sh(stack.integration, project);
        expect(integration.status, output(integration)).toBe(0);
      }
    } finally {
      tmp.cleanup();
    }
  });
});

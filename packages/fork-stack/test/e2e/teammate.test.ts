/** What a teammate and a CI job do: init on a cloned config, create --reuse, errors as JSON. */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localProject, runCli } from '../helpers/cli.js';

let project: ReturnType<typeof localProject>;
beforeAll(() => {
  project = localProject('team');
});
afterAll(() => project.cleanup());

describe('a teammate\'s fresh clone', () => {
  it('init keeps an existing fork-stack.toml and creates the missing local roots', () => {
    const clone = path.join(path.dirname(project.dir), 'clone');
    mkdirSync(clone);
    writeFileSync(path.join(clone, 'fork-stack.toml'), readFileSync(path.join(project.dir, 'fork-stack.toml')));
    const before = readFileSync(path.join(clone, 'fork-stack.toml'), 'utf8');
    const init = runCli(['init'], { cwd: clone });
    expect(init.code, init.stderr).toBe(0);
    expect(init.stderr).toMatch(/using the existing .*fork-stack.toml/);
    expect(init.stderr).toMatch(/created root database/);
    expect(readFileSync(path.join(clone, 'fork-stack.toml'), 'utf8')).toBe(before);
    expect(readFileSync(path.join(clone, '.current-env'), 'utf8')).toBe('dev\n');
    expect(runCli(['create', 'alice'], { cwd: clone }).code).toBe(0);
    // Running init again changes nothing and still succeeds.
    expect(runCli(['init'], { cwd: clone }).code).toBe(0);
    const flags = runCli(['init', '--database', 'sqlite'], { cwd: clone });
    expect(flags.code).toBe(2);
    expect(flags.stderr).toMatch(/already exists[\s\S]*--force/);
    rmSync(clone, { recursive: true, force: true });
  });
});

describe('CI', () => {
  it('create --reuse accepts an environment that exists', () => {
    expect(project.run(['create', 'ci-run']).code).toBe(0);
    const again = project.run(['create', 'ci-run', '--reuse', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ env: 'ci-run', reused: true, resumed: false });
    expect(project.run(['create', 'ci-run']).code).toBe(1);
    project.run(['delete', 'ci-run', '--yes']);
  });

  it('argument errors are JSON on stdout with --json', () => {
    const result = project.run(['create', '--json', '--bogus']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { exitCode: 2, message: expect.stringMatching(/unknown option '--bogus'/) } });
  });

  it('an unknown key in a provider section lists every key the provider knows', () => {
    const file = path.join(project.dir, 'fork-stack.toml');
    const saved = readFileSync(file, 'utf8');
    writeFileSync(file, saved.replace('provider = "sqlite"', 'provider = "sqlite"\npaht = "x/{env}.db"'));
    try {
      const result = project.run(['list']);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/\[database\] paht: unknown key; known keys: provider, data, mask, path, names, busy_timeout_ms/);
    } finally {
      writeFileSync(file, saved);
    }
  });
});

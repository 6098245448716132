/**
 * Bad input: one clear message, the right exit code, no stack trace, nothing created, the parent untouched.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, localProject, runCli, tempDir } from '../helpers/cli.js';

let project: ReturnType<typeof localProject>;
let snapshot: () => string;
beforeAll(() => {
  project = localProject('bad-input');
  snapshot = () => {
    const data = path.join(project.dir, '.fork-stack');
    const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
    return walk(data)
      .filter((f) => !f.includes('/locks/'))
      .sort()
      .map((f) => `${f}:${readFileSync(f).length}`)
      .join('\n');
  };
});
afterAll(() => project.cleanup());

function expectClean(args: string[], code: number, message: RegExp, cwd?: string) {
  const before = cwd ? '' : snapshot();
  const result = cwd ? runCli(args, { cwd }) : project.run(args);
  expect(result.code, `${args.join(' ')}\n${result.stderr}`).toBe(code);
  expect(result.stderr).toMatch(message);
  expect(hasStackTrace(result.stderr + result.stdout)).toBe(false);
  if (!cwd) expect(snapshot()).toBe(before);
  return result;
}

describe('bad input', () => {
  it.each([
    ['../x', /invalid environment name "..\/x"/],
    ['Alice', /upper-case/],
    ['a b', /invalid environment name "a b"/],
    ['x'.repeat(64), /limit is 48/],
    ['', /the name is empty/],
  ])('create %j → exit 2', (name, message) => {
    expectClean(['create', name], 2, message);
  });

  it('a name starting with "-" is an unknown option, exit 2', () => {
    expectClean(['create', '-x'], 2, /unknown option '-x'/);
  });

  it('unknown command and flag', () => {
    expectClean(['frobnicate'], 2, /unknown command 'frobnicate'/);
    expectClean(['list', '--frob'], 2, /unknown option '--frob'/);
    expectClean(['env', '--format', 'yaml'], 2, /argument 'yaml' is invalid|unknown --format/);
  });

  it('protected and missing environments', () => {
    expectClean(['delete', 'dev', '--yes'], 2, /"dev" is a protected environment/);
    expectClean(['create', 'prod'], 2, /"prod" is a protected environment/);
    expectClean(['delete', 'ghost', '--yes'], 1, /environment "ghost" does not exist/);
    expectClean(['switch', 'ghost'], 1, /environment "ghost" does not exist/);
    expectClean(['create', 'alice', '--from', 'ghost'], 1, /parent environment "ghost" does not exist/);
  });

  it('delete without --yes off a terminal refuses, exit 2', () => {
    project.run(['create', 'temp']);
    const before = snapshot();
    const result = project.run(['delete', 'temp']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Pass --yes/);
    expect(snapshot()).toBe(before);
    project.run(['delete', 'temp', '--yes']);
  });

  it('an existing env', () => {
    project.run(['create', 'dup']);
    expectClean(['create', 'dup'], 1, /environment "dup" already exists/);
    project.run(['delete', 'dup', '--yes']);
  });

  it('--at on providers that cannot, and a bad --at', () => {
    expectClean(['create', 'alice', '--at', '2026-01-01T00:00:00Z'], 2, /--at is not supported by database \(sqlite\)/);
    expectClean(['create', 'alice', '--at', 'yesterday'], 2, /not an RFC 3339 time/);
  });

  it('a broken .current-env', () => {
    const file = path.join(project.dir, '.current-env');
    const saved = readFileSync(file, 'utf8');
    writeFileSync(file, 'Not Valid!\n');
    try {
      expectClean(['current'], 2, /\.current-env holds "Not Valid!\\n", which is not a valid environment name/);
    } finally {
      writeFileSync(file, saved);
    }
  });

  it('missing, malformed and invalid config files', () => {
    const tmp = tempDir();
    try {
      expectClean(['list'], 2, /no fork-stack.toml found in .* or any parent directory[\s\S]*fork-stack init/, tmp.dir);
      writeFileSync(path.join(tmp.dir, 'fork-stack.toml'), 'project = "x"\n[database\nprovider = "sqlite"\n');
      expectClean(['list'], 2, /fork-stack.toml:2:\d+: not valid TOML/, tmp.dir);
      writeFileSync(path.join(tmp.dir, 'fork-stack.toml'), 'project = "x"\n[database]\nprovider = "oracle"\n');
      expectClean(['create', 'alice'], 2, /\[database\] provider: unknown database provider "oracle"/, tmp.dir);
      expectClean(['list', '--config', 'nope.toml'], 2, /config file .*nope.toml does not exist/, tmp.dir);
    } finally {
      tmp.cleanup();
    }
  });

  it('errors are also JSON on stdout with --json', () => {
    const result = project.run(['create', 'Bad', '--json']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { exitCode: 2, message: expect.stringMatching(/invalid environment name/) } });
  });

  it('init with flags refuses to overwrite a config without --force', () => {
    mkdirSync(path.join(project.dir, 'sub'), { recursive: true });
    expectClean(['init', '--yes', '--database', 'sqlite'], 2, /fork-stack.toml already exists/);
  });
});

/**
 * One writer for every command's result (table, JSON, YAML) and one error renderer that honours
 * NO_COLOR, --no-color and a machine format.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { providerNames } from '../../src/providers/registry.js';
import { CLI, localProject, runCli, tempDir } from '../helpers/cli.js';

let project: ReturnType<typeof localProject>;
beforeAll(() => {
  project = localProject('output');
});
afterAll(() => project.cleanup());

/** `script` gives the CLI a terminal, where colours are on unless something turns them off. */
const hasScript = process.platform === 'linux' && spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

function onTerminal(args: string[], cwd: string): string {
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm' };
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  const quoted = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return spawnSync('script', ['-qec', quoted, '/dev/null'], { cwd, env, encoding: 'utf8', timeout: 60_000 }).stdout;
}

describe('output formats', () => {
  it('--output yaml prints the same data as --json', () => {
    for (const args of [['list'], ['current'], ['status'], ['env']]) {
      const json = project.run([...args, '--json']);
      const yaml = project.run([...args, '--output', 'yaml']);
      expect(yaml.code, yaml.stderr).toBe(0);
      expect(parseYaml(yaml.stdout)).toEqual(JSON.parse(json.stdout));
    }
  });

  it('-o json is --json, on the fast path and through the full parser', () => {
    for (const args of [['current'], ['list'], ['secrets', 'list']]) {
      expect(project.run(['-o', 'json', ...args]).stdout).toBe(project.run(['--json', ...args]).stdout);
    }
  });

  it('errors are YAML on stdout with --output yaml, exit 2', () => {
    const result = project.run(['create', 'Bad', '--output', 'yaml']);
    expect(result.code).toBe(2);
    expect(parseYaml(result.stdout)).toMatchObject({ error: { exitCode: 2, message: expect.stringMatching(/invalid environment name/) } });
  });

  it('--json with another --output is a usage error, exit 2', () => {
    const result = project.run(['list', '--json', '--output', 'yaml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/'--json' cannot be used with option '-o, --output <format>'/);
  });

  it('an unknown --output names the choices, exit 2', () => {
    const result = project.run(['list', '--output', 'xml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Allowed choices are table, json, yaml/);
  });
});

describe('help text from the registry', () => {
  it('init --help lists every registered provider of each kind, and none for the optional kinds', () => {
    // Wrapped at 80 columns off a terminal: compare with the wrapping undone.
    const help = runCli(['init', '--help'], { cwd: project.dir }).stdout.replace(/\s+/g, ' ');
    for (const kind of ['database', 'storage', 'secrets', 'cache', 'queue'] as const) {
      const listed = [...providerNames(kind), ...(kind === 'database' ? [] : ['none'])].join(', ');
      expect(help, kind).toMatch(new RegExp(`--${kind} <provider> [^(]*\\(${listed.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)`));
    }
  });
});

describe.skipIf(!hasScript)('the error renderer on a terminal', () => {
  it('an error on a terminal with --no-color carries no colour codes', () => {
    const tmp = tempDir();
    try {
      const plain = onTerminal(['switch', 'bad', '--no-color'], tmp.dir);
      expect(plain).toMatch(/error: no fork-stack\.toml found/);
      expect(plain).not.toMatch(/\x1b\[3\dm/);
      // Without it, the same error is red on a terminal: the check above is not vacuous.
      expect(onTerminal(['switch', 'bad'], tmp.dir)).toMatch(/\x1b\[31merror:\x1b\[39m no fork-stack\.toml found/);
    } finally {
      tmp.cleanup();
    }
  });
});

/**
 * The GitHub Action, run locally the way the runner runs it: action.yml's composite step maps the
 * inputs to INPUT_* variables and runs action/run.mjs; here the same script runs against a local-stack
 * project with fake GITHUB_OUTPUT, GITHUB_ENV and GITHUB_STEP_SUMMARY files, which are then parsed the
 * way the runner parses them. Every value must be masked (::add-mask::) before it reaches any file.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCRIPT = path.join(REPO, 'action', 'run.mjs');
const PACKAGE = path.join(REPO, 'packages', 'fork-stack');
const CLI = path.join(PACKAGE, 'dist', 'cli.js');
// A secret that tests quoting, multi-line masking and the delimiter-based file format.
const SECRET = 'sk_live_line1\nline2 with spaces $HOME %25 "quotes"';

interface ActionYaml {
  inputs: Record<string, { required?: boolean; default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: { id: string; run: string; env: Record<string, string> }[] };
}

/** GITHUB_OUTPUT / GITHUB_ENV as the runner reads them: `name<<DELIM` blocks and `name=value` lines. */
function parseFileCommands(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc as unknown as [string, string, string];
      const value: string[] = [];
      while (++i < lines.length && lines[i] !== delimiter) value.push(lines[i] as string);
      if (lines[i] !== delimiter) throw new Error(`unterminated ${name}`);
      out[name] = value.join('\n');
    } else {
      const eq = line.indexOf('=');
      out[line.slice(0, eq)] = line.slice(eq + 1);
    }
  }
  return out;
}

/** The secrets the runner would register from ::add-mask:: lines (data unescaped as the runner does). */
function masks(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('::add-mask::'))
    .map((l) => l.slice('::add-mask::'.length).replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%'));
}

describe('GitHub Action (action.yml + action/run.mjs)', () => {
  const action = parse(readFileSync(path.join(REPO, 'action.yml'), 'utf8')) as ActionYaml;
  let base: string;
  let project: string;
  let files: { output: string; env: string; summary: string };

  beforeAll(() => {
    base = mkdtempSync(path.join(os.tmpdir(), 'fork-stack-action-'));
    const workspace = path.join(base, 'workspace');
    project = path.join(workspace, 'app');
    mkdirSync(path.join(project, 'node_modules', '.bin'), { recursive: true });
    symlinkSync(PACKAGE, path.join(project, 'node_modules', 'fork-stack'));
    symlinkSync('../fork-stack/dist/cli.js', path.join(project, 'node_modules', '.bin', 'fork-stack'));
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', CI: 'true' };
    delete env.FORK_STACK_ENV;
    delete env.ENV;
    const init = spawnSync(process.execPath, [CLI, 'init', '--yes'], { cwd: project, env, encoding: 'utf8' });
    expect(init.status, init.stderr).toBe(0);
    const set = spawnSync(process.execPath, [CLI, 'secrets', 'set', 'STRIPE_KEY', '--env', 'dev'], { cwd: project, env, input: SECRET, encoding: 'utf8' });
    expect(set.status, set.stderr).toBe(0);
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  /** Run the script as the composite step does: inputs as INPUT_*, fresh runner files. */
  function runAction(inputs: Record<string, string>) {
    const dir = mkdtempSync(path.join(base, 'run-'));
    files = { output: path.join(dir, 'output'), env: path.join(dir, 'env'), summary: path.join(dir, 'summary') };
    for (const file of Object.values(files)) writeFileSync(file, '');
    const env: NodeJS.ProcessEnv = { ...process.env, GITHUB_WORKSPACE: path.dirname(project), GITHUB_OUTPUT: files.output, GITHUB_ENV: files.env, GITHUB_STEP_SUMMARY: files.summary };
    for (const key of Object.keys(env)) if (key.startsWith('INPUT_') || key === 'FORK_STACK_ENV' || key === 'ENV') delete env[key];
    // Defaults from action.yml, then the inputs given, named as the composite step names them.
    const step = action.runs.steps[0]!;
    for (const [name, spec] of Object.entries(action.inputs)) {
      const variable = Object.entries(step.env).find(([, expr]) => expr === `\${{ inputs.${name} }}`)?.[0];
      if (!variable) throw new Error(`action.yml does not pass input ${name} to the script`);
      env[variable] = inputs[name] ?? spec.default ?? '';
    }
    const result = spawnSync(process.execPath, [SCRIPT], { cwd: base, env, encoding: 'utf8' });
    return {
      ...result,
      outputs: parseFileCommands(readFileSync(files.output, 'utf8')),
      exported: parseFileCommands(readFileSync(files.env, 'utf8')),
      summary: readFileSync(files.summary, 'utf8'),
    };
  }

  it('is a composite action whose outputs are the ones the script writes', () => {
    expect(action.runs.using).toBe('composite');
    expect(action.runs.steps[0]?.run).toContain('$GITHUB_ACTION_PATH/action/run.mjs');
    for (const name of ['command', 'env', 'from']) expect(action.inputs[name], name).toBeDefined();
    for (const [name, spec] of Object.entries(action.outputs)) {
      expect(spec.value, name).toBe(`\${{ steps.fork-stack.outputs.${name} }}`);
    }
  });

  it('create: forks the environment, masks every value, then outputs and exports the variables', () => {
    const result = runAction({ command: 'create', env: 'pr-42', from: 'dev', 'working-directory': 'app', ttl: '3d' });
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
    const variables = JSON.parse(result.outputs.variables ?? '{}') as Record<string, string>;
    expect(variables.FORK_STACK_ENV).toBe('pr-42');
    expect(variables.STRIPE_KEY).toBe(SECRET);
    expect(variables.DATABASE_URL).toMatch(/^file:.*\/app\.pr-42\.db$/);
    expect(result.outputs).toMatchObject({ env: 'pr-42', created: 'true', 'database-url': variables.DATABASE_URL, 'bucket-name': variables.BUCKET_NAME });
    expect(result.outputs['cache-url']).toBe('');

    // Masks come first on stdout, one per value (and per line of a multi-line value).
    const registered = masks(result.stdout);
    for (const [key, value] of Object.entries(variables)) {
      if (key === 'FORK_STACK_ENV') expect(registered).not.toContain(value);
      else expect(registered, key).toContain(value);
    }
    expect(registered).toContain('sk_live_line1');
    expect(registered).toContain('line2 with spaces $HOME %25 "quotes"');
    expect(result.stdout.indexOf('::add-mask::')).toBe(0);

    // Every variable reaches the following steps, byte for byte; none leaks into the summary.
    expect(result.exported).toEqual(variables);
    expect(result.summary).toContain('pr-42');
    expect(result.summary).not.toContain('sk_live');
    expect(result.stderr).not.toContain('sk_live');
  });

  it('create again: reuses the existing environment (a new push to the same pull request)', () => {
    const result = runAction({ command: 'create', env: 'pr-42', 'working-directory': 'app' });
    expect(result.status, result.stderr).toBe(0);
    expect(result.outputs.created).toBe('false');
    expect(JSON.parse(result.outputs.variables ?? '{}').FORK_STACK_ENV).toBe('pr-42');
  });

  it('create with if-exists: fail refuses an existing environment', () => {
    const result = runAction({ command: 'create', env: 'pr-42', 'working-directory': 'app', 'if-exists': 'fail' });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('::error title=fork-stack::');
    expect(result.stdout).toContain('already exists');
  });

  it('env: reads the variables without exporting them when export-env is false', () => {
    const result = runAction({ command: 'env', env: 'pr-42', 'working-directory': 'app', 'export-env': 'false' });
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.outputs.variables ?? '{}').STRIPE_KEY).toBe(SECRET);
    expect(masks(result.stdout)).toContain(SECRET);
    expect(result.exported).toEqual({});
  });

  it('delete: removes the environment, and deleting it again succeeds with deleted=false', () => {
    const first = runAction({ command: 'delete', env: 'pr-42', 'working-directory': 'app' });
    expect(first.status, first.stderr).toBe(0);
    expect(first.outputs).toEqual({ env: 'pr-42', deleted: 'true' });
    const list = spawnSync(process.execPath, [CLI, 'list', '--json'], { cwd: project, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect((JSON.parse(list.stdout) as { environments: { name: string }[] }).environments.map((e) => e.name)).not.toContain('pr-42');
    const again = runAction({ command: 'delete', env: 'pr-42', 'working-directory': 'app' });
    expect(again.status, again.stderr).toBe(0);
    expect(again.outputs.deleted).toBe('false');
  });

  it('rejects bad inputs with exit 2 and an error annotation, writing nothing', () => {
    const bad = runAction({ command: 'deploy', env: 'pr-1', 'working-directory': 'app' });
    expect(bad.status).toBe(2);
    expect(bad.stdout).toMatch(/::error title=fork-stack::input command must be one of create, delete, env/);
    expect(bad.outputs).toEqual({});
    const protectedEnv = runAction({ command: 'delete', env: 'dev', 'working-directory': 'app' });
    expect(protectedEnv.status).toBe(2);
    expect(protectedEnv.stdout).toContain('protected');
    const missingCli = runAction({ command: 'env', env: 'dev', 'working-directory': '.' });
    expect(missingCli.status).toBe(2);
    expect(missingCli.stdout).toContain('fork-stack is not installed');
  });
});

/**
 * The npm packages as users get them: `npm pack` (with its prepack: a clean build and the LICENSE) in a
 * copy of the repository — so the live dist/ other tests run is never rebuilt under them — then each
 * tarball installed into an empty project and used: the CLI, the runtime reader from ESM and CommonJS
 * (types included), and `npx create-fork-stack` writing a project whose own tests pass after
 * `npm install`. Dependencies come from the npm cache (--prefer-offline); the registry is the fallback.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'fork-stack-npm-pack-'));
const stage = path.join(tmp, 'repo');
const tarballs = path.join(tmp, 'tarballs');
const consumer = path.join(tmp, 'consumer');
const engineVersion = (JSON.parse(readFileSync(path.join(REPO, 'packages/fork-stack/package.json'), 'utf8')) as { version: string }).version;
const { CONTRACT_VERSION } = await import('../../packages/fork-stack/src/version.js');

interface Packed {
  filename: string;
  files: { path: string; size: number }[];
}
const packed: Record<string, Packed> = {};

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): SpawnSyncReturns<string> {
  const clean: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
  // Nothing of this checkout's npm run (workspace, prefix) or fork-stack selection leaks in.
  for (const key of ['FORK_STACK_ENV', 'ENV', 'npm_config_workspace', 'npm_config_workspaces', 'INIT_CWD']) delete clean[key];
  Object.assign(clean, env);
  return spawnSync(command, args, { cwd, env: clean, encoding: 'utf8', timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
}

function ok(result: SpawnSyncReturns<string>): string {
  expect(result.status, `exit ${result.status}${result.error ? ` ${result.error.message}` : ''}\n${result.stdout}\n${result.stderr}`.slice(-6000)).toBe(0);
  return result.stdout;
}

/** The files git keeps under a repository folder (what a clean clone has). */
function keptFiles(dir: string): string[] {
  const git = run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', dir], REPO);
  if (git.status !== 0) throw new Error(`git ls-files failed: ${git.stderr}`);
  return git.stdout.split('\0').filter((f) => f && existsSync(path.join(REPO, f)));
}

/** A clean-clone-like copy of what the two packages build from, sharing this checkout's node_modules. */
function stageRepository(): void {
  const sources = ['LICENSE', 'tsconfig.base.json', 'scripts/prepack.mjs', 'packages/fork-stack', 'packages/create-fork-stack', 'packages/provider-kit', 'packages/provider-fakes/src', 'packages/provider-fakes/package.json', 'templates/base', 'docs/ci', 'stacks'];
  // The kit's ./testing entry is built from the contract suites fork-stack's own tests use.
  const kitSources = /^packages\/fork-stack\/test\/helpers\/(provider|ownership)-contract\.ts$/;
  for (const source of sources) {
    for (const file of keptFiles(source)) {
      if (/^packages\/[^/]+\/test\//.test(file) && !kitSources.test(file)) continue;
      mkdirSync(path.dirname(path.join(stage, file)), { recursive: true });
      copyFileSync(path.join(REPO, file), path.join(stage, file));
    }
  }
  symlinkSync(path.join(REPO, 'node_modules'), path.join(stage, 'node_modules'));
}

function pack(name: string): Packed {
  const stdout = ok(run('npm', ['pack', '--json', '--pack-destination', tarballs], path.join(stage, 'packages', name)));
  // npm prints the prepack scripts' output before the JSON.
  const [result] = JSON.parse(stdout.slice(stdout.indexOf('[\n'))) as Packed[];
  return result as Packed;
}

beforeAll(() => {
  mkdirSync(tarballs, { recursive: true });
  stageRepository();
  packed['fork-stack'] = pack('fork-stack');
  packed['create-fork-stack'] = pack('create-fork-stack');
  packed['@fork-stack/provider-kit'] = pack('provider-kit');
  mkdirSync(consumer);
  writeFileSync(path.join(consumer, 'package.json'), `${JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }, null, 2)}\n`);
  ok(run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...Object.values(packed).map((p) => path.join(tarballs, p.filename))], consumer));
}, 900_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const paths = (name: string) => (packed[name]?.files ?? []).map((f) => f.path).sort();

describe('npm pack: exactly what is needed', () => {
  it('fork-stack: built dist/ with types, the JSON Schema, README, CHANGELOG, LICENSE; no sources, tests or maps', () => {
    const files = paths('fork-stack');
    for (const required of [
      'package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'schema/fork-stack.schema.json',
      'dist/cli.js', 'dist/index.js', 'dist/index.d.ts', 'dist/runtime.js', 'dist/runtime.cjs', 'dist/runtime.d.ts', 'dist/runtime.d.cts',
    ]) expect(files, required).toContain(required);
    const unexpected = files.filter((f) => !/^(package\.json|README\.md|CHANGELOG\.md|LICENSE|schema\/fork-stack\.schema\.json|dist\/[\w.-]+\.(js|cjs|d\.ts|d\.cts))$/.test(f));
    expect(unexpected).toEqual([]);
    expect(readFileSync(path.join(consumer, 'node_modules/fork-stack/LICENSE'), 'utf8')).toBe(readFileSync(path.join(REPO, 'LICENSE'), 'utf8'));
  });

  it('create-fork-stack: the CLI and its templates (readers, starters, CI, every stack in index.json); no tests or sources', () => {
    const files = paths('create-fork-stack');
    for (const required of ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'dist/cli.js']) expect(files, required).toContain(required);
    const unexpected = files.filter((f) => !/^(package\.json|README\.md|CHANGELOG\.md|LICENSE|dist\/[\w.-]+\.js|dist\/templates\/.+)$/.test(f));
    expect(unexpected).toEqual([]);
    for (const language of ['typescript', 'python', 'go', 'rust']) {
      expect(files, language).toContain(`dist/templates/base/${language}/Makefile.base`);
      expect(files, language).toContain(`dist/templates/base/${language}/_gitignore`);
      expect(files.some((f) => f.startsWith(`dist/templates/starter/${language}/`)), language).toBe(true);
    }
    // The readers' own tests and packaging are not templates.
    expect(files.filter((f) => /^dist\/templates\/base\/.*(test_|_test\.go|\/tests\/|pyproject|Cargo\.toml|CHANGELOG)/.test(f))).toEqual([]);
    expect(files.filter((f) => /(^|\/)(\.gitignore|node_modules\/|\.fork-stack\/|\.current-env|target\/|__pycache__\/)/.test(f))).toEqual([]);
    const index = JSON.parse(readFileSync(path.join(REPO, 'stacks/index.json'), 'utf8')) as { stacks: { name: string }[] };
    expect(files).toContain('dist/templates/stacks/index.json');
    for (const { name } of index.stacks) expect(files, `stack ${name}`).toContain(`dist/templates/stacks/${name}/fork-stack.toml`);
    expect(files).toContain('dist/templates/ci/github/preview.yml');
  });
});

describe('npm pack: the provider kit', () => {
  it('@fork-stack/provider-kit: dist/ with types for ., ./testing and ./fakes, README, CHANGELOG, LICENSE; no sources or tests', () => {
    const files = paths('@fork-stack/provider-kit');
    for (const required of ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts', 'dist/testing.js', 'dist/testing.d.ts', 'dist/fakes.js', 'dist/fakes.d.ts']) {
      expect(files, required).toContain(required);
    }
    const unexpected = files.filter((f) => !/^(package\.json|README\.md|CHANGELOG\.md|LICENSE|dist\/[\w.-]+\.(js|d\.ts))$/.test(f));
    expect(unexpected).toEqual([]);
  });

  it('installed beside fork-stack: one provider API, and a package schema made with it passes fork-stack\'s checks', () => {
    const script = [
      "import { PROVIDER_API_VERSION as engine } from 'fork-stack';",
      "import { PROVIDER_API_VERSION as kit, defineProviderSchema, z, UsageError } from '@fork-stack/provider-kit';",
      "const made = defineProviderSchema({ kind: 'cache', schema: z.strictObject({ prefix: z.string().default('x') }), example: '' });",
      "console.log(engine === kit, made.providerApi === engine, made.schema.parse({}).prefix, new UsageError('u').exitCode);",
    ].join('\n');
    expect(ok(run(process.execPath, ['--input-type=module', '-e', script], consumer)).trim()).toBe('true true x 2');
  });
});

describe('installed from the tarballs', () => {
  it('npx fork-stack --help and --version', () => {
    expect(ok(run('npx', ['--no-install', 'fork-stack', '--help'], consumer))).toContain('Usage: fork-stack');
    expect(ok(run('npx', ['--no-install', 'fork-stack', '--version'], consumer)).trim()).toBe(`fork-stack ${engineVersion} (variables contract ${CONTRACT_VERSION})`);
  });

  it('npx fork-stack init, then create alice on the local stack', () => {
    const project = path.join(consumer, 'project');
    mkdirSync(project);
    const init = run('npx', ['--no-install', 'fork-stack', 'init', '--yes'], project);
    ok(init);
    expect(readFileSync(path.join(project, 'fork-stack.toml'), 'utf8')).toMatch(/^project = "project"$/m);
    ok(run('npx', ['--no-install', 'fork-stack', 'create', 'alice'], project));
    const list = JSON.parse(ok(run('npx', ['--no-install', 'fork-stack', 'list', '--json'], project))) as unknown;
    expect(JSON.stringify(list)).toContain('"alice"');
  });

  it('fork-stack/runtime from ESM and CommonJS, and the engine library from ESM', () => {
    const env = { FORK_STACK_ENV: 'alice' };
    const esm = run(process.execPath, ['--input-type=module', '-e', "import { getCurrentEnv, CONTRACT_VERSION } from 'fork-stack/runtime'; console.log(getCurrentEnv(), CONTRACT_VERSION);"], consumer, env);
    expect(ok(esm).trim()).toBe(`alice ${CONTRACT_VERSION}`);
    const cjs = run(process.execPath, ['-e', "const r = require('fork-stack/runtime'); console.log(r.getCurrentEnv(), r.CONTRACT_VERSION, typeof r.EnvConfig);"], consumer, env);
    expect(ok(cjs).trim()).toBe(`alice ${CONTRACT_VERSION} function`);
    const library = run(process.execPath, ['--input-type=module', '-e', "import { VERSION, registry } from 'fork-stack'; console.log(VERSION, Object.keys(registry).join(','));"], consumer);
    expect(ok(library).trim()).toBe(`${engineVersion} database,storage,secrets,cache,queue`);
    const schema = run(process.execPath, ['-e', "const s = require('fork-stack/schema.json'); console.log(s.required.join(','), 'project' in s.properties, 'contract' in s.properties)"], consumer);
    expect(ok(schema).trim()).toBe('project true true');
  });

  it('the types resolve for ESM and CommonJS consumers', () => {
    writeFileSync(path.join(consumer, 'esm.mts'), "import { getDatabaseUrl, type ReaderOptions } from 'fork-stack/runtime';\nconst options: ReaderOptions = { cwd: '.' };\nexport const url: string = getDatabaseUrl(options);\n");
    writeFileSync(path.join(consumer, 'cjs.cts'), "import runtime = require('fork-stack/runtime');\nexport const env: string = runtime.getCurrentEnv();\n");
    const tsc = path.join(REPO, 'node_modules/typescript/bin/tsc');
    ok(run(process.execPath, [tsc, '--noEmit', '--strict', '--skipLibCheck', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--types', 'node', '--typeRoots', path.join(REPO, 'node_modules/@types'), 'esm.mts', 'cjs.cts'], consumer));
  });

  it('npx create-fork-stack writes a project whose own tests pass after npm install', () => {
    const index = JSON.parse(readFileSync(path.join(REPO, 'stacks/index.json'), 'utf8')) as { stacks: { name: string }[] };
    const stack = index.stacks.find((s) => s.name === 'typescript-sqlite-fs-dotenv' && existsSync(path.join(REPO, 'stacks', s.name)));
    // The local TypeScript stack when it is there; else the same choices, composed.
    const args = stack ? ['demo', '--stack', stack.name] : ['demo', '--language', 'typescript'];
    const created = ok(run('npx', ['--no-install', 'create-fork-stack', ...args], consumer));
    expect(created).toContain('wrote demo');
    expect(created).toContain('created the root environment "dev"');
    const demo = path.join(consumer, 'demo');
    expect(existsSync(path.join(demo, '.current-env'))).toBe(true);
    // fork-stack is not on the registry yet: the project gets it from the tarball, the rest as usual.
    ok(run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(tarballs, (packed['fork-stack'] as Packed).filename)], demo));
    ok(run('npm', ['test'], demo));
    ok(run('npx', ['--no-install', 'fork-stack', 'create', 'alice', '--switch'], demo));
    const app = run('npm', stack ? ['run', 'start'] : ['start'], demo);
    expect(ok(app)).toMatch(/alice/);
  });
});

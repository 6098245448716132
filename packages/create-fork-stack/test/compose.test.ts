/**
 * Projects composed from chosen parts (no stack matches them): in every language, the generated
 * project's own tests pass, and on the local stack the whole flow works from its Makefile — root
 * created by the scaffolder, make envs-new alice, the example app reads alice's values, back to dev.
 * Cloud compositions cover every registered provider's rendered config and the CI workflows.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { registry } from 'fork-stack';
import { afterAll, describe, expect, it } from 'vitest';
import { requireToolchain, toolchain, type Toolchain } from '../../../test/readers/toolchain.js';
import { loadCatalog, KINDS } from '../src/catalog.js';
import { planProject } from '../src/plan.js';
import { stagesOf } from '../src/ci.js';
import { linkDependencies, listFiles, output, PACKAGE, scaffold, sh, tempDir } from './helpers.js';

const TOOLCHAINS: Record<string, Toolchain> = {
  typescript: toolchain(process.execPath, ['--version'], 'Node.js 20.12 or newer'),
  python: toolchain('python3', ['--version'], 'install Python 3.9 or newer'),
  go: toolchain('go', ['version'], 'apt-get install golang-go, or https://go.dev/dl'),
  rust: toolchain('cargo', ['--version'], 'install Rust with rustup, https://rustup.rs'),
};
const make = toolchain('make', ['--version'], 'apt-get install make');
const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** Reader files each language's project must hold (the rest of templates/base stays out). */
const READER: Record<string, string[]> = {
  typescript: ['src/envUtils.ts', 'package.json', 'tsconfig.json'],
  python: ['env_utils.py', 'package.json'],
  go: ['envutils/envutils.go', 'envutils/resolve.go', 'go.mod', 'package.json'],
  rust: ['src/env_utils.rs', 'src/env_utils/reader.rs', 'Cargo.toml', 'package.json'],
};

describe.each(Object.keys(TOOLCHAINS))('%s, local stack, composed', (language) => {
  it('scaffolds, creates dev, forks alice with make, and the example app reads each environment', ({ skip }) => {
    requireToolchain(make, skip);
    requireToolchain(TOOLCHAINS[language] as Toolchain, skip);
    const name = `local-${language}`;
    // --bucket files: no stack has that bucket, so the project is composed, not a stack's copy.
    const result = scaffold([name, '--language', language, '--bucket', 'files'], tmp.dir);
    expect(result.status, output(result)).toBe(0);
    expect(result.stdout).toContain(`wrote ${name} (`);
    expect(result.stdout).toContain(`${language}, database sqlite, storage fs, secrets dotenv`);
    expect(result.stdout).toContain('created the root environment "dev"');
    const project = path.join(tmp.dir, name);
    const files = listFiles(project);
    for (const file of [...(READER[language] ?? []), 'fork-stack.toml', 'Makefile', 'Makefile.base', '.gitignore', 'README.md', '.current-env']) {
      expect(files, file).toContain(file);
    }
    // The reader's own tests and packaging stay in the repository.
    expect(files.filter((f) => /(^|\/)(test_env_utils\.py|envutils_test\.go|conformance\.rs|pyproject\.toml|CHANGELOG\.md)$/.test(f))).toEqual([]);
    const config = readFileSync(path.join(project, 'fork-stack.toml'), 'utf8');
    expect(config).toMatch(new RegExp(`^project = "${name}"\\ncontract = "1"$`, 'm'));
    expect(config).toContain('[storage.files]\nprovider = "fs"');

    linkDependencies(project);
    const test = sh('make test', project);
    expect(test.status, output(test)).toBe(0);
    if (language === 'typescript') {
      const typecheck = sh('npm run typecheck', project);
      expect(typecheck.status, output(typecheck)).toBe(0);
    }
    const fork = sh('make envs-new alice', project);
    expect(fork.status, output(fork)).toBe(0);
    const alice = sh('make run', project);
    expect(alice.status, output(alice)).toBe(0);
    expect(alice.stdout).toMatch(/environment: +alice/);
    expect(alice.stdout).toMatch(new RegExp(`DATABASE_URL: +file:.*/\\.fork-stack/data/${name}\\.alice\\.db`));
    expect(alice.stdout).toMatch(new RegExp(`BUCKET_NAME: +.*/${name}-bucket-alice`));
    const back = sh('make envs-switch dev && make run', project);
    expect(back.status, output(back)).toBe(0);
    expect(back.stdout).toMatch(/environment: +dev/);
    expect(existsSync(path.join(project, '.fork-stack', 'data', `${name}.alice.db`))).toBe(true);
  });
});

const CLOUD: [language: string, flags: string[], ci?: 'github' | 'gitlab'][] = [
  ['python', ['--database', 'turso', '--storage', 'tigris', '--secrets', 'aws-secrets', '--cache', 'upstash-redis', '--queue', 'upstash-qstash'], 'github'],
  ['go', ['--database', 'postgres', '--storage', 'r2', '--secrets', 'vault', '--cache', 'valkey', '--queue', 'inngest'], 'gitlab'],
  ['rust', ['--database', 'planetscale', '--storage', 's3', '--secrets', 'doppler', '--cache', 'redis-cloud', '--queue', 'bullmq']],
  ['typescript', ['--database', 'supabase', '--storage', 'none', '--secrets', 'none', '--cache', 'redis']],
];

describe.each(CLOUD)('%s, cloud providers, composed', (language, flags, ci) => {
  it('scaffolds without touching a provider; the next steps name the credentials; the tests pass', ({ skip }) => {
    requireToolchain(make, skip);
    requireToolchain(TOOLCHAINS[language] as Toolchain, skip);
    const name = `cloud-${language}`;
    const result = scaffold([name, '--language', language, ...flags, ...(ci ? ['--ci', ci] : [])], tmp.dir, {
      // No credentials here: the scaffolder must not need any.
      NEON_API_KEY: undefined,
      DOPPLER_TOKEN: undefined,
      AWS_ACCESS_KEY_ID: undefined,
    });
    expect(result.status, output(result)).toBe(0);
    expect(result.stdout).not.toContain('created the root environment');
    expect(result.stdout).toContain('npx fork-stack doctor');
    expect(result.stdout).toContain('Credentials come from environment variables only');
    const project = path.join(tmp.dir, name);
    const config = readFileSync(path.join(project, 'fork-stack.toml'), 'utf8');
    expect(config).toMatch(/^default_parent = "prod"\nroots = \["prod"\]$/m);
    expect(existsSync(path.join(project, '.current-env'))).toBe(false);
    const readme = readFileSync(path.join(project, 'README.md'), 'utf8');
    expect(readme).toContain('Credentials come from environment variables only');

    if (ci === 'github') {
      for (const file of ['test.yml', 'preview.yml', 'fork-stack-gc.yml']) {
        const workflow = parseYaml(readFileSync(path.join(project, '.github', 'workflows', file), 'utf8')) as { jobs?: object };
        expect(Object.keys(workflow.jobs ?? {}).length, file).toBeGreaterThan(0);
      }
    }
    if (ci === 'gitlab') {
      const root = parseYaml(readFileSync(path.join(project, '.gitlab-ci.yml'), 'utf8')) as { stages: string[]; include: { local: string }[] };
      expect(root.include.length).toBe(2);
      for (const { local } of root.include) {
        const included = parseYaml(readFileSync(path.join(project, local), 'utf8')) as Record<string, { stage?: string }>;
        const used = Object.values(included).flatMap((job) => (typeof job === 'object' && job && 'stage' in job && job.stage ? [job.stage] : []));
        for (const stage of used) expect(root.stages, `${local} uses stage ${stage}`).toContain(stage);
      }
    }

    linkDependencies(project);
    const test = sh('make test', project);
    expect(test.status, output(test)).toBe(0);
  });
});

describe('rendered configs', () => {
  it('every registered provider renders a config the engine accepts, in a composed project', async () => {
    const catalog = await loadCatalog(path.join(PACKAGE, 'dist', 'templates'));
    for (const kind of KINDS) {
      for (const provider of Object.keys(registry[kind])) {
        const plan = await planProject({
          templates: catalog.root,
          choices: { language: 'python', providers: { [kind]: provider }, bucket: 'uploads', project: 'every', root: 'prod' },
          forkStackRange: '^0.1.0',
          local: false,
        });
        expect(plan.config, `${kind} ${provider}`).toContain(`provider = "${provider}"`);
        expect(plan.files.map((f) => f.path)).toContain('env_utils.py');
      }
    }
  });

  it('reads the stages of a GitLab CI file', () => {
    expect(stagesOf('stages:\n  - test\n  - "preview" # comment\n\njob:\n  stage: test\n')).toEqual(['test', 'preview']);
    expect(stagesOf('job:\n  script: [x]\n')).toEqual([]);
  });
});

/**
 * Every stack is a self-contained, regular project: the files the scaffolder copies are there, the reader
 * is a byte-identical copy of templates/base (no second reader), Makefile.base and .gitignore too, the
 * Makefile includes Makefile.base and has the targets the README promises, fork-stack.toml validates with
 * the engine's own parser and names the providers index.json says, and the placeholders are marked.
 * The readers' convention blocks are generated from conformance/v1/conventions.json, and every copy of a
 * reader — stacks/ and examples/ — is checked by scripts/sync-readers.mjs (docs/architecture.md,
 * "Conventions as data").
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../packages/fork-stack/src/config/load.js';
import { checkLinks } from '../../scripts/docs/check-links.mjs';
// @ts-expect-error: a plain .mjs script without types
import { drift, FIX, loadConventions, readerCopies, REGIONS, renderTypeScript, replaceRegion } from '../../scripts/sync-readers.mjs';
import { readIndex, REPO, STACKS } from './harness.js';

const index = readIndex();
const read = (...parts: string[]) => readFileSync(path.join(...parts), 'utf8');

describe('stacks/index.json', () => {
  it('lists every stack folder exactly once, with a unique name of its parts', () => {
    const folders = readdirSync(STACKS, { withFileTypes: true })
      .filter((e) => e.isDirectory() && e.name !== 'community')
      .map((e) => e.name)
      .sort();
    expect(index.stacks.map((s) => s.name).sort()).toEqual(folders);
    for (const s of index.stacks) {
      const parts = [s.language, s.database, s.storage, s.secrets, s.cache, s.queue].filter(Boolean);
      expect(s.name, 'name = language-database-storage[-secrets][-cache][-queue]').toBe(parts.join('-').replace('upstash-redis-upstash-qstash', 'upstash-qstash'));
      expect(s.summary.length).toBeGreaterThan(20);
    }
  });

  it('has the stacks issue 7 asks for', () => {
    expect(index.stacks.map((s) => s.name)).toEqual(
      expect.arrayContaining([
        'python-turso-tigris-doppler', 'python-turso-tigris-doppler-upstash-qstash', 'python-neon-s3', 'python-supabase-tigris',
        'python-planetscale-r2', 'go-turso-tigris', 'go-neon-s3-vault', 'typescript-neon-s3', 'typescript-planetscale-r2-doppler',
        'rust-turso-tigris', 'typescript-sqlite-fs-dotenv', 'python-sqlite-fs-dotenv',
      ]),
    );
  });
});

describe.each(index.stacks)('stack $name', (stack) => {
  const dir = path.join(STACKS, stack.name);
  const reader = index.readers[stack.language];

  it('carries the reader and the base files byte for byte from templates/base', () => {
    for (const file of [...reader.files, ...index.base_files]) {
      expect(existsSync(path.join(dir, file)), `${stack.name}/${file}`).toBe(true);
      expect(read(dir, file), `${stack.name}/${file} drifted from ${reader.from}/${file}: run \`npm run sync-readers -- --write\``).toBe(read(REPO, reader.from, file));
    }
  });

  it('has README.md, fork-stack.toml, a Makefile on Makefile.base and an example/', () => {
    for (const file of ['README.md', 'fork-stack.toml', 'Makefile']) expect(existsSync(path.join(dir, file)), file).toBe(true);
    expect(readdirSync(path.join(dir, 'example')).length).toBeGreaterThan(0);
    const makefile = read(dir, 'Makefile');
    expect(makefile).toMatch(/^include Makefile\.base$/m);
    for (const target of ['test', 'test-integration', 'run']) expect(makefile, target).toMatch(new RegExp(`^(${target}|[\\w-]+ ${target}|${target} [\\w-]+)[ ]?:`, 'm'));
    const readme = read(dir, 'README.md');
    for (const words of ['make envs-new alice', 'make envs-switch', 'make envs-delete alice', 'make run', 'make test']) expect(readme, words).toContain(words);
    for (const variable of stack.credentials) expect(readme, `README names ${variable}`).toContain(variable);
  });

  it('fork-stack.toml validates with the engine and names the providers of its name', async () => {
    const file = path.join(dir, 'fork-stack.toml');
    const text = read(file);
    const config = await parseConfig(text, file);
    const provider = (id: string) => config.slots.find((s) => s.id === id || s.id.startsWith(`${id}.`))?.provider ?? null;
    expect({ database: provider('database'), storage: provider('storage'), secrets: provider('secrets'), cache: provider('cache'), queue: provider('queue') }).toEqual({
      database: stack.database, storage: stack.storage, secrets: stack.secrets, cache: stack.cache, queue: stack.queue,
    });
    expect(config.project).toBe('myapp');
    expect(config.defaultParent).toBe(stack.parent);
    expect(config.roots).toEqual(stack.roots);
    for (const { key, value } of stack.placeholders) {
      const line = text.split('\n').find((l) => l.startsWith(`${key.split('.').pop()} = "${value}"`));
      expect(line, `${key} = "${value}"`).toBeDefined();
      expect(line, `${key} is marked as a placeholder`).toMatch(/# CHANGE ME/);
    }
  });
});

describe('reader copies and generated conventions (npm run sync-readers)', () => {
  it('every generated block, the runtime\'s constants and every copy under stacks/ and examples/ match conformance/v1/conventions.json', () => {
    expect(drift(), `drifted from conformance/v1/conventions.json or templates/base: run \`${FIX}\``).toEqual([]);
  });

  it('checks the examples\' reader copies too', () => {
    const files = (readerCopies() as { file: string }[]).map((c) => c.file);
    for (const file of ['examples/go-web/envutils/conventions.go', 'examples/python-turso-tigris-doppler/env_utils.py', 'examples/typescript-web/envUtils.ts']) expect(files).toContain(file);
  });

  it('a default changed in conventions.json reaches the TypeScript runtime and the Python, Go and Rust readers', () => {
    const conventions = loadConventions();
    const changed = { ...conventions, default_cache_prefix: { ...conventions.default_cache_prefix, value: 'changed:{project}:{env}:' } };
    const generated = [
      renderTypeScript(changed),
      ...Object.entries(REGIONS as Record<string, { file: string }>).map(([language, { file }]) => replaceRegion(readFileSync(path.join(REPO, file), 'utf8'), language, changed)),
    ];
    for (const text of generated) {
      expect(text).toContain('changed:{project}:{env}:');
      expect(text, 'the old default is gone').not.toMatch(/["']\{project\}:\{env\}:["']/);
    }
  });

  it('sync-readers --check lists a drifted examples/ copy and a hand-edited generated block, and --write repairs them', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'fork-stack-sync-'));
    try {
      const skip = /(^|\/)(node_modules|target|__pycache__|\.venv|\.fork-stack)(\/|$)/;
      for (const dir of ['conformance', 'templates/base', 'stacks', 'examples', 'packages/fork-stack/src/runtime']) {
        cpSync(path.join(REPO, dir), path.join(root, dir), { recursive: true, filter: (f) => !skip.test(path.relative(REPO, f)) });
      }
      const sync = (mode: string) => spawnSync(process.execPath, [path.join(REPO, 'scripts/sync-readers.mjs'), mode, '--root', root], { encoding: 'utf8' });
      expect(sync('--check').status, sync('--check').stderr).toBe(0);

      const example = path.join(root, 'examples/go-web/envutils/toml.go');
      const template = path.join(root, 'templates/base/python/env_utils.py');
      const [exampleText, templateText] = [readFileSync(example, 'utf8'), readFileSync(template, 'utf8')];
      writeFileSync(example, `${exampleText}// a local edit\n`);
      writeFileSync(template, templateText.replace('DEFAULT_QUEUE_PREFIX = "bull:{project}:{env}"', 'DEFAULT_QUEUE_PREFIX = "edited"'));

      const check = sync('--check');
      expect(check.status).toBe(1);
      expect(check.stderr).toContain('examples/go-web/envutils/toml.go');
      expect(check.stderr).toContain('templates/base/python/env_utils.py');
      expect(check.stderr).toContain(FIX);

      expect(sync('--write').status).toBe(0);
      expect(sync('--check').status).toBe(0);
      expect(readFileSync(example, 'utf8')).toBe(exampleText);
      expect(readFileSync(template, 'utf8')).toBe(templateText);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('links', () => {
  it('every relative link in the stacks\' READMEs and docs/stacks pages resolves', async () => {
    const files = [
      ...index.stacks.map((s) => path.join(STACKS, s.name, 'README.md')),
      ...index.stacks.map((s) => path.join(REPO, 'docs', 'stacks', `${s.name}.md`)),
    ].filter((f) => existsSync(f));
    expect(await checkLinks(files)).toEqual([]);
  });
});

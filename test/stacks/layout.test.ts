/**
 * Every stack is a self-contained, regular project: the files the scaffolder copies are there, the reader
 * is a byte-identical copy of templates/base (no second reader), Makefile.base and .gitignore too, the
 * Makefile includes Makefile.base and has the targets the README promises, fork-stack.toml validates with
 * the engine's own parser and names the providers index.json says, and the placeholders are marked.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../packages/fork-stack/src/config/load.js';
import { checkLinks } from '../../scripts/docs/check-links.mjs';
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
      expect(read(dir, file), `${stack.name}/${file} drifted from ${reader.from}/${file}: copy it again`).toBe(read(REPO, reader.from, file));
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

describe('links', () => {
  it('every relative link in the stacks\' READMEs and docs/stacks pages resolves', async () => {
    const files = [
      ...index.stacks.map((s) => path.join(STACKS, s.name, 'README.md')),
      ...index.stacks.map((s) => path.join(REPO, 'docs', 'stacks', `${s.name}.md`)),
    ].filter((f) => existsSync(f));
    expect(await checkLinks(files)).toEqual([]);
  });
});

import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync, readlinkSync, lstatSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { provider } from '../../src/providers/storage/fs.js';
import { schema, type FsOptions } from '../../src/providers/storage/fs.schema.js';
import { testContext } from '../helpers/context.js';

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

function ctx(bucket = { name: 'uploads', isDefault: true }, options: Record<string, unknown> = {}) {
  return testContext<FsOptions>({ kind: 'storage', slot: `storage.${bucket.name}`, root, schema, options, bucket });
}

function treeHash(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      const st = lstatSync(p);
      const rel = path.relative(dir, p);
      if (st.isSymbolicLink()) out[rel] = `link:${readlinkSync(p)}`;
      else if (st.isDirectory()) walk(p);
      else out[rel] = `${createHash('sha256').update(readFileSync(p)).digest('hex')}:${(st.mode & 0o777).toString(8)}`;
    }
  };
  walk(dir);
  return out;
}

describe('fs storage provider', () => {
  it('forks a tree byte-identically, keeps modes and links, leaves the parent unchanged', async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'fs-storage-'));
    const c = ctx();
    await provider.createEmpty(c, 'dev');
    const dev = (await provider.variables(c, 'dev')).BUCKET_NAME as string;
    mkdirSync(path.join(dev, 'deep/a/b/c'), { recursive: true });
    for (let i = 0; i < 300; i++) writeFileSync(path.join(dev, 'deep/a', `file ${i} ü+%.txt`), `content ${i}`.repeat(i));
    writeFileSync(path.join(dev, 'empty'), '');
    writeFileSync(path.join(dev, 'script.sh'), '#!/bin/sh\n', { mode: 0o755 });
    symlinkSync('deep/a/file 1 ü+%.txt', path.join(dev, 'link'));
    const before = treeHash(dev);
    const resource = await provider.fork(c, { env: 'alice', parent: 'dev' });
    expect(resource).toMatchObject({ env: 'alice', state: 'ready' });
    const vars = await provider.variables(c, 'alice');
    expect(vars).toEqual({ BUCKET_NAME: path.join(root, '.fork-stack/buckets/app-bucket-alice'), BUCKET_UPLOADS: path.join(root, '.fork-stack/buckets/app-bucket-alice') });
    expect(treeHash(vars.BUCKET_NAME as string)).toEqual(before);
    writeFileSync(path.join(vars.BUCKET_NAME as string, 'new'), 'x');
    expect(treeHash(dev)).toEqual(before);
    expect(c.progressLog.length).toBeGreaterThan(0);
  });

  it('names non-default buckets {project}-{bucket}-{env}, lists and removes', async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'fs-storage-'));
    const c = ctx({ name: 'assets', isDefault: false });
    await provider.createEmpty(c, 'dev');
    await provider.fork(c, { env: 'pr-7', parent: 'dev' });
    expect(provider.resourceName(c, 'pr-7')).toBe('app-assets-pr-7');
    expect(await provider.variables(c, 'pr-7')).toEqual({ BUCKET_ASSETS: path.join(root, '.fork-stack/buckets/app-assets-pr-7') });
    expect((await provider.list(c)).map((r) => r.env).sort()).toEqual(['dev', 'pr-7']);
    await provider.remove(c, { env: 'pr-7' });
    await provider.remove(c, { env: 'pr-7' });
    expect(await provider.find(c, 'pr-7')).toBeUndefined();
  });

  it('an interrupted fork leaves no bucket, and the next fork replaces the partial copy', async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'fs-storage-'));
    const controller = new AbortController();
    const c = { ...ctx(), signal: controller.signal };
    await provider.createEmpty(c, 'dev');
    const dev = (await provider.variables(c, 'dev')).BUCKET_NAME as string;
    for (let i = 0; i < 2000; i++) writeFileSync(path.join(dev, `f${i}`), 'x');
    controller.abort(new Error('stop'));
    await expect(provider.fork(c, { env: 'alice', parent: 'dev' })).rejects.toThrow();
    expect(await provider.find(c, 'alice')).toBeUndefined();
    await provider.fork(ctx(), { env: 'alice', parent: 'dev' });
    expect(readdirSync(path.join(root, '.fork-stack/buckets/app-bucket-alice'))).toHaveLength(2000);
    expect(readdirSync(path.join(root, '.fork-stack/buckets')).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('fails clearly when the parent is missing', async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'fs-storage-'));
    await expect(provider.fork(ctx(), { env: 'alice', parent: 'dev' })).rejects.toThrow(/parent bucket directory .* does not exist/);
    expect(statSync(root).isDirectory()).toBe(true);
  });
});

/**
 * The engine's seeding around `init`'s roots: a seed that fails (or is killed) is owed, and the next
 * `init` finishes it; a root that was there before is never seeded; a provider that cannot seed is a
 * config error up front.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareRoots } from '../../src/engine/init.js';
import { OperationError, UsageError } from '../../src/core/errors.js';
import { provider as fsProvider } from '../../src/providers/storage/fs.js';
import type { Provider } from '../../src/providers/types.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function project(): string {
  dir = mkdtempSync(path.join(os.tmpdir(), 'fork-stack-engine-seeds-'));
  mkdirSync(path.join(dir, 'seed/uploads'), { recursive: true });
  writeFileSync(path.join(dir, 'seed/uploads/a.txt'), 'a');
  writeFileSync(
    path.join(dir, 'fork-stack.toml'),
    'project = "seedy"\nroots = ["dev"]\n\n[storage.uploads]\nprovider = "fs"\nseed_dir = "seed/uploads"\n',
  );
  return dir;
}

const bucketDir = (root: string) => path.join(root, '.fork-stack/buckets/seedy-bucket-dev');

describe('seeding the roots init creates', () => {
  it('a root whose seed failed is seeded by the next init (not left looking ready without its seed)', async () => {
    const root = project();
    const failing = { ...fsProvider, seed: async () => Promise.reject(new Error('disk full')) } as Provider<unknown>;
    const error = (await prepareRoots(path.join(root, 'fork-stack.toml'), { providers: { 'storage.uploads': failing } }).catch((e: unknown) => e)) as OperationError;
    expect(error).toBeInstanceOf(OperationError);
    expect(error.message).toMatch(/storage\.uploads \(fs\): seeding "dev" from seed\/uploads failed: disk full/);
    expect(error.hint).toMatch(/Run "fork-stack init" again to finish seeding root "dev"/);
    expect(existsSync(bucketDir(root))).toBe(true);
    expect(existsSync(path.join(bucketDir(root), 'a.txt'))).toBe(false);

    const again = await prepareRoots(path.join(root, 'fork-stack.toml'));
    expect(again.seeded).toEqual([{ slot: 'storage.uploads', env: 'dev', source: 'seed/uploads', objects: 1, bytes: 1 }]);
    expect(existsSync(path.join(bucketDir(root), 'a.txt'))).toBe(true);
    // Seeded once: the next init owes nothing.
    expect((await prepareRoots(path.join(root, 'fork-stack.toml'))).seeded).toEqual([]);
  });

  it('a root that existed before seed_dir was configured is never seeded', async () => {
    const root = project();
    mkdirSync(bucketDir(root), { recursive: true });
    writeFileSync(path.join(bucketDir(root), 'mine.txt'), 'mine');
    expect((await prepareRoots(path.join(root, 'fork-stack.toml'))).seeded).toEqual([]);
    expect(existsSync(path.join(bucketDir(root), 'a.txt'))).toBe(false);
  });

  it('seed_dir on a storage provider that cannot write objects is a usage error before any root is made', async () => {
    const root = project();
    const { seed: _ignored, ...unable } = fsProvider;
    const error = await prepareRoots(path.join(root, 'fork-stack.toml'), { providers: { 'storage.uploads': unable as Provider<unknown> } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).details.join('\n')).toMatch(/\[storage\.uploads\] provider "fs" cannot write objects, so seed_dir cannot be used with it/);
    expect(existsSync(bucketDir(root))).toBe(false);
  });
});

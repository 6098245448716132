/**
 * Seeds through each kind's providers: seed_dir's objects into S3 buckets (s3rver, bucket and prefix
 * mode) exactly as read from disk; seed_file's defaults into secrets (the Vault KV v2 fake, dotenv files)
 * without ever overwriting a key the environment has.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFake } from '@fork-stack/provider-fakes';
import { startS3Server, startTigrisFake, type S3Server } from '@fork-stack/provider-fakes/s3';
import { provider as tigris } from '../../src/providers/storage/tigris.js';
import { schema as tigrisSchema, type TigrisOptions } from '../../src/providers/storage/tigris.schema.js';
import type { SlotConfig } from '../../src/config/load.js';
import type { LoadedSlot } from '../../src/engine/context.js';
import { applySeed, seedObjects, seedValues, type Seed } from '../../src/engine/seeds.js';
import { provider as dotenv } from '../../src/providers/secrets/dotenv.js';
import { schema as dotenvSchema, type DotenvOptions } from '../../src/providers/secrets/dotenv.schema.js';
import { provider as vault } from '../../src/providers/secrets/vault.js';
import { schema as vaultSchema, type VaultOptions } from '../../src/providers/secrets/vault.schema.js';
import { provider as s3 } from '../../src/providers/storage/s3.js';
import { schema as s3Schema, type S3Options } from '../../src/providers/storage/s3.schema.js';
import type { Provider, ProviderContext } from '../../src/providers/types.js';
import { testContext } from '../helpers/context.js';
import { bodyHash, createBucket, listing } from '../helpers/s3-objects.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'fork-stack-seed-providers-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function slot(id: string, provider: Provider<unknown>, ctx: ProviderContext<unknown>): LoadedSlot {
  const config: SlotConfig = { id, kind: provider.kind, provider: provider.name, options: ctx.options, common: {} };
  return { config, provider, ctx };
}

/** A seed directory with awkward names, nesting and a link to a file inside it. */
function seedDir(): string {
  const dir = path.join(root, 'seed-uploads');
  mkdirSync(path.join(dir, 'avatars/2024'), { recursive: true });
  writeFileSync(path.join(dir, 'logo.svg'), '<svg/>');
  writeFileSync(path.join(dir, 'avatars/2024/ünï côde+plus.png'), Buffer.alloc(3000, 9));
  symlinkSync(path.join(dir, 'logo.svg'), path.join(dir, 'avatars/default.svg'));
  return dir;
}

describe('seed_dir, read by the engine', () => {
  it('keys are "/"-separated paths relative to seed_dir, sorted; a link to a file inside is followed', async () => {
    const objects = await seedObjects(root, path.relative(root, seedDir()));
    expect(objects.map((o) => [o.key, o.size])).toEqual([
      ['avatars/2024/ünï côde+plus.png', 3000],
      ['avatars/default.svg', 6],
      ['logo.svg', 6],
    ]);
  });

  it('a symlink to a directory inside seed_dir is refused (it could loop)', async () => {
    const dir = path.join(root, 'looping');
    mkdirSync(path.join(dir, 'a'), { recursive: true });
    symlinkSync(dir, path.join(dir, 'a/back'));
    await expect(seedObjects(root, 'looping')).rejects.toThrow(/a\/back is a symlink to a directory/);
  });

  it('a dangling symlink is refused, not skipped', async () => {
    const dir = path.join(root, 'dangling');
    mkdirSync(dir, { recursive: true });
    symlinkSync(path.join(dir, 'gone'), path.join(dir, 'x.txt'));
    await expect(seedObjects(root, 'dangling')).rejects.toThrow(/x\.txt is a symlink that leads outside the seed directory \(or nowhere\)/);
  });
});

describe('seed_dir into S3 buckets (s3rver)', () => {
  let server: S3Server;
  let client: S3Client;
  beforeAll(async () => {
    server = await startS3Server();
    client = server.client();
  });
  afterAll(() => server.close());

  const ctx = (project: string, options: Record<string, unknown> = {}) =>
    testContext<S3Options>({ kind: 'storage', slot: 'storage.uploads', project, root, schema: s3Schema, options, env: server.env, bucket: { name: 'uploads', isDefault: true } });

  it('bucket mode: every seed file becomes one object with the same bytes', async () => {
    const c = ctx('seedb');
    await createBucket(client, 'seedb-bucket-dev');
    const seed: Seed = { kind: 'objects', source: 'seed-uploads', objects: await seedObjects(root, 'seed-uploads') };
    const result = await applySeed(slot('storage.uploads', s3 as Provider<unknown>, c as ProviderContext<unknown>), 'dev', seed);
    expect(result).toMatchObject({ objects: 3, bytes: 3012 });
    expect([...(await listing(client, 'seedb-bucket-dev')).keys()].sort()).toEqual(['avatars/2024/ünï côde+plus.png', 'avatars/default.svg', 'logo.svg']);
    expect(await bodyHash(client, 'seedb-bucket-dev', 'avatars/default.svg')).toBe(await bodyHash(client, 'seedb-bucket-dev', 'logo.svg'));
  });

  it('prefix mode: a root is seeded at the top level, another environment under its prefix', async () => {
    await createBucket(client, 'shared-seed');
    const c = ctx('seedp', { mode: 'prefix', bucket: 'shared-seed' });
    const objects = await seedObjects(root, 'seed-uploads');
    await s3.seed(c as never, 'dev', objects);
    await s3.seed(c as never, 'alice', objects);
    const keys = [...(await listing(client, 'shared-seed')).keys()].sort();
    expect(keys).toEqual(['avatars/2024/ünï côde+plus.png', 'avatars/default.svg', 'forks/alice/avatars/2024/ünï côde+plus.png', 'forks/alice/avatars/default.svg', 'forks/alice/logo.svg', 'logo.svg']);
  });

  it("prefix mode: a seed file that would land in the forks' folder of a root is refused, nothing written", async () => {
    await createBucket(client, 'shared-seed-2');
    const c = ctx('seedq', { mode: 'prefix', bucket: 'shared-seed-2' });
    const file = path.join(root, 'seed-uploads/logo.svg');
    await expect(s3.seed(c as never, 'dev', [{ key: 'a.txt', file, size: 6 }, { key: 'forks/alice/x', file, size: 6 }])).rejects.toThrow(/fork-stack's own key forks\/alice\/x/);
    expect((await listing(client, 'shared-seed-2')).size).toBe(0);
  });
});

describe('seed_dir into a Tigris bucket (Tigris fake)', () => {
  it('every seed file becomes one object with the same bytes', async () => {
    const fake = await startTigrisFake();
    try {
      const c = testContext<TigrisOptions>({ kind: 'storage', slot: 'storage.uploads', project: 'seedt', root, schema: tigrisSchema, env: fake.env, bucket: { name: 'uploads', isDefault: true } });
      fake.createBucket(tigris.resourceName(c, 'dev'), { snapshots: true });
      await tigris.seed(c, 'dev', await seedObjects(root, 'seed-uploads'));
      const objects = fake.buckets.get(tigris.resourceName(c, 'dev'))?.objects;
      expect([...(objects?.keys() ?? [])].sort()).toEqual(['avatars/2024/ünï côde+plus.png', 'avatars/default.svg', 'logo.svg']);
      expect(objects?.get('avatars/2024/ünï côde+plus.png')?.body).toEqual(Buffer.alloc(3000, 9));
    } finally {
      await fake.close();
    }
  });
});

describe('seed_file into secrets', () => {
  it('parses the project dotenv dialect (quotes, export, comments)', async () => {
    writeFileSync(path.join(root, 'defaults.env'), '# defaults\nexport FEATURE="a b # not a comment"\nEMPTY=\nLOG_LEVEL=info # comment\n');
    expect(await seedValues(root, 'defaults.env')).toEqual({ FEATURE: 'a b # not a comment', EMPTY: '', LOG_LEVEL: 'info' });
  });

  it('vault (KV v2 fake): a seed key that exists is not overwritten; the missing ones are written; a second run writes nothing', async () => {
    const fake = await startFake('vault');
    try {
      const c = testContext<VaultOptions>({ kind: 'secrets', project: 'seedv', root, schema: vaultSchema, env: fake.env, roots: ['dev'] });
      const s = slot('secrets', vault as Provider<unknown>, c as ProviderContext<unknown>);
      // The adopted root's entry, made with Vault's own KV v2 API (as `vault kv put` would).
      const res = await fetch(`${fake.env.VAULT_ADDR}/v1/secret/data/seedv/dev`, {
        method: 'POST',
        headers: { 'x-vault-token': fake.env.VAULT_TOKEN as string, 'content-type': 'application/json' },
        body: JSON.stringify({ data: { SUPPORT_EMAIL: 'ops@real.example', API_KEY: 'sk_live_keep' } }),
      });
      expect(res.ok).toBe(true);
      const seed: Seed = { kind: 'values', source: 'defaults', values: { SUPPORT_EMAIL: 'help@example.com', LOG_LEVEL: 'debug', API_KEY: 'placeholder' } };
      const first = await applySeed(s, 'dev', seed);
      expect(first).toMatchObject({ keys: ['LOG_LEVEL'], kept: ['SUPPORT_EMAIL', 'API_KEY'] });
      expect(await vault.read(c, 'dev')).toEqual({ SUPPORT_EMAIL: 'ops@real.example', API_KEY: 'sk_live_keep', LOG_LEVEL: 'debug' });
      const second = await applySeed(s, 'dev', seed);
      expect(second.keys).toEqual([]);
      expect(fake.violations).toEqual([]);
    } finally {
      await fake.close();
    }
  });

  it('dotenv files: a seed key that exists is not overwritten', async () => {
    const c = testContext<DotenvOptions>({ kind: 'secrets', project: 'seedd', root, schema: dotenvSchema });
    await dotenv.createEmpty(c, 'dev');
    await dotenv.write(c, 'dev', { set: { SUPPORT_EMAIL: 'ops@real.example' } });
    const result = await applySeed(slot('secrets', dotenv as Provider<unknown>, c as ProviderContext<unknown>), 'dev', {
      kind: 'values',
      source: 'defaults',
      values: { SUPPORT_EMAIL: 'help@example.com', LOG_LEVEL: 'debug' },
    });
    expect(result).toMatchObject({ keys: ['LOG_LEVEL'], kept: ['SUPPORT_EMAIL'] });
    expect(await dotenv.read(c, 'dev')).toEqual({ SUPPORT_EMAIL: 'ops@real.example', LOG_LEVEL: 'debug' });
  });
});

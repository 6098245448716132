/**
 * The ownership contract (test/helpers/ownership-contract.ts) for the storage providers on their own
 * servers and fakes: s3 and r2 on s3rver (r2's marker is the .fork-stack/owner.json object), tigris on its
 * fake, fs on real directories. The versioned cases run against moto in s3-moto.test.ts.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll } from 'vitest';
import { provider as fsProvider } from '../../src/providers/storage/fs.js';
import { schema as fsSchema, type FsOptions } from '../../src/providers/storage/fs.schema.js';
import { provider as r2 } from '../../src/providers/storage/r2.js';
import { schema as r2Schema, type R2Options } from '../../src/providers/storage/r2.schema.js';
import { provider as s3 } from '../../src/providers/storage/s3.js';
import { schema as s3Schema, type S3Options } from '../../src/providers/storage/s3.schema.js';
import { provider as tigris } from '../../src/providers/storage/tigris.js';
import { schema as tigrisSchema, type TigrisOptions } from '../../src/providers/storage/tigris.schema.js';
import type { Provider, ProviderContext } from '../../src/providers/types.js';
import { testContext } from '../helpers/context.js';
import { ownershipContract } from '../helpers/ownership-contract.js';
import { bucketForeign, forkStackTags, plantBucket } from '../helpers/s3-fingerprint.js';
import { seed } from '../helpers/s3-objects.js';
import { S3RVER_ACCESS_KEY, S3RVER_SECRET_KEY, startS3Server, startTigrisFake, type S3Server, type TigrisFake } from '@fork-stack/provider-fakes/s3';

const roots: string[] = [];
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of closers) await close();
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});
function freshRoot(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'fork-stack-storage-ownership-'));
  roots.push(root);
  return root;
}
async function s3rver(): Promise<S3Server> {
  const server = await startS3Server();
  closers.push(() => server.close());
  return server;
}

ownershipContract('s3 (s3rver)', s3 as Provider<unknown>, async () => {
  const server = await s3rver();
  const c = server.client();
  const ctx = testContext<S3Options>({ kind: 'storage', slot: 'storage.uploads', project: 'own', root: freshRoot(), schema: s3Schema, env: server.env, bucket: { name: 'uploads', isDefault: true } });
  await plantBucket(c, 'own-bucket-dev');
  await seed(c, 'own-bucket-dev', [{ Key: 'a.txt', Body: 'a' }]);
  const name = (env: string) => s3.resourceName(ctx, env);
  return {
    ctx: ctx as ProviderContext<unknown>,
    parent: 'dev',
    foreign: bucketForeign(c, name, 'own'),
  };
});

ownershipContract('r2 (s3rver, owner object)', r2 as Provider<unknown>, async () => {
  const server = await s3rver();
  const c = server.client();
  const env = { R2_ACCESS_KEY_ID: S3RVER_ACCESS_KEY, R2_SECRET_ACCESS_KEY: S3RVER_SECRET_KEY, AWS_ENDPOINT_URL_S3: server.endpoint, AWS_EC2_METADATA_DISABLED: 'true' };
  const ctx = testContext<R2Options>({ kind: 'storage', slot: 'storage.media', project: 'own', root: freshRoot(), schema: r2Schema, options: { account_id: '0123456789abcdef0123456789abcdef' }, env, bucket: { name: 'media', isDefault: true } });
  await plantBucket(c, 'own-bucket-dev');
  await seed(c, 'own-bucket-dev', [{ Key: 'a.txt', Body: 'a' }]);
  const name = (e: string) => r2.resourceName(ctx, e);
  const owner = (bucket: string, project: string, markedEnv: string) =>
    c.send(new PutObjectCommand({ Bucket: bucket, Key: '.fork-stack/owner.json', Body: JSON.stringify({ tool: 'fork-stack', project, env: markedEnv, parent: 'dev', state: 'ready' }) }));
  return {
    ctx: ctx as ProviderContext<unknown>,
    parent: 'dev',
    foreign: bucketForeign(c, name, 'own', {
      'other-project': async (e) => {
        await plantBucket(c, name(e));
        await owner(name(e), 'own-x', e);
      },
      'other-env': async (e) => {
        await plantBucket(c, name(e), { objects: { 'theirs.txt': 'x' } });
        await owner(name(e), 'own', 'someone-else');
      },
    }),
  };
});

ownershipContract('tigris (fake)', tigris as Provider<unknown>, async () => {
  const fake: TigrisFake = await startTigrisFake();
  closers.push(() => fake.close());
  const ctx = testContext<TigrisOptions>({ kind: 'storage', slot: 'storage.uploads', project: 'own', root: freshRoot(), schema: tigrisSchema, env: fake.env, bucket: { name: 'uploads', isDefault: true } });
  fake.createBucket('own-bucket-dev', { snapshots: true, objects: { 'a.txt': 'a' } });
  const name = (env: string) => tigris.resourceName(ctx, env);
  const tags = (project: string, env: string) => forkStackTags(project, env).map((t) => ({ Key: t.Key as string, Value: t.Value as string }));
  return {
    ctx: ctx as ProviderContext<unknown>,
    parent: 'dev',
    foreign: {
      plant: {
        empty: async (env) => void fake.createBucket(name(env)),
        'non-empty': async (env) => void fake.createBucket(name(env), { objects: { 'precious.txt': 'not yours' } }),
        // Another project's fork of a bucket of the same name: a fork, tagged for someone else.
        'other-project': async (env) => {
          const b = fake.createBucket(name(env), { objects: { 'a.txt': 'a' } });
          b.forkOf = { bucket: 'own-bucket-dev', snapshot: '1' };
          b.tags = tags('own-x', env);
        },
        'other-env': async (env) => {
          fake.createBucket(name(env)).tags = tags('own', 'someone-else');
        },
      },
      fingerprint: async (env) => {
        const b = fake.buckets.get(name(env));
        if (!b) return 'missing';
        return JSON.stringify({ objects: [...b.objects].map(([k, o]) => [k, o.etag]), tags: b.tags, forkOf: b.forkOf, snapshots: b.snapshots.length, snapshotEnabled: b.snapshotEnabled });
      },
      clear: async (env) => void fake.buckets.delete(name(env)),
    },
  };
});

ownershipContract('fs (directories)', fsProvider as Provider<unknown>, async () => {
  const root = freshRoot();
  const ctx = testContext<FsOptions>({ kind: 'storage', slot: 'storage.uploads', project: 'own', root, schema: fsSchema, bucket: { name: 'uploads', isDefault: true } });
  await fsProvider.createEmpty(ctx, 'dev');
  writeFileSync(path.join((await fsProvider.variables(ctx, 'dev')).BUCKET_NAME as string, 'a.txt'), 'a');
  const dir = async (env: string) => (await fsProvider.variables(ctx, env)).BUCKET_NAME as string;
  const walk = (d: string): string[] =>
    readdirSync(d).flatMap((n) => {
      const p = path.join(d, n);
      return statSync(p).isDirectory() ? [`${p}/`, ...walk(p)] : [`${p}:${readFileSync(p, 'utf8')}:${(statSync(p).mode & 0o777).toString(8)}`];
    });
  return {
    ctx: ctx as ProviderContext<unknown>,
    parent: 'dev',
    foreign: {
      plant: {
        empty: async (env) => void mkdirSync(await dir(env), { recursive: true }),
        'non-empty': async (env) => {
          mkdirSync(await dir(env), { recursive: true });
          writeFileSync(path.join(await dir(env), 'precious.txt'), 'not yours');
        },
      },
      fingerprint: async (env) => {
        const d = await dir(env);
        try {
          return JSON.stringify(walk(d));
        } catch {
          return 'missing';
        }
      },
      clear: async (env) => rmSync(await dir(env), { recursive: true, force: true }),
    },
  };
});

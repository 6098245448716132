/**
 * The s3 provider against moto, an AWS mock the project did not write (test/helpers/moto-server.ts): the
 * shared provider contract, the ownership contract in bucket mode and in prefix mode (with versioned
 * buckets, which s3rver lacks), the key cases of s3.test.ts, and the regression tests of issue 14 §1
 * (a foreign bucket taken for an empty leftover and purged; a foreign bucket adopted by --resume).
 * Fingerprints hold every version and delete marker, the tags, the policy and the ACL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, DeleteObjectCommand, PutBucketTaggingCommand, PutBucketVersioningCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { recordIntent } from '../../src/providers/storage/s3-common/intent.js';
import { provider } from '../../src/providers/storage/s3.js';
import { schema, type S3Options } from '../../src/providers/storage/s3.schema.js';
import type { Provider, ProviderContext } from '../../src/providers/types.js';
import { testContext } from '../helpers/context.js';
import { startMoto, skipWithoutMoto, type MotoServer } from '../helpers/moto-server.js';
import { ownershipContract } from '../helpers/ownership-contract.js';
import { providerContract } from '../helpers/provider-contract.js';
import { bucketFingerprint, bucketForeign, clearBucket, forkStackTags, plantBucket } from '../helpers/s3-fingerprint.js';
import { describeObject, failure, listing, seed } from '../helpers/s3-objects.js';

const skip = skipWithoutMoto();
const roots: string[] = [];
let moto: Promise<MotoServer> | undefined;
const server = () => (moto ??= startMoto());
afterAll(async () => {
  if (moto) await (await moto).close();
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

let n = 0;
/** A context for a fresh project in a fresh checkout (its own state directory, hence its own ledger). */
function ctxFor(m: MotoServer, options: Record<string, unknown> = {}, project = `m${++n}`) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'fork-stack-s3-moto-'));
  roots.push(root);
  return testContext<S3Options>({ kind: 'storage', slot: 'storage.uploads', project, root, schema, options, env: m.env, bucket: { name: 'uploads', isDefault: true } });
}

async function parentBucket(client: S3Client, bucket: string, versioned = false): Promise<void> {
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  if (versioned) await client.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  await seed(client, bucket, [
    { Key: 'a.txt', Body: 'hello', ContentType: 'text/plain', Metadata: { owner: 'x' }, Tagging: 'team=core' },
    { Key: 'dir/b.bin', Body: Buffer.alloc(2048, 7) },
  ]);
}

describe.skipIf(skip)('s3 against moto', () => {
  providerContract('s3 (moto)', provider as Provider<unknown>, async () => {
    const m = await server();
    const c = m.client();
    const context = ctxFor(m, {}, 'contract');
    await parentBucket(c, 'contract-bucket-dev', true);
    return { ctx: context as ProviderContext<unknown>, parent: 'dev', fingerprint: async (env) => JSON.stringify([...(await listing(c, provider.resourceName(context, env)))]) };
  });

  ownershipContract('s3 bucket mode (moto)', provider as Provider<unknown>, async () => {
    const m = await server();
    const c = m.client();
    const context = ctxFor(m, {}, 'own');
    await parentBucket(c, 'own-bucket-dev');
    const name = (env: string) => provider.resourceName(context, env);
    return {
      ctx: context as ProviderContext<unknown>,
      parent: 'dev',
      foreign: bucketForeign(c, name, 'own', {
        // A bucket of project "own-x", whose names override maps its env to this very bucket name.
        'other-project': (env) => plantBucket(c, name(env), { tags: forkStackTags('own-x', env), objects: { 'theirs.txt': 'x' } }),
        'delete-markers-only': (env) => plantBucket(c, name(env), { versioned: true, objects: { 'precious.txt': 'old data' }, deleteAll: true }),
      }),
    };
  });

  ownershipContract('s3 prefix mode (moto, versioned shared bucket)', provider as Provider<unknown>, async () => {
    const m = await server();
    const c = m.client();
    const shared = 'prefix-shared';
    await parentBucket(c, shared, true);
    const context = ctxFor(m, { mode: 'prefix', bucket: shared }, 'pfx');
    const prefix = (env: string) => `forks/${env}/`;
    const marker = (env: string) => `forks/.fork-stack/${env}.json`;
    const putMarker = (env: string, project: string, markedEnv: string) =>
      c.send(new PutObjectCommand({ Bucket: shared, Key: marker(env), Body: JSON.stringify({ tool: 'fork-stack', project, env: markedEnv, parent: 'dev', state: 'copying' }) }));
    return {
      ctx: context as ProviderContext<unknown>,
      parent: 'dev',
      foreign: {
        plant: {
          // A console "folder": one zero-byte object named like the prefix.
          empty: async (env) => void (await c.send(new PutObjectCommand({ Bucket: shared, Key: prefix(env), Body: '' }))),
          'non-empty': async (env) => void (await c.send(new PutObjectCommand({ Bucket: shared, Key: `${prefix(env)}precious.txt`, Body: 'not yours' }))),
          // Another project sharing the bucket, whose create of the same env name has only written its marker so far.
          'other-project': async (env) => void (await putMarker(env, 'pfx-x', env)),
          'other-env': async (env) => {
            await putMarker(env, 'pfx', 'someone-else');
            await c.send(new PutObjectCommand({ Bucket: shared, Key: `${prefix(env)}theirs.txt`, Body: 'x' }));
          },
          'delete-markers-only': async (env) => {
            await c.send(new PutObjectCommand({ Bucket: shared, Key: `${prefix(env)}precious.txt`, Body: 'old data' }));
            await c.send(new DeleteObjectCommand({ Bucket: shared, Key: `${prefix(env)}precious.txt` }));
          },
        },
        fingerprint: (env) => bucketFingerprint(c, shared, [prefix(env), marker(env)]),
        clear: async (env) => {
          await clearBucket(c, shared, prefix(env));
          await clearBucket(c, shared, marker(env));
        },
      },
    };
  });

  describe('s3 provider (moto): ownership is proven, never inferred from emptiness', () => {
    it('delete of a versioned foreign bucket whose only version is a delete marker leaves it byte-identical', async () => {
      const m = await server();
      const c = m.client();
      const ctx = ctxFor(m);
      const uma = provider.resourceName(ctx, 'uma');
      await plantBucket(c, uma, { versioned: true, objects: { 'report.pdf': 'quarterly numbers' }, deleteAll: true });
      expect(await listing(c, uma)).toEqual(new Map());
      const before = await bucketFingerprint(c, uma);
      expect(await provider.find(ctx, 'uma')).toMatchObject({ owned: false });
      expect(await failure(provider.remove(ctx, { env: 'uma' }))).toMatchObject({ message: expect.stringMatching(/not created by fork-stack for "uma".*left as it is/) });
      expect(await failure(provider.remove(ctx, { env: 'uma', reason: 'rollback' }))).toMatchObject({ exitCode: 1 });
      expect(await bucketFingerprint(c, uma)).toBe(before);
    });

    it('fork (create --resume) into a foreign, empty, public-read bucket refuses and leaves it byte-identical', async () => {
      const m = await server();
      const c = m.client();
      const ctx = ctxFor(m);
      await parentBucket(c, provider.resourceName(ctx, 'dev'));
      const victim = provider.resourceName(ctx, 'vic');
      await plantBucket(c, victim, { publicRead: true });
      const before = await bucketFingerprint(c, victim);
      expect(before).toContain('PublicRead');
      expect(await failure(provider.fork(ctx, { env: 'vic', parent: 'dev' }))).toMatchObject({ message: expect.stringMatching(/already exists and was not created by fork-stack/) });
      expect(await bucketFingerprint(c, victim)).toBe(before);
    });

    it('a bucket marked for another project or environment is reported as theirs (markedFor), never owned', async () => {
      const m = await server();
      const c = m.client();
      const ctx = ctxFor(m);
      await parentBucket(c, provider.resourceName(ctx, 'dev'));
      await plantBucket(c, provider.resourceName(ctx, 'hbc'), { tags: forkStackTags('someone-else', 'hbc') });
      expect(await provider.find(ctx, 'hbc')).toMatchObject({ owned: false, markedFor: { project: 'someone-else', env: 'hbc' } });
      expect((await failure(provider.fork(ctx, { env: 'hbc', parent: 'dev' }))).message).toMatch(/another fork-stack project: "someone-else"/);
    });

    it('a create killed between CreateBucket and marking: this checkout\'s ledger proves the empty bucket, create finishes it and delete removes it', async () => {
      const m = await server();
      const c = m.client();
      const ctx = ctxFor(m);
      await parentBucket(c, provider.resourceName(ctx, 'dev'));
      const bob = provider.resourceName(ctx, 'bob');
      // What the killed create left: its ledger entry, then the bucket, and no marker.
      await recordIntent(ctx, { bucket: bob, where: m.endpoint, project: ctx.project, env: 'bob', parent: 'dev', source: provider.resourceName(ctx, 'dev'), at: new Date().toISOString() });
      await c.send(new CreateBucketCommand({ Bucket: bob }));
      expect(await provider.find(ctx, 'bob')).toMatchObject({ owned: true, state: 'partial', parent: 'dev' });
      expect((await provider.list(ctx)).map((r) => `${r.env}:${r.state}`)).toContain('bob:partial');
      const done = await provider.fork(ctx, { env: 'bob', parent: 'dev' });
      expect(done).toMatchObject({ owned: true, state: 'ready' });
      expect(await listing(c, bob)).toEqual(await listing(c, provider.resourceName(ctx, 'dev')));
      await provider.remove(ctx, { env: 'bob' });
      expect(await provider.find(ctx, 'bob')).toBeUndefined();
    });

    it('the ledger alone proves nothing: an unmarked bucket holding object versions is refused even when this checkout meant to create it', async () => {
      const m = await server();
      const c = m.client();
      const ctx = ctxFor(m);
      const cat = provider.resourceName(ctx, 'cat');
      await recordIntent(ctx, { bucket: cat, where: m.endpoint, project: ctx.project, env: 'cat', parent: 'dev', source: provider.resourceName(ctx, 'dev'), at: new Date().toISOString() });
      await plantBucket(c, cat, { versioned: true, objects: { 'x.txt': 'someone\'s' }, deleteAll: true });
      const before = await bucketFingerprint(c, cat);
      expect(await provider.find(ctx, 'cat')).toMatchObject({ owned: false });
      await expect(provider.remove(ctx, { env: 'cat' })).rejects.toThrow(/not created by fork-stack/);
      expect(await bucketFingerprint(c, cat)).toBe(before);
      // Another checkout (another state directory) has no ledger entry: the same empty bucket is not its.
      const elsewhere = { ...ctx, root: '/nonexistent', stateDir: '/nonexistent/.fork-stack' };
      const dan = provider.resourceName(ctx, 'dan');
      await plantBucket(c, dan);
      expect(await provider.find(elsewhere, 'dan')).toMatchObject({ owned: false });
    });
  });

  describe('s3 provider (moto): what a fork keeps, resume, remove', () => {
    it('copies objects with content type, metadata and tags from a versioned parent; the parent is unchanged', async () => {
      const m = await server();
      const c = m.client();
      const ctx = ctxFor(m);
      const dev = provider.resourceName(ctx, 'dev');
      await parentBucket(c, dev, true);
      const before = await bucketFingerprint(c, dev);
      const fork = await provider.fork(ctx, { env: 'alice', parent: 'dev' });
      expect(fork).toMatchObject({ owned: true, state: 'ready', details: { objects: 2 } });
      expect(await describeObject(c, fork.name, 'a.txt')).toEqual(await describeObject(c, dev, 'a.txt'));
      expect(await bucketFingerprint(c, dev)).toBe(before);
      expect(await bucketFingerprint(c, fork.name)).toMatch(/fork-stack:project=/);
    });

    it('an interrupted fork (marker still "copying") resumes: missing objects are copied, vanished ones removed', async () => {
      const m = await server();
      const c = m.client();
      const ctx = ctxFor(m);
      const dev = provider.resourceName(ctx, 'dev');
      await parentBucket(c, dev);
      const fork = await provider.fork(ctx, { env: 'res', parent: 'dev' });
      // As a killed copy leaves it: still "copying", one object missing, one the parent no longer has.
      await c.send(new PutBucketTaggingCommand({ Bucket: fork.name, Tagging: { TagSet: forkStackTags(ctx.project, 'res', { 'fork-stack:state': 'copying' }) } }));
      await c.send(new DeleteObjectCommand({ Bucket: fork.name, Key: 'a.txt' }));
      await c.send(new PutObjectCommand({ Bucket: fork.name, Key: 'stale.txt', Body: 'gone from the parent' }));
      expect(await provider.find(ctx, 'res')).toMatchObject({ owned: true, state: 'partial' });
      const resumed = await provider.fork(ctx, { env: 'res', parent: 'dev' });
      expect(resumed).toMatchObject({ state: 'ready', details: { resumed: true, copied: 1 } });
      expect([...(await listing(c, fork.name)).keys()].sort()).toEqual([...(await listing(c, dev)).keys()].sort());
    });

    it('removes every version and delete marker of its own fork that became versioned, then the bucket', async () => {
      const m = await server();
      const c = m.client();
      const ctx = ctxFor(m);
      await parentBucket(c, provider.resourceName(ctx, 'dev'));
      const fork = await provider.fork(ctx, { env: 'eve', parent: 'dev' });
      await c.send(new PutBucketVersioningCommand({ Bucket: fork.name, VersioningConfiguration: { Status: 'Enabled' } }));
      await seed(c, fork.name, [{ Key: 'a.txt', Body: 'v2' }, { Key: 'new.txt', Body: 'n' }]);
      await c.send(new DeleteObjectCommand({ Bucket: fork.name, Key: 'new.txt' }));
      await provider.remove(ctx, { env: 'eve' });
      expect(JSON.parse(await bucketFingerprint(c, fork.name))).toMatchObject({ exists: false });
    });

    it('a fork with a TTL records the expiry in its tags, which find reports', async () => {
      const m = await server();
      const c = m.client();
      const ctx = ctxFor(m);
      await parentBucket(c, provider.resourceName(ctx, 'dev'));
      const expiresAt = new Date(Date.UTC(2030, 0, 1));
      await provider.fork(ctx, { env: 'ttl', parent: 'dev', expiresAt });
      expect(await provider.find(ctx, 'ttl')).toMatchObject({ owned: true, expiresAt: expiresAt.toISOString() });
    });
  });

  describe('s3 provider (moto): the endpoint from the environment', () => {
    it('AWS_ENDPOINT_URL alone (http://localhost:PORT) is honoured with path-style addressing and given to the app as AWS_ENDPOINT_URL_S3', async () => {
      const m = await server();
      const c = m.client();
      const local = m.endpoint.replace('127.0.0.1', 'localhost');
      const env = { ...m.env, AWS_ENDPOINT_URL_S3: undefined, AWS_ENDPOINT_URL: local };
      const ctx = testContext<S3Options>({ kind: 'storage', slot: 'storage.uploads', project: `ep${++n}`, root: ctxFor(m).root, schema, env, bucket: { name: 'uploads', isDefault: true } });
      await parentBucket(c, provider.resourceName(ctx, 'dev'));
      expect(await provider.fork(ctx, { env: 'ep', parent: 'dev' })).toMatchObject({ owned: true, state: 'ready' });
      expect(await provider.variables(ctx, 'ep')).toMatchObject({ AWS_ENDPOINT_URL_S3: local, BUCKET_NAME: provider.resourceName(ctx, 'ep') });
      // The service-specific variable wins over the global one, as in the SDK.
      const both = { ...ctx, env: { ...env, AWS_ENDPOINT_URL_S3: m.endpoint, AWS_ENDPOINT_URL: 'http://localhost:1' } };
      expect(await provider.variables(both, 'ep')).toMatchObject({ AWS_ENDPOINT_URL_S3: m.endpoint });
    });
  });
});

/**
 * The s3 provider against a real S3-compatible server (s3rver, see packages/provider-fakes/src/providers/s3/s3rver.ts): the
 * shared contract, awkward keys, metadata and tags, multipart copies, resume, ownership, throttling
 * and access errors.
 */
import { CreateBucketCommand, HeadBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provider } from '../../src/providers/storage/s3.js';
import { schema, type S3Options } from '../../src/providers/storage/s3.schema.js';
import type { Provider } from '../../src/providers/types.js';
import { testContext } from '../helpers/context.js';
import { providerContract } from '../helpers/provider-contract.js';
import { createBucket, describeObject, listing, seed , failure } from '../helpers/s3-objects.js';
import { startS3Server, type S3Server } from '@fork-stack/provider-fakes/s3';

let server: S3Server;
let client: S3Client;
beforeAll(async () => {
  server = await startS3Server();
  client = server.client();
});
afterAll(() => server.close());

let projectCounter = 0;
/** A context for a fresh project name, so tests never see each other's buckets. */
function ctx(options: Record<string, unknown> = {}, extra: { env?: Record<string, string | undefined>; bucket?: { name: string; isDefault: boolean }; signal?: AbortSignal } = {}) {
  const project = `p${++projectCounter}-${process.pid}`;
  return testContext<S3Options>({
    kind: 'storage',
    slot: 'storage.uploads',
    project,
    root: '/tmp',
    schema,
    options,
    env: extra.env ?? server.env,
    bucket: extra.bucket ?? { name: 'uploads', isDefault: true },
    signal: extra.signal,
  });
}

providerContract('s3 (s3rver)', provider as Provider<unknown>, async () => {
  const s3rver = await startS3Server();
  const c = s3rver.client();
  const context = testContext<S3Options>({ kind: 'storage', slot: 'storage.uploads', project: 'contract', root: '/tmp', schema, env: s3rver.env, bucket: { name: 'uploads', isDefault: true } });
  await createBucket(c, 'contract-bucket-dev');
  await seed(c, 'contract-bucket-dev', [
    { Key: 'a.txt', Body: 'hello' },
    { Key: 'dir/b.bin', Body: Buffer.alloc(2048, 7) },
  ]);
  return {
    ctx: context,
    parent: 'dev',
    fingerprint: async (env) => JSON.stringify([...(await listing(c, provider.resourceName(context, env)))]),
    cleanup: () => s3rver.close(),
  };
});

const AWKWARD_KEYS = [
  'with space.txt',
  'ünïcödé/日本語/файл.txt',
  'plus+sign.txt',
  'percent%20literal%.txt',
  'a',
  'a-b',
  'a/x',
  'question?hash#amp&eq=.txt',
  'deep/1/2/3/4/5/6/7/8/9/file.txt',
  'emoji-😀.txt',
  'empty-object',
];

describe('s3 provider: what a fork keeps', () => {
  it('copies awkward keys, empty objects, content headers, user metadata and tags exactly; the parent is unchanged', async () => {
    const c = ctx();
    const dev = provider.resourceName(c, 'dev');
    await createBucket(client, dev);
    await seed(
      client,
      dev,
      AWKWARD_KEYS.map((Key, i) => ({
        Key,
        Body: Key === 'empty-object' ? '' : `content of ${Key} `.repeat(i + 1),
        ContentType: i % 2 ? 'text/plain; charset=utf-8' : 'application/json',
        CacheControl: 'max-age=3600',
        ContentDisposition: `attachment; filename="f${i}"`,
        Metadata: { owner: `user-${i}`, 'x-note': 'kept' },
        Tagging: `team=core&index=${i}`,
      })),
    );
    const before = await listing(client, dev);
    const resource = await provider.fork(c, { env: 'alice', parent: 'dev' });
    expect(resource).toMatchObject({ env: 'alice', name: provider.resourceName(c, 'alice'), state: 'ready', owned: true, details: { objects: AWKWARD_KEYS.length, copied: AWKWARD_KEYS.length } });
    const alice = resource.name;
    expect([...(await listing(client, alice))].sort()).toEqual([...before].sort());
    for (const key of AWKWARD_KEYS) {
      expect(await describeObject(client, alice, key), key).toEqual(await describeObject(client, dev, key));
    }
    expect(await describeObject(client, alice, 'plus+sign.txt')).toMatchObject({ metadata: { owner: 'user-2', 'x-note': 'kept' }, tags: ['index=2', 'team=core'], cacheControl: 'max-age=3600' });
    expect(await listing(client, dev)).toEqual(before);
    // Progress was reported with objects, bytes and a rate.
    expect(c.progressLog.some((p) => p.unit === 'objects' && typeof p.bytes === 'number' && /objects\/s|copied/.test(p.message ?? ''))).toBe(true);
  });

  it('copies large objects part by part (UploadPartCopy) with their metadata and tags', async () => {
    const c = ctx({ multipart_threshold: '5MiB', part_size: '5MiB' });
    const dev = provider.resourceName(c, 'dev');
    await createBucket(client, dev);
    const big = Buffer.alloc(12 * 2 ** 20);
    for (let i = 0; i < big.length; i += 4096) big.writeUInt32BE(i, i);
    await seed(client, dev, [
      { Key: 'videos/big file+1.bin', Body: big, ContentType: 'video/mp4', Metadata: { codec: 'h264' }, Tagging: 'kind=video' },
      { Key: 'small.txt', Body: 'small' },
    ]);
    server.resetLog();
    const resource = await provider.fork(c, { env: 'alice', parent: 'dev' });
    expect(server.count('UploadPartCopy')).toBe(3);
    expect(server.count('CompleteMultipartUpload')).toBe(1);
    expect(server.count('CopyObject')).toBe(1);
    expect(await describeObject(client, resource.name, 'videos/big file+1.bin')).toEqual(await describeObject(client, dev, 'videos/big file+1.bin'));
    expect(await describeObject(client, resource.name, 'videos/big file+1.bin')).toMatchObject({ contentType: 'video/mp4', metadata: { codec: 'h264' }, tags: ['kind=video'], size: big.length });
  });
});

describe('s3 provider: resume', () => {
  it('an interrupted fork resumes: only missing or changed objects are copied, vanished ones removed', async () => {
    const c = ctx({ concurrency: 8 });
    const dev = provider.resourceName(c, 'dev');
    await createBucket(client, dev);
    const objects = Array.from({ length: 1500 }, (_, i) => ({ Key: `obj/${String(i).padStart(5, '0')}`, Body: `object ${i}` }));
    await server.seedFiles(dev, objects.map((o) => ({ key: o.Key, body: o.Body })));

    server.inject({ op: 'CopyObject', after: 600, status: 400, code: 'InvalidRequest', message: 'connection dropped (injected)', times: Infinity });
    await expect(provider.fork(c, { env: 'bob', parent: 'dev' })).rejects.toThrow(/copying "obj\/\d+" from .* InvalidRequest/);
    server.clearFaults();
    const bob = provider.resourceName(c, 'bob');
    expect(await provider.find(c, 'bob')).toMatchObject({ state: 'partial', owned: true });
    // Copies aborted client-side may still land on the server a moment later: let them settle.
    // (Also needed because s3rver's LastModified has one-second resolution.)
    await new Promise((r) => setTimeout(r, 1100));
    const partial = await listing(client, bob);
    expect(partial.size).toBeGreaterThanOrEqual(600);
    expect(partial.size).toBeLessThan(1500);

    // Meanwhile the parent changes: one copied object is rewritten, one copied object deleted.
    const copiedKeys = [...partial.keys()].sort();
    await client.send(new PutObjectCommand({ Bucket: dev, Key: copiedKeys[0], Body: 'rewritten, longer than before' }));
    await client.send(new (await import('@aws-sdk/client-s3')).DeleteObjectCommand({ Bucket: dev, Key: copiedKeys[1] }));

    server.resetLog();
    const resumed = await provider.fork(c, { env: 'bob', parent: 'dev' });
    expect(resumed).toMatchObject({ state: 'ready', details: { resumed: true } });
    expect(server.count('CopyObject')).toBe(1500 - partial.size + 1);
    expect(server.count('CreateBucket')).toBe(0);
    expect(await listing(client, bob)).toEqual(await listing(client, dev));

    // A third fork finds it ready and copies nothing.
    server.resetLog();
    await provider.fork(c, { env: 'bob', parent: 'dev' });
    expect(server.count('CopyObject') + server.count('ListObjectsV2')).toBe(0);
  });
});

describe('s3 provider: remove', () => {
  it('empties a bucket of more than 1,000 objects in batches of at most 1,000, then deletes it; again is a no-op', async () => {
    const c = ctx();
    const dev = provider.resourceName(c, 'dev');
    await createBucket(client, dev);
    await server.seedFiles(dev, Array.from({ length: 2345 }, (_, i) => ({ key: `k/${i}`, body: String(i) })));
    await provider.fork(c, { env: 'carol', parent: 'dev' });
    server.resetLog();
    await provider.remove(c, { env: 'carol' });
    const batches = server.requests.filter((r) => r.op === 'DeleteObjects');
    expect(batches.map((b) => b.keys)).toEqual([1000, 1000, 345]);
    expect(await provider.find(c, 'carol')).toBeUndefined();
    await expect(client.send(new HeadBucketCommand({ Bucket: provider.resourceName(c, 'carol') }))).rejects.toThrow();
    await provider.remove(c, { env: 'carol' });
    expect((await listing(client, dev)).size).toBe(2345);
  });
});

describe('s3 provider: describe (for diff)', () => {
  it('counts objects and bytes, without fork-stack\'s own marker', async () => {
    const c = ctx();
    const dev = provider.resourceName(c, 'dev');
    await createBucket(client, dev);
    await seed(client, dev, [
      { Key: 'a.txt', Body: 'hello' },
      { Key: 'deep/b.bin', Body: 'x'.repeat(100) },
    ]);
    await provider.fork(c, { env: 'dora', parent: 'dev' });
    await seed(client, provider.resourceName(c, 'dora'), [{ Key: 'new.txt', Body: '12345678' }]);
    expect(await provider.describe!(c, 'dev')).toEqual({ objects: { count: 2, bytes: 105 } });
    expect(await provider.describe!(c, 'dora')).toEqual({ objects: { count: 3, bytes: 113 } });
    await provider.remove(c, { env: 'dora' });
  });
});

describe('s3 provider: the expiry recorded on the bucket', () => {
  it('a fork with a TTL tags its bucket with the expiry, which find and list report on any machine', async () => {
    const c = ctx();
    await createBucket(client, provider.resourceName(c, 'dev'));
    const expiresAt = new Date('2026-03-01T12:00:00Z');
    const made = await provider.fork(c, { env: 'eve', parent: 'dev', expiresAt });
    expect(made.expiresAt).toBe('2026-03-01T12:00:00.000Z');
    expect((await provider.find(c, 'eve'))?.expiresAt).toBe('2026-03-01T12:00:00.000Z');
    expect((await provider.list(c)).find((r) => r.env === 'eve')?.expiresAt).toBe('2026-03-01T12:00:00.000Z');
    await provider.fork(c, { env: 'fay', parent: 'dev' });
    expect((await provider.find(c, 'fay'))?.expiresAt).toBeUndefined();
    await provider.remove(c, { env: 'eve' });
    await provider.remove(c, { env: 'fay' });
  });
});

describe('s3 provider: ownership and bad input', () => {
  it('never adopts, overwrites or deletes a same-named bucket it did not make', async () => {
    const c = ctx();
    const dev = provider.resourceName(c, 'dev');
    const foreign = provider.resourceName(c, 'dave');
    await createBucket(client, dev);
    await createBucket(client, foreign);
    await seed(client, foreign, [{ Key: 'precious', Body: 'not yours' }]);
    await expect(provider.fork(c, { env: 'dave', parent: 'dev' })).rejects.toThrow(/already exists and was not created by fork-stack/);
    await expect(provider.remove(c, { env: 'dave' })).rejects.toThrow(/not created by fork-stack/);
    expect((await listing(client, foreign)).has('precious')).toBe(true);
    expect(await provider.find(c, 'dave')).toMatchObject({ owned: false });
    expect((await provider.list(c)).map((r) => r.env)).toEqual(['dev']);
  });

  it('a missing parent fails before anything is created', async () => {
    const c = ctx();
    server.resetLog();
    await expect(provider.fork(c, { env: 'erin', parent: 'dev' })).rejects.toThrow(/parent bucket .*-bucket-dev \(environment "dev"\) does not exist/);
    expect(server.count('CreateBucket')).toBe(0);
  });

  it('retries throttling (503 SlowDown, 429) with backoff and succeeds', async () => {
    const c = ctx({ concurrency: 2 });
    const dev = provider.resourceName(c, 'dev');
    await createBucket(client, dev);
    await seed(client, dev, [{ Key: 'x', Body: 'x' }, { Key: 'y', Body: 'y' }]);
    server.inject({ op: 'CopyObject', status: 503, code: 'SlowDown', message: 'Please reduce your request rate.', times: 2 });
    server.inject({ op: 'CreateBucket', status: 429, code: 'TooManyRequests', message: 'slow down', times: 1 });
    server.resetLog();
    await provider.fork(c, { env: 'frank', parent: 'dev' });
    server.clearFaults();
    expect(server.count('CopyObject')).toBe(4);
    expect(server.count('CreateBucket')).toBe(2);
    expect((await listing(client, provider.resourceName(c, 'frank'))).size).toBe(2);
  });

  it('AccessDenied is a clear error naming the permission; nothing is left behind', async () => {
    const c = ctx();
    const dev = provider.resourceName(c, 'dev');
    await createBucket(client, dev);
    server.inject({ op: 'CreateBucket', status: 403, code: 'AccessDenied', message: 'Access Denied', times: 1 });
    const error = await failure(provider.fork(c, { env: 'gina', parent: 'dev' }));
    server.clearFaults();
    expect(error.message).toMatch(/s3: creating bucket .*-bucket-gina failed: AccessDenied: Access Denied \(HTTP 403\)/);
    expect(error.hint).toMatch(/s3:CreateBucket/);
    expect(await provider.find(c, 'gina')).toBeUndefined();
    // The creation ledger entry written before CreateBucket goes too: the service said no, there is no bucket.
    expect(existsSync(path.join(c.stateDir, 'bucket-intents', c.slot, 'gina.json'))).toBe(false);
  });

  it('bad credentials: half a key pair and an unknown key are usage errors naming the variable', async () => {
    const half = ctx({}, { env: { ...server.env, AWS_SECRET_ACCESS_KEY: undefined } });
    await expect(provider.find(half, 'dev')).rejects.toThrow(/AWS_SECRET_ACCESS_KEY is not set/);
    const wrong = ctx({}, { env: { ...server.env, AWS_ACCESS_KEY_ID: 'WRONGKEY', AWS_SECRET_ACCESS_KEY: 'wrong-secret' } });
    const error = await failure(provider.fork(wrong, { env: 'x', parent: 'dev' }));
    expect(error.message).toMatch(/InvalidAccessKeyId/);
    expect(error.exitCode).toBe(2);
    expect(error.message).not.toMatch(/wrong-secret/);
    const checks = await provider.check(wrong);
    expect(checks.find((k) => k.name === 'reachability')).toMatchObject({ status: 'fail' });
  });

  it('checks bucket names against S3 rules before any call', () => {
    const c = ctx();
    expect(provider.checkName(c, 'alice')).toBeUndefined();
    expect(provider.checkName(c, `a${'b'.repeat(60)}`)).toMatch(/characters long; S3 allows 3 to 63/);
    expect(provider.checkName(ctx({ name: '{project}_{env}' }), 'alice')).toMatch(/contains "_"/);
    expect(provider.checkName(ctx({ names: { alice: '192.168.0.1' } }), 'alice')).toMatch(/IP address/);
    expect(provider.checkName(ctx({ names: { alice: 'xn--bucket' } }), 'alice')).toMatch(/reserves/);
    expect(provider.checkName(ctx({ names: { alice: 'my..bucket' } }), 'alice')).toMatch(/two dots/);
  });

  it('variables: bucket names, region and endpoint; named buckets use {project}-{bucket}-{env}', async () => {
    const c = ctx();
    expect(await provider.variables(c, 'alice')).toEqual({
      BUCKET_NAME: `${c.project}-bucket-alice`,
      BUCKET_UPLOADS: `${c.project}-bucket-alice`,
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_S3: server.endpoint,
    });
    const assets = ctx({}, { bucket: { name: 'assets', isDefault: false } });
    expect(await provider.variables(assets, 'pr-7')).toEqual({ BUCKET_ASSETS: `${assets.project}-assets-pr-7`, AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_S3: server.endpoint });
  });

  it('doctor: a missing root bucket fails with the fix', async () => {
    const c = ctx();
    const checks = await provider.check(c);
    expect(checks.find((k) => k.name.startsWith('bucket '))).toMatchObject({ status: 'fail', message: 'does not exist' });
    expect(checks.find((k) => k.name === 'create buckets')).toMatchObject({ status: 'warn' });
  });
});

describe('s3 provider: owner_marker = "object" (servers without bucket tagging)', () => {
  it('marks its buckets with .fork-stack/owner.json, never copies the marker, lists and removes', async () => {
    const c = ctx({ owner_marker: 'object' });
    const dev = provider.resourceName(c, 'dev');
    await createBucket(client, dev);
    await seed(client, dev, [{ Key: 'a', Body: 'a' }]);
    const first = await provider.fork(c, { env: 'hank', parent: 'dev' });
    const second = await provider.fork(c, { env: 'ivy', parent: 'hank' });
    expect([...(await listing(client, first.name)).keys()].sort()).toEqual(['.fork-stack/owner.json', 'a']);
    expect([...(await listing(client, second.name)).keys()].sort()).toEqual(['.fork-stack/owner.json', 'a']);
    expect((await provider.list(c)).map((r) => `${r.env}:${r.owned}`).sort()).toEqual(['dev:false', 'hank:true', 'ivy:true']);
    await provider.remove(c, { env: 'ivy' });
    await provider.remove(c, { env: 'hank' });
    expect((await provider.list(c)).map((r) => r.env)).toEqual(['dev']);
  });
});

describe('s3 provider: a server without bucket tagging', () => {
  it('says to use owner_marker = "object"', async () => {
    const c = ctx();
    await client.send(new CreateBucketCommand({ Bucket: provider.resourceName(c, 'dev') }));
    server.inject({ op: 'GetBucketTagging', status: 501, code: 'NotImplemented', message: 'A parameter you provided implies functionality that is not implemented', times: Infinity });
    const error = await failure(provider.fork(c, { env: 'jay', parent: 'dev' }));
    server.clearFaults();
    expect(error.message).toMatch(/does not support bucket tags/);
    expect(error.hint).toMatch(/owner_marker = "object"/);
    // The bucket it had just created is gone again.
    expect(await provider.find(c, 'jay')).toBeUndefined();
  });
});

/**
 * The tigris provider against the Tigris fake (packages/provider-fakes/src/providers/tigris.ts): the fork headers on CreateBucket,
 * O(1) forks, --at from the nearest earlier snapshot, the snapshot-enabled check, forks deleted before
 * their parent, and Tigris's errors.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordIntent } from '../../src/providers/storage/s3-common/intent.js';
import { provider } from '../../src/providers/storage/tigris.js';
import { schema, type TigrisOptions } from '../../src/providers/storage/tigris.schema.js';
import type { Provider } from '../../src/providers/types.js';
import { startTigrisFake, type TigrisFake } from '@fork-stack/provider-fakes/s3';
import { testContext } from '../helpers/context.js';
import { failure } from '../helpers/s3-objects.js';
import { providerContract } from '../helpers/provider-contract.js';

let fake: TigrisFake;
beforeAll(async () => {
  fake = await startTigrisFake();
});
afterAll(() => fake.close());

let n = 0;
function ctx(env?: Record<string, string | undefined>) {
  return testContext<TigrisOptions>({ kind: 'storage', slot: 'storage.uploads', project: `t${++n}`, root: '/tmp', schema, env: env ?? fake.env, bucket: { name: 'uploads', isDefault: true } });
}

providerContract('tigris (fake)', provider as Provider<unknown>, async () => {
  const f = await startTigrisFake();
  const context = testContext<TigrisOptions>({ kind: 'storage', slot: 'storage.uploads', project: 'contract', root: '/tmp', schema, env: f.env, bucket: { name: 'uploads', isDefault: true } });
  f.createBucket('contract-bucket-dev', { snapshots: true, objects: { 'a.txt': 'hello', 'b/c.txt': 'world' } });
  return {
    ctx: context,
    parent: 'dev',
    fingerprint: async (env) => JSON.stringify([...(f.buckets.get(provider.resourceName(context, env))?.objects ?? new Map()).entries()].map(([k, v]) => [k, v.etag])),
    cleanup: () => f.close(),
  };
});

describe('tigris provider', () => {
  it('forks with one CreateBucket carrying X-Tigris-Fork-Source-Bucket, tags it, and the same number of requests at 10 and 10,000 objects', async () => {
    const requestsFor = async (objects: number) => {
      const c = ctx();
      const objs = Object.fromEntries(Array.from({ length: objects }, (_, i) => [`k${i}`, `v${i}`]));
      fake.createBucket(provider.resourceName(c, 'dev'), { snapshots: true, objects: objs });
      fake.resetLog();
      const r = await provider.fork(c, { env: 'alice', parent: 'dev' });
      expect(r).toMatchObject({ name: `${c.project}-bucket-alice`, state: 'ready', owned: true, details: { forkOf: `${c.project}-bucket-dev` } });
      const create = fake.requests.filter((q) => q.op === 'CreateBucket');
      expect(create).toHaveLength(1);
      expect(create[0]?.headers['x-tigris-fork-source-bucket']).toBe(`${c.project}-bucket-dev`);
      expect(create[0]?.headers['x-tigris-fork-source-bucket-snapshot']).toBeUndefined();
      // The header is signed (added before SigV4 runs).
      expect(create[0]?.headers.authorization).toMatch(/SignedHeaders=[^,]*x-tigris-fork-source-bucket/);
      expect(fake.buckets.get(r.name)?.objects.size).toBe(objects);
      expect(fake.buckets.get(r.name)?.tags).toEqual(expect.arrayContaining([{ Key: 'fork-stack:env', Value: 'alice' }, { Key: 'fork-stack:parent', Value: 'dev' }]));
      return fake.requests.map((q) => q.op);
    };
    const small = await requestsFor(10);
    const large = await requestsFor(10_000);
    expect(large).toEqual(small);
    expect(small.length).toBeLessThanOrEqual(6);
  });

  it('--at forks from the newest snapshot taken at or before that time', async () => {
    const c = ctx();
    const dev = provider.resourceName(c, 'dev');
    fake.createBucket(dev, { snapshots: true, objects: { v: 'one' } });
    const s1 = fake.takeSnapshot(dev, new Date('2026-01-01T10:00:00Z'), 'before release');
    fake.buckets.get(dev)?.objects.set('v2', { body: Buffer.from('two'), etag: '"2"', lastModified: new Date(), contentType: 'text/plain' });
    const s2 = fake.takeSnapshot(dev, new Date('2026-01-02T10:00:00Z'));
    fake.resetLog();
    const r = await provider.fork(c, { env: 'past', parent: 'dev', at: new Date('2026-01-01T12:00:00Z') });
    expect(r.details).toMatchObject({ snapshot: s1.version });
    const create = fake.requests.find((q) => q.op === 'CreateBucket');
    expect(create?.headers['x-tigris-fork-source-bucket-snapshot']).toBe(s1.version);
    expect([...(fake.buckets.get(r.name)?.objects.keys() ?? [])]).toEqual(['v']);
    expect(fake.requests.find((q) => q.op === 'ListBuckets')?.headers['x-tigris-snapshot']).toBe(dev);
    expect(c.warnings.join()).toMatch(/snapshot .* taken at 2026-01-01T10:00:00.000Z/);
    const later = await provider.fork(c, { env: 'later', parent: 'dev', at: new Date('2026-03-01T00:00:00Z') });
    expect(later.details).toMatchObject({ snapshot: s2.version });
    await expect(provider.fork(c, { env: 'ancient', parent: 'dev', at: new Date('2020-01-01T00:00:00Z') })).rejects.toThrow(/no snapshot taken at or before 2020-01-01T00:00:00.000Z \(the oldest is from 2026-01-01T10:00:00.000Z\)/);
    expect(provider.capabilities?.pointInTime).toBe(true);
  });

  it('a parent without snapshots: fork fails before creating anything, doctor says how to enable them', async () => {
    const c = ctx();
    fake.createBucket(provider.resourceName(c, 'dev'), { snapshots: false, objects: { a: 'a' } });
    fake.resetLog();
    const error = await failure(provider.fork(c, { env: 'x', parent: 'dev' }));
    expect(error.message).toMatch(/is not snapshot-enabled, so Tigris cannot fork it/);
    expect(error.hint).toMatch(/tigris buckets enable-snapshots/);
    expect(fake.count('CreateBucket')).toBe(0);
    const checks = await provider.check(c);
    expect(checks.find((k) => k.name.startsWith('bucket '))).toMatchObject({ status: 'fail', message: expect.stringMatching(/not snapshot-enabled/) });
    // The service's own answer (if the header check is skipped) is mapped to the same message.
    fake.buckets.get(provider.resourceName(c, 'dev'))!.snapshotEnabled = true;
    fake.inject({ op: 'CreateBucket', status: 400, code: 'InvalidRequest', message: 'Source bucket must be of snapshot type' });
    await expect(provider.fork(c, { env: 'y', parent: 'dev' })).rejects.toThrow(/not snapshot-enabled/);
  });

  it('deletes forks before their parent: removing a parent with forks fails clearly, then works', async () => {
    const c = ctx();
    fake.createBucket(provider.resourceName(c, 'dev'), { snapshots: true, objects: { a: 'a' } });
    await provider.fork(c, { env: 'parent', parent: 'dev' });
    await provider.fork(c, { env: 'child', parent: 'parent' });
    const error = await failure(provider.remove(c, { env: 'parent' }));
    expect(error.message).toMatch(/has forks, and Tigris deletes forks before their parent/);
    expect(error.hint).toMatch(/Delete "child" first/);
    fake.resetLog();
    await provider.remove(c, { env: 'child' });
    expect(fake.requests.find((q) => q.op === 'DeleteBucket')?.headers['tigris-force-delete']).toBe('true');
    await provider.remove(c, { env: 'parent' });
    expect((await provider.list(c)).map((r) => r.env)).toEqual(['dev']);
    await provider.remove(c, { env: 'parent' });
  });

  it('never touches a same-named bucket it did not make; name rules; credentials; throttling', async () => {
    const c = ctx();
    fake.createBucket(provider.resourceName(c, 'dev'), { snapshots: true });
    fake.createBucket(provider.resourceName(c, 'bob'), { objects: { mine: 'x' } });
    await expect(provider.fork(c, { env: 'bob', parent: 'dev' })).rejects.toThrow(/already exists and was not created by fork-stack/);
    await expect(provider.remove(c, { env: 'bob' })).rejects.toThrow(/not created by fork-stack/);
    expect(fake.buckets.has(provider.resourceName(c, 'bob'))).toBe(true);

    expect(provider.checkName(c, 'alice')).toBeUndefined();
    expect(provider.checkName(c, `a${'b'.repeat(60)}`)).toMatch(/Tigris allows 3 to 63/);

    const wrong = ctx({ ...fake.env, TIGRIS_STORAGE_ACCESS_KEY_ID: 'tid_wrong', TIGRIS_STORAGE_SECRET_ACCESS_KEY: 'tsec_wrong_secret' });
    const denied = await failure(provider.fork(wrong, { env: 'z', parent: 'dev' }));
    expect(denied.message).toMatch(/InvalidAccessKeyId/);
    expect(denied.hint).toMatch(/TIGRIS_STORAGE_ACCESS_KEY_ID/);
    expect(denied.message).not.toMatch(/tsec_wrong_secret/);

    fake.inject({ op: 'CreateBucket', status: 503, code: 'SlowDown', message: 'Please reduce your request rate.', times: 2 });
    fake.resetLog();
    await provider.fork(c, { env: 'carl', parent: 'dev' });
    expect(fake.count('CreateBucket')).toBe(3);
    expect(await provider.variables(c, 'carl')).toEqual({ BUCKET_NAME: `${c.project}-bucket-carl`, BUCKET_UPLOADS: `${c.project}-bucket-carl`, AWS_REGION: 'auto', AWS_ENDPOINT_URL_S3: fake.endpoint });
  });

  it('describe (for diff) counts the objects and bytes of a fork', async () => {
    const c = ctx();
    fake.createBucket(provider.resourceName(c, 'dev'), { snapshots: true, objects: { 'a.txt': 'hello', 'b/c.txt': 'world!' } });
    await provider.fork(c, { env: 'erin', parent: 'dev' });
    expect(await provider.describe!(c, 'erin')).toEqual({ objects: { count: 2, bytes: 11 } });
  });

  it('defaults to https://t3.storage.dev and region auto', async () => {
    const c = ctx({ TIGRIS_STORAGE_ACCESS_KEY_ID: 'a', TIGRIS_STORAGE_SECRET_ACCESS_KEY: 'bbbb' });
    expect(await provider.variables(c, 'dev')).toMatchObject({ AWS_ENDPOINT_URL_S3: 'https://t3.storage.dev', AWS_REGION: 'auto' });
  });

  it('a create killed between the fork and its tags: this checkout\'s ledger and the fork source prove the bucket; create tags it, delete removes it, and another checkout refuses it', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'tigris-ledger-'));
    try {
      const c = { ...ctx(), root, stateDir: path.join(root, '.fork-stack') };
      const dev = provider.resourceName(c, 'dev');
      fake.createBucket(dev, { snapshots: true, objects: { 'a.txt': 'a' } });
      const name = provider.resourceName(c, 'kim');
      await recordIntent(c, { bucket: name, where: fake.endpoint, project: c.project, env: 'kim', parent: 'dev', source: dev, at: new Date().toISOString() });
      const left = fake.createBucket(name, { objects: { 'a.txt': 'a' } });
      left.forkOf = { bucket: dev, snapshot: '1' };
      // Another checkout has no ledger entry: the unmarked fork is not its.
      expect(await provider.find({ ...ctx(), project: c.project, root: '/nonexistent', stateDir: '/nonexistent/.fork-stack' }, 'kim')).toMatchObject({ owned: false });
      expect(await provider.find(c, 'kim')).toMatchObject({ owned: true, state: 'partial', parent: 'dev' });
      expect(await provider.fork(c, { env: 'kim', parent: 'dev' })).toMatchObject({ owned: true, state: 'ready' });
      expect(left.tags?.find((t) => t.Key === 'fork-stack:env')?.Value).toBe('kim');
      await provider.remove(c, { env: 'kim' });
      expect(fake.buckets.has(name)).toBe(false);
      // With the ledger but a bucket that is not a fork of the intended parent: refused, untouched.
      await recordIntent(c, { bucket: name, where: fake.endpoint, project: c.project, env: 'kim', parent: 'dev', source: dev, at: new Date().toISOString() });
      fake.createBucket(name, { objects: { 'theirs.txt': 'x' } });
      await expect(provider.remove(c, { env: 'kim' })).rejects.toThrow(/not created by fork-stack/);
      expect(fake.buckets.get(name)?.objects.has('theirs.txt')).toBe(true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

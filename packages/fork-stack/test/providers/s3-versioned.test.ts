/**
 * Removing a versioned bucket: every version and delete marker goes (ListObjectVersions + DeleteObjects
 * with VersionId, ≤ 1,000 per batch), else DeleteBucket would refuse. s3rver has no versioning, so this
 * runs against the in-memory S3 (packages/provider-fakes/src/providers/s3/memory.ts).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { provider } from '../../src/providers/storage/s3.js';
import { schema, type S3Options } from '../../src/providers/storage/s3.schema.js';
import { startMemoryS3, type MemoryS3 } from '@fork-stack/provider-fakes/s3';
import { testContext } from '../helpers/context.js';

let s3: MemoryS3;
beforeAll(async () => {
  s3 = await startMemoryS3();
});
afterAll(() => s3.close());

it('removes every version and delete marker of a versioned fork, in batches of at most 1,000, then the bucket', async () => {
  const ctx = testContext<S3Options>({ kind: 'storage', slot: 'storage.uploads', project: 'ver', root: '/tmp', schema, env: s3.env, bucket: { name: 'uploads', isDefault: true } });
  s3.createBucket('ver-bucket-dev');
  for (let i = 0; i < 700; i++) s3.put('ver-bucket-dev', `doc/${i}`);
  await provider.fork(ctx, { env: 'alice', parent: 'dev' });
  // The fork's bucket became versioned (a bucket policy, or someone turned it on) and saw history.
  const alice = s3.buckets.get('ver-bucket-alice')!;
  alice.versioned = true;
  for (let i = 0; i < 700; i++) s3.put('ver-bucket-alice', `doc/${i}`);
  for (let i = 0; i < 300; i++) s3.deleteKey('ver-bucket-alice', `doc/${i}`);
  expect(alice.versions.length).toBe(1700);

  s3.requests.length = 0;
  await provider.remove(ctx, { env: 'alice' });
  expect(s3.buckets.has('ver-bucket-alice')).toBe(false);
  expect(s3.count('ListObjectVersions')).toBeGreaterThanOrEqual(2);
  const batches = s3.requests.filter((r) => r.op === 'DeleteObjects').map((r) => r.keys ?? 0);
  expect(batches.every((n) => n <= 1000)).toBe(true);
  expect(batches.reduce((a, b) => a + b, 0)).toBe(1700);
  expect(s3.buckets.get('ver-bucket-dev')?.versions.length).toBe(700);
});

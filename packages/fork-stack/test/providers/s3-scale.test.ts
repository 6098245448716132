/**
 * 10,000 objects through the s3 provider against s3rver: the fork is byte-identical (same keys, same
 * ETags — s3rver's ETag is the MD5 of the bytes — and spot-checked SHA-256 of bodies) and the parent is
 * unchanged. Slow by nature (s3rver copies a few hundred objects a second on two cores).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { provider } from '../../src/providers/storage/s3.js';
import { schema, type S3Options } from '../../src/providers/storage/s3.schema.js';
import { testContext } from '../helpers/context.js';
import { bodyHash, createBucket, listing } from '../helpers/s3-objects.js';
import { startS3Server, type S3Server } from '@fork-stack/provider-fakes/s3';

let server: S3Server;
beforeAll(async () => {
  server = await startS3Server();
});
afterAll(() => server.close());

it('forks 10,000 objects byte-identically and leaves the parent unchanged', { timeout: 600_000 }, async () => {
  const client = server.client();
  const ctx = testContext<S3Options>({ kind: 'storage', slot: 'storage.uploads', project: 'scale', root: '/tmp', schema, env: server.env, bucket: { name: 'uploads', isDefault: true }, options: { concurrency: 32 } });
  await createBucket(client, 'scale-bucket-dev');
  const objects = Array.from({ length: 10_000 }, (_, i) => ({
    key: `tenants/${i % 97}/${i % 7 === 0 ? 'deep/er/' : ''}object-${String(i).padStart(5, '0')}${i % 11 === 0 ? ' with space+plus' : ''}.bin`,
    body: i % 500 === 0 ? '' : `payload ${i} `.repeat((i % 13) + 1),
  }));
  await server.seedFiles('scale-bucket-dev', objects);
  const before = await listing(client, 'scale-bucket-dev');
  expect(before.size).toBe(10_000);

  server.resetLog();
  const resource = await provider.fork(ctx, { env: 'big', parent: 'dev' });
  expect(resource.details).toMatchObject({ objects: 10_000, copied: 10_000 });
  expect(server.count('CopyObject')).toBe(10_000);
  expect(server.count('ListObjectsV2')).toBe(10);

  const after = await listing(client, 'scale-bucket-big');
  expect(after).toEqual(before);
  expect(await listing(client, 'scale-bucket-dev')).toEqual(before);
  for (const o of objects.filter((_, i) => i % 997 === 0)) {
    expect(await bodyHash(client, 'scale-bucket-big', o.key)).toBe(await bodyHash(client, 'scale-bucket-dev', o.key));
  }
  await provider.remove(ctx, { env: 'big' });
  expect(await provider.find(ctx, 'big')).toBeUndefined();
});

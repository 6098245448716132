/**
 * mode = "prefix" end to end against s3rver: one shared bucket, roots at its top level, forks under
 * forks/{env}/, BUCKET_KEY_PREFIX for the readers, the shared contract, resume and remove.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provider } from '../../src/providers/storage/s3.js';
import { schema, type S3Options } from '../../src/providers/storage/s3.schema.js';
import type { Provider } from '../../src/providers/types.js';
import { testContext } from '../helpers/context.js';
import { providerContract } from '../helpers/provider-contract.js';
import { createBucket, describeObject, listing, seed } from '../helpers/s3-objects.js';
import { startS3Server, type S3Server } from '@fork-stack/provider-fakes/s3';

let server: S3Server;
beforeAll(async () => {
  server = await startS3Server();
});
afterAll(() => server.close());

function ctx(bucket: string, options: Record<string, unknown> = {}, named?: { name: string; isDefault: boolean }) {
  return testContext<S3Options>({
    kind: 'storage',
    slot: 'storage.uploads',
    project: 'app',
    root: '/tmp',
    schema,
    options: { mode: 'prefix', bucket, ...options },
    env: server.env,
    bucket: named ?? { name: 'uploads', isDefault: true },
  });
}

providerContract('s3 prefix mode (s3rver)', provider as Provider<unknown>, async () => {
  const s3rver = await startS3Server();
  const c = s3rver.client();
  const context = testContext<S3Options>({ kind: 'storage', slot: 'storage.uploads', project: 'app', root: '/tmp', schema, options: { mode: 'prefix', bucket: 'shared-contract' }, env: s3rver.env, bucket: { name: 'uploads', isDefault: true } });
  await createBucket(c, 'shared-contract');
  await seed(c, 'shared-contract', [{ Key: 'a.txt', Body: 'a' }, { Key: 'docs/b.txt', Body: 'b' }]);
  return {
    ctx: context,
    parent: 'dev',
    fingerprint: async (env) => {
      const all = await listing(c, 'shared-contract', env === 'dev' ? '' : `forks/${env}/`);
      return JSON.stringify([...all].filter(([k]) => !k.startsWith('forks/')));
    },
    cleanup: () => s3rver.close(),
  };
});

describe('s3 prefix mode', () => {
  it('forks the root (everything outside forks/) into forks/alice/, then alice into forks/bob/; variables carry the prefix', async () => {
    const client = server.client();
    await createBucket(client, 'shared-one');
    await seed(client, 'shared-one', [
      { Key: 'avatars/1 + 1.png', Body: 'png', ContentType: 'image/png', Metadata: { who: 'one' }, Tagging: 't=1' },
      { Key: 'fork', Body: 'a key that merely starts like the forks folder' },
      { Key: 'forks0', Body: 'sorts right after forks/' },
      { Key: 'zz/last', Body: 'last' },
    ]);
    // Something already forked by someone else must not be copied into the new fork.
    await seed(client, 'shared-one', [{ Key: 'forks/old/avatars/x.png', Body: 'old' }]);
    const c = ctx('shared-one');
    const alice = await provider.fork(c, { env: 'alice', parent: 'dev' });
    expect(alice).toMatchObject({ name: 'shared-one/forks/alice/', state: 'ready', owned: true, details: { copied: 4 } });
    expect([...(await listing(client, 'shared-one', 'forks/alice/')).keys()].sort()).toEqual(['avatars/1 + 1.png', 'fork', 'forks0', 'zz/last']);
    expect(await describeObject(client, 'shared-one', 'forks/alice/avatars/1 + 1.png')).toMatchObject({ contentType: 'image/png', metadata: { who: 'one' }, tags: ['t=1'] });
    await provider.fork(c, { env: 'bob', parent: 'alice' });
    expect(await listing(client, 'shared-one', 'forks/bob/')).toEqual(await listing(client, 'shared-one', 'forks/alice/'));

    expect(await provider.variables(c, 'alice')).toEqual({
      BUCKET_NAME: 'shared-one',
      BUCKET_UPLOADS: 'shared-one',
      BUCKET_KEY_PREFIX: 'forks/alice/',
      BUCKET_UPLOADS_KEY_PREFIX: 'forks/alice/',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_S3: server.endpoint,
    });
    expect((await provider.variables(c, 'dev')).BUCKET_KEY_PREFIX).toBe('');
    const assets = ctx('shared-one', {}, { name: 'assets', isDefault: false });
    expect(await provider.variables(assets, 'alice')).toMatchObject({ BUCKET_ASSETS: 'shared-one', BUCKET_ASSETS_KEY_PREFIX: 'forks/alice/' });
    expect(Object.keys(await provider.variables(assets, 'alice'))).not.toContain('BUCKET_KEY_PREFIX');

    expect((await provider.list(c)).map((r) => `${r.env}:${r.state}`).sort()).toEqual(['alice:ready', 'bob:ready', 'dev:ready']);
    await provider.remove(c, { env: 'alice' });
    expect((await listing(client, 'shared-one', 'forks/alice/')).size).toBe(0);
    expect((await listing(client, 'shared-one', 'forks/bob/')).size).toBe(4);
    expect(await provider.find(c, 'alice')).toBeUndefined();
    expect((await listing(client, 'shared-one')).has('zz/last')).toBe(true);
  });

  it('resumes an interrupted prefix fork and refuses a prefix it did not fill', async () => {
    const client = server.client();
    await createBucket(client, 'shared-two');
    await server.seedFiles('shared-two', Array.from({ length: 300 }, (_, i) => ({ key: `data/${i}`, body: `d${i}` })));
    const c = ctx('shared-two', { concurrency: 4 });
    server.inject({ op: 'CopyObject', after: 100, status: 400, code: 'InvalidRequest', times: Infinity });
    await expect(provider.fork(c, { env: 'carol', parent: 'dev' })).rejects.toThrow(/InvalidRequest/);
    server.clearFaults();
    expect(await provider.find(c, 'carol')).toMatchObject({ state: 'partial' });
    await new Promise((r) => setTimeout(r, 300));
    const partial = await listing(client, 'shared-two', 'forks/carol/');
    server.resetLog();
    await provider.fork(c, { env: 'carol', parent: 'dev' });
    expect(server.count('CopyObject')).toBe(300 - partial.size);
    expect(await listing(client, 'shared-two', 'forks/carol/')).toEqual(await listing(client, 'shared-two', 'data/').then((m) => new Map([...m].map(([k, v]) => [`data/${k}`, v]))));

    await seed(client, 'shared-two', [{ Key: 'forks/dan/notes.txt', Body: 'made by hand' }]);
    await expect(provider.fork(c, { env: 'dan', parent: 'dev' })).rejects.toThrow(/was not made by fork-stack for "dan" \(it holds objects \(or object versions\) that fork-stack did not put there\)/);
    await expect(provider.remove(c, { env: 'dan' })).rejects.toThrow(/was not made by fork-stack/);
    expect(await provider.find(c, 'dan')).toMatchObject({ owned: false });
  });

  it('a missing shared bucket and a missing bucket option are clear errors', async () => {
    await expect(provider.fork(ctx('shared-none'), { env: 'x', parent: 'dev' })).rejects.toThrow(/shared bucket shared-none .* does not exist/);
    expect(() => schema.parse({ mode: 'prefix' })).toThrow(/is required when mode/);
    expect(() => schema.parse({ mode: 'prefix', bucket: 'b-b-b', key_prefix: '{env}/' })).toThrow(/fixed folder/);
  });
});

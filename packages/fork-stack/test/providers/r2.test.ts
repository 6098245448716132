/**
 * The r2 provider against s3rver with an R2-style configuration (endpoint override, region "auto",
 * R2_* credentials): the shared copy engine, R2's naming rules, no tagging calls of any kind (R2 has
 * none), the owner marker object, and R2's documented errors (Cloudflare "R2 error codes").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provider } from '../../src/providers/storage/r2.js';
import { schema, type R2Options } from '../../src/providers/storage/r2.schema.js';
import type { Provider } from '../../src/providers/types.js';
import { testContext } from '../helpers/context.js';
import { providerContract } from '../helpers/provider-contract.js';
import { createBucket, describeObject, listing, seed , failure } from '../helpers/s3-objects.js';
import { S3RVER_ACCESS_KEY, S3RVER_SECRET_KEY, startS3Server, type S3Server } from '@fork-stack/provider-fakes/s3';

let server: S3Server;
beforeAll(async () => {
  server = await startS3Server();
});
afterAll(() => server.close());

/** R2-style environment: R2 keys, no AWS_* at all, the endpoint override pointing at s3rver. */
function r2Env(s: S3Server): Record<string, string> {
  return { R2_ACCESS_KEY_ID: S3RVER_ACCESS_KEY, R2_SECRET_ACCESS_KEY: S3RVER_SECRET_KEY, AWS_ENDPOINT_URL_S3: s.endpoint, AWS_EC2_METADATA_DISABLED: 'true' };
}

let n = 0;
function ctx(options: Record<string, unknown> = {}, env?: Record<string, string | undefined>) {
  return testContext<R2Options>({ kind: 'storage', slot: 'storage.media', project: `r${++n}`, root: '/tmp', schema, options: { account_id: '0123456789abcdef0123456789abcdef', ...options }, env: env ?? r2Env(server), bucket: { name: 'media', isDefault: true } });
}

providerContract('r2 (s3rver, R2 config)', provider as Provider<unknown>, async () => {
  const s3rver = await startS3Server();
  const c = s3rver.client();
  const context = testContext<R2Options>({ kind: 'storage', slot: 'storage.media', project: 'contract', root: '/tmp', schema, options: { account_id: '0123456789abcdef0123456789abcdef' }, env: r2Env(s3rver), bucket: { name: 'media', isDefault: true } });
  await createBucket(c, 'contract-bucket-dev');
  await seed(c, 'contract-bucket-dev', [{ Key: 'x.txt', Body: 'x' }]);
  return {
    ctx: context,
    parent: 'dev',
    fingerprint: async (env) => JSON.stringify([...(await listing(c, provider.resourceName(context, env)))].filter(([k]) => !k.startsWith('.fork-stack/'))),
    cleanup: () => s3rver.close(),
  };
});

describe('r2 provider', () => {
  it('forks with the shared copy engine, never calls a tagging API, marks the bucket with an object', async () => {
    const client = server.client();
    const c = ctx();
    const dev = provider.resourceName(c, 'dev');
    await createBucket(client, dev);
    await seed(client, dev, [
      { Key: 'img/ü ñ+%.jpg', Body: 'jpeg bytes', ContentType: 'image/jpeg', CacheControl: 'public, max-age=60', Metadata: { author: 'ann' } },
      { Key: 'empty', Body: '' },
    ]);
    server.resetLog();
    const alice = await provider.fork(c, { env: 'alice', parent: 'dev' });
    expect(alice).toMatchObject({ name: `${c.project}-bucket-alice`, state: 'ready', owned: true });
    expect(server.requests.filter((r) => /Tagging/.test(r.op) || r.headers['x-amz-tagging-directive'] || r.headers['x-amz-copy-source-if-match'])).toEqual([]);
    expect(server.requests.find((r) => r.op === 'CreateBucket')?.headers['x-amz-content-sha256']).toBeDefined();
    const { tags: _t, ...kept } = await describeObject(client, alice.name, 'img/ü ñ+%.jpg', false);
    expect(kept).toMatchObject({ contentType: 'image/jpeg', cacheControl: 'public, max-age=60', metadata: { author: 'ann' } });
    expect([...(await listing(client, alice.name)).keys()].sort()).toEqual(['.fork-stack/owner.json', 'empty', 'img/ü ñ+%.jpg']);
    expect(await provider.variables(c, 'alice')).toEqual({ BUCKET_NAME: alice.name, BUCKET_MEDIA: alice.name, AWS_REGION: 'auto', AWS_ENDPOINT_URL_S3: server.endpoint });
    await provider.remove(c, { env: 'alice' });
    expect(await provider.find(c, 'alice')).toBeUndefined();
  });

  it('the owner object carries the expiry of a fork with a TTL', async () => {
    const c = ctx();
    await createBucket(server.client(), provider.resourceName(c, 'dev')).catch(() => undefined);
    await provider.fork(c, { env: 'gus', parent: 'dev', expiresAt: new Date('2026-03-01T12:00:00Z') });
    expect((await provider.find(c, 'gus'))?.expiresAt).toBe('2026-03-01T12:00:00.000Z');
    await provider.remove(c, { env: 'gus' });
  });

  it('applies R2 naming rules before any call: no dots, 3–63 characters', () => {
    const c = ctx();
    expect(provider.checkName(c, 'alice')).toBeUndefined();
    expect(provider.checkName(ctx({ names: { alice: 'my.bucket' } }), 'alice')).toMatch(/contains "\."; R2 allows only lower-case letters, digits and "-"/);
    expect(provider.checkName(c, `x${'y'.repeat(60)}`)).toMatch(/R2 allows 3 to 63/);
  });

  it('uses the account endpoint and region auto; a missing account_id names the option', async () => {
    const noEndpoint = { R2_ACCESS_KEY_ID: 'k', R2_SECRET_ACCESS_KEY: 'secret-value' };
    const withAccount = ctx({ jurisdiction: 'eu' }, noEndpoint);
    expect((await provider.variables(withAccount, 'alice')).AWS_ENDPOINT_URL_S3).toBe('https://0123456789abcdef0123456789abcdef.eu.r2.cloudflarestorage.com');
    const without = testContext<R2Options>({ kind: 'storage', slot: 'storage.media', project: 'x', root: '/tmp', schema, env: noEndpoint, bucket: { name: 'media', isDefault: true } });
    await expect(provider.find(without, 'dev')).rejects.toThrow(/storage.media: account_id is not set/);
    expect(() => schema.parse({ account_id: 'not-an-id' })).toThrow(/32-character Cloudflare account ID/);
  });

  it('R2 errors: 401 Unauthorized is a credentials error; TooManyBuckets says what to do', async () => {
    const client = server.client();
    const c = ctx();
    await createBucket(client, provider.resourceName(c, 'dev'));
    server.inject({ op: 'ListBuckets', status: 401, code: 'Unauthorized', message: 'Unauthorized', times: 1 });
    const checks = await provider.check(c);
    expect(checks.find((k) => k.name === 'reachability')).toMatchObject({ status: 'fail' });
    expect(checks.find((k) => k.name === 'reachability')?.fix).toMatch(/R2_ACCESS_KEY_ID/);
    server.inject({ op: 'CreateBucket', status: 400, code: 'TooManyBuckets', message: 'You have attempted to create more buckets than allowed.', times: 1 });
    const error = await failure(provider.fork(c, { env: 'bob', parent: 'dev' }));
    server.clearFaults();
    expect(error.message).toMatch(/r2: creating bucket .* TooManyBuckets/);
    expect(error.hint).toMatch(/bucket limit.*mode = "prefix"/);
  });

  it('prefix mode works on R2 too (tokens scoped to one bucket)', async () => {
    const client = server.client();
    await createBucket(client, 'r2-shared');
    await seed(client, 'r2-shared', [{ Key: 'a', Body: 'a' }]);
    const c = ctx({ mode: 'prefix', bucket: 'r2-shared' });
    await provider.fork(c, { env: 'pr-1', parent: 'dev' });
    expect([...(await listing(client, 'r2-shared', 'forks/pr-1/')).keys()]).toEqual(['a']);
    expect((await provider.variables(c, 'pr-1')).BUCKET_KEY_PREFIX).toBe('forks/pr-1/');
  });
});

/**
 * The redis cache provider, prefix isolation, against a real redis-server: the shared contract, two
 * environments that never see each other's keys, a delete that leaves every other key byte-identical,
 * copy with values and TTLs (COPY and DUMP/RESTORE), prefixes that cannot overlap, glob characters.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { provider } from '../../src/providers/cache/redis.js';
import { schema, type RedisOptions } from '../../src/providers/cache/redis.schema.js';
import { copyByPrefix, deleteByPrefix, globEscape } from '../../src/providers/redis-common/keyspace.js';
import { REGISTRY_KEYS } from '../../src/providers/redis-common/registry.js';
import type { Provider } from '../../src/providers/types.js';
import { testContext } from '../helpers/context.js';
import { ownershipContract } from '../helpers/ownership-contract.js';
import { providerContract } from '../helpers/provider-contract.js';
import { prefixForeign } from '../helpers/redis-ownership.js';
import { dumpKeys, readKeys, redisServerAvailable, seedKeys, startRedisServer, type RedisServer } from '../helpers/redis-server.js';

const available = redisServerAvailable();

function contextFor(server: RedisServer, root: string, options: Record<string, unknown> = {}, project = 'app') {
  return testContext<RedisOptions>({ kind: 'cache', root, schema, options, project, env: { REDIS_URL: server.url } });
}

async function prefixOf(ctx: ReturnType<typeof contextFor>, env: string) {
  return (await provider.variables(ctx, env)).CACHE_KEY_PREFIX as string;
}

describe.skipIf(!available)('redis cache (prefix isolation)', () => {
  let server: RedisServer;
  let client: Redis;
  let root: string;
  beforeAll(async () => {
    server = await startRedisServer({ password: 'pw with spaces/and:colons' });
    client = await server.client();
    root = mkdtempSync(path.join(os.tmpdir(), 'redis-test-'));
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  providerContract('redis prefix + copy', provider as Provider<unknown>, async () => {
    const ctx = contextFor(server, root, { copy: true }, 'contract');
    await seedKeys(client, await prefixOf(ctx, 'dev'));
    return {
      ctx,
      parent: 'dev',
      fingerprint: async (env) => JSON.stringify([...(await readKeys(client, await prefixOf(ctx, env), { relative: true }))].sort()),
    };
  });

  // A prefix with neither keys nor a record is nothing at all, so the 'empty' variant does not apply.
  ownershipContract('redis prefix', provider as Provider<unknown>, async () => {
    const ctx = contextFor(server, root, {}, 'owner');
    return { ctx, parent: 'dev', foreign: prefixForeign(client, REGISTRY_KEYS.cachePrefixes, 'owner', (env) => `owner:${env}:`) };
  });

  it('publishes CACHE_URL = REDIS_URL with the password, and the documented default prefix', async () => {
    const ctx = contextFor(server, root);
    const vars = await provider.variables(ctx, 'alice');
    expect(vars).toEqual({ CACHE_URL: server.url, REDIS_URL: server.url, CACHE_KEY_PREFIX: 'app:alice:' });
    expect(provider.publicVariables).toEqual(['CACHE_KEY_PREFIX']);
  });

  it('two environments on one server never see each other\'s keys', async () => {
    const ctx = contextFor(server, root, {}, 'iso');
    await provider.fork(ctx, { env: 'alice', parent: 'dev' });
    await provider.fork(ctx, { env: 'bob', parent: 'dev' });
    const [a, b] = [await prefixOf(ctx, 'alice'), await prefixOf(ctx, 'bob')];
    // What an app does: every key it writes starts with its CACHE_KEY_PREFIX.
    await client.set(`${a}session`, 'alice-session');
    await client.set(`${b}session`, 'bob-session');
    expect(await client.get(`${a}session`)).toBe('alice-session');
    expect([...(await dumpKeys(client, a, { relative: true })).keys()]).toEqual(['session']);
    expect([...(await dumpKeys(client, b, { relative: true })).keys()]).toEqual(['session']);
    expect(await provider.find(ctx, 'alice')).toMatchObject({ env: 'alice', name: 'iso:alice:', state: 'ready', owned: true, parent: 'dev' });
    const listed = await provider.list(ctx);
    expect(listed.map((r) => r.env).sort()).toEqual(['alice', 'bob', 'dev']);
    // Another project on the same server sees none of them.
    expect((await provider.list(contextFor(server, root, {}, 'other'))).map((r) => r.env)).toEqual(['dev']);
  });

  it('delete of alice removes exactly its keys: dev, alice-2, bob and foreign keys stay byte-identical', async () => {
    const ctx = contextFor(server, root, {}, 'del');
    await seedKeys(client, await prefixOf(ctx, 'dev'));
    for (const env of ['alice', 'alice-2', 'bob']) {
      await provider.fork(ctx, { env, parent: 'dev' });
      await seedKeys(client, await prefixOf(ctx, env));
    }
    // Keys of apps that do not use fork-stack, named so that a sloppy match would catch them.
    await client.set('del:alice', 'no trailing colon');
    await client.set('del:alice-', 'dash');
    await client.set('xdel:alice:k', 'other prefix');
    const alice = await prefixOf(ctx, 'alice');
    const others = async () => dumpKeys(client, '', { skip: (k) => k.startsWith(alice) });
    const before = await others();
    expect(before.size).toBeGreaterThan(30);
    expect((await dumpKeys(client, alice)).size).toBe(9);

    await provider.remove(ctx, { env: 'alice' });

    expect((await dumpKeys(client, alice)).size).toBe(0);
    const after = await others();
    // The registry lost alice's record; everything else is byte-identical, TTLs included.
    const registryBefore = before.get(REGISTRY_KEYS.cachePrefixes);
    expect(after.get(REGISTRY_KEYS.cachePrefixes)).not.toBe(registryBefore);
    before.delete(REGISTRY_KEYS.cachePrefixes);
    after.delete(REGISTRY_KEYS.cachePrefixes);
    expect(after).toEqual(before);
    expect(await provider.find(ctx, 'alice')).toBeUndefined();
    expect(await provider.find(ctx, 'alice-2')).toMatchObject({ state: 'ready' });
    // Removing again is success.
    await provider.remove(ctx, { env: 'alice' });
  });

  it('describe (for diff) counts exactly the environment\'s keys', async () => {
    const ctx = contextFor(server, root, {}, 'count');
    await provider.fork(ctx, { env: 'alice', parent: 'dev' });
    const a = await prefixOf(ctx, 'alice');
    await client.mset(`${a}one`, '1', `${a}two`, '2', 'count:alice-2:other', 'x', 'unrelated', 'y');
    expect(await provider.describe!(ctx, 'alice')).toEqual({ keys: { count: 2 } });
    await provider.remove(ctx, { env: 'alice' });
  });

  it('dev and dev-2 cannot collide: the prefix pattern needs a separator after {env}', () => {
    expect(schema.safeParse({ prefix: '{project}:{env}' }).success).toBe(false);
    expect(schema.safeParse({ prefix: '{project}-{env}-' }).success).toBe(false);
    expect(schema.safeParse({ prefix: '{env}{project}:' }).success).toBe(false);
    expect(schema.safeParse({ prefix: '{project}:{env}:{env}:' }).success).toBe(false);
    const problem = schema.safeParse({ prefix: '{project}:{env}' });
    expect(JSON.stringify(problem.error?.issues)).toMatch(/separator/);
    for (const ok of ['{project}:{env}:', 'cache/{project}/{env}/', '{env}|']) expect(schema.safeParse({ prefix: ok }).success).toBe(true);
  });

  it('rejects explicit prefixes that overlap other environments before touching anything', async () => {
    const ctx = contextFor(server, root, { names: { prod: 'app:' } });
    expect(provider.checkName(ctx, 'alice')).toMatch(/overlaps the prefix of "prod"/);
    const ctx2 = contextFor(server, root, { names: { prod: 'app:de' } });
    expect(provider.checkName(ctx2, 'prod')).toMatch(/starts with "de"/);
    const ctx3 = contextFor(server, root, { names: { prod: 'legacy:' } });
    expect(provider.checkName(ctx3, 'alice')).toBeUndefined();
    expect(provider.checkName(ctx3, 'prod')).toBeUndefined();
    expect(provider.resourceName(ctx3, 'prod')).toBe('legacy:');
    await expect(provider.fork(ctx, { env: 'alice', parent: 'dev' })).rejects.toThrow(/overlaps/);
    expect(await provider.find(ctx, 'alice')).toBeUndefined();
    // A prefix that would cover fork-stack's own record is refused too.
    const ctx4 = contextFor(server, root, { prefix: '__fork_stack__:{env}:' }, 'x');
    expect(provider.checkName(ctx4, 'cache')).toMatch(/fork-stack's own key/);
  });

  it('escapes glob characters: a prefix with [ ] * ? \\ deletes only its literal keys', async () => {
    const ctx = contextFor(server, root, { prefix: 'g[a]*?\\{project}:{env}:' }, 'glob');
    await provider.fork(ctx, { env: 'alice', parent: 'dev' });
    const prefix = await prefixOf(ctx, 'alice');
    expect(prefix).toBe('g[a]*?\\glob:alice:');
    expect(globEscape(prefix)).toBe('g\\[a\\]\\*\\?\\\\glob:alice:');
    await client.set(`${prefix}mine`, '1');
    // Each of these matches the unescaped pattern "g[a]*?\glob:alice:*".
    const decoys = ['ga-x\\glob:alice:k', 'gaXY\\glob:alice:k', 'ga\\\\glob:alice:k'];
    for (const k of decoys) await client.set(k, 'decoy');
    await provider.remove(ctx, { env: 'alice' });
    expect(await client.exists(`${prefix}mine`)).toBe(0);
    for (const k of decoys) expect(await client.get(k)).toBe('decoy');
  });

  it('copy = true copies every type with its TTL under the new prefix; the parent is untouched', async () => {
    const ctx = contextFor(server, root, { copy: true }, 'copy');
    const dev = await prefixOf(ctx, 'dev');
    await seedKeys(client, dev);
    const before = await readKeys(client, dev, { relative: true });
    const untouched = await dumpKeys(client, dev);
    await provider.fork(ctx, { env: 'alice', parent: 'dev' });
    const copy = await readKeys(client, await prefixOf(ctx, 'alice'), { relative: true });
    // COPY keeps each value and its absolute expiry time.
    expect(copy).toEqual(before);
    expect(await dumpKeys(client, dev)).toEqual(untouched);
    expect(Number(await client.pttl(`${await prefixOf(ctx, 'alice')}ttl`))).toBeGreaterThan(3_000_000);
    // Without copy, a fork starts empty.
    const empty = contextFor(server, root, { copy: false }, 'copy');
    await provider.fork(empty, { env: 'bob', parent: 'dev' });
    expect((await dumpKeys(client, await prefixOf(ctx, 'bob'))).size).toBe(0);
  });

  it('DUMP/RESTORE copy (servers without COPY) keeps values and TTLs, and REPLACE makes a re-run idempotent', async () => {
    await seedKeys(client, 'dr:src:');
    await client.set('dr:src:persistent', 'no ttl');
    const n = await copyByPrefix(client, 'dr:src:', 'dr:dst:', { method: 'dump', batch: 3 });
    expect(n).toBe(10);
    expect(await copyByPrefix(client, 'dr:src:', 'dr:dst:', { method: 'dump', batch: 3 })).toBe(10);
    const src = await readKeys(client, 'dr:src:', { relative: true });
    const dst = await readKeys(client, 'dr:dst:', { relative: true });
    expect([...dst.keys()].sort()).toEqual([...src.keys()].sort());
    for (const [key, value] of src) {
      const split = (v: string) => [v.slice(0, v.lastIndexOf('|')), v.slice(v.lastIndexOf('|') + 1)];
      const [srcValue, srcExpiry] = split(value);
      const [dstValue, dstExpiry] = split(dst.get(key) as string);
      expect(dstValue).toBe(srcValue);
      if (srcExpiry === '-1') expect(dstExpiry).toBe('-1');
      else expect(Number(dstExpiry)).toBeGreaterThanOrEqual(Number(srcExpiry));
    }
    expect(await deleteByPrefix(client, 'dr:', { batch: 5 })).toBe(20);
    await expect(deleteByPrefix(client, '', { batch: 5 })).rejects.toThrow(/empty prefix/);
  });

  it('keys under a prefix with no record are found as not owned, and fork, delete and rollback refuse them untouched', async () => {
    const ctx = contextFor(server, root, {}, 'taken');
    await client.set('taken:alice:someone-elses', 'precious');
    await expect(provider.fork(ctx, { env: 'alice', parent: 'dev' })).rejects.toThrow(/holds keys that fork-stack did not create/);
    // Before: find said "no such environment" and remove succeeded, so nothing told the engine whose they were.
    expect(await provider.find(ctx, 'alice')).toMatchObject({ env: 'alice', owned: false, details: { unrecordedKeys: true } });
    await expect(provider.remove(ctx, { env: 'alice' })).rejects.toThrow(/refusing to delete "alice".*left untouched/);
    await expect(provider.remove(ctx, { env: 'alice', reason: 'rollback' })).rejects.toThrow(/did not create/);
    expect(await client.get('taken:alice:someone-elses')).toBe('precious');
    await client.del('taken:alice:someone-elses');
    expect(await provider.find(ctx, 'alice')).toBeUndefined();
    await provider.remove(ctx, { env: 'alice' });
  });

  it('a prefix recorded for another project is found as theirs (markedFor), and never forked over or deleted', async () => {
    const mine = contextFor(server, root, { prefix: 'shared:{env}:' }, 'one');
    const theirs = contextFor(server, root, { prefix: 'shared:{env}:' }, 'two');
    await provider.fork(theirs, { env: 'alice', parent: 'dev' });
    await client.set('shared:alice:k', 'theirs');
    expect(await provider.find(mine, 'alice')).toMatchObject({ owned: false, markedFor: { project: 'two', env: 'alice' } });
    await expect(provider.fork(mine, { env: 'alice', parent: 'dev' })).rejects.toThrow(/recorded for project "two"/);
    await expect(provider.remove(mine, { env: 'alice' })).rejects.toThrow(/recorded for project "two"/);
    expect(await client.get('shared:alice:k')).toBe('theirs');
  });

  it('never forks into or deletes a root', async () => {
    const ctx = contextFor(server, root, {}, 'roots');
    await expect(provider.fork(ctx, { env: 'dev', parent: 'prod' })).rejects.toThrow(/root environment/);
    await expect(provider.remove(ctx, { env: 'dev' })).rejects.toThrow(/root environment/);
  });

  it('finishes an interrupted fork: a record left "creating" is completed by the next fork and listed as creating before', async () => {
    const ctx = contextFor(server, root, { copy: true }, 'resume');
    await client.set('resume:dev:a', '1');
    await client.hset(REGISTRY_KEYS.cachePrefixes, 'resume:alice:', JSON.stringify({ project: 'resume', env: 'alice', parent: 'dev', createdAt: '2020-01-01T00:00:00.000Z', status: 'creating' }));
    expect(await provider.find(ctx, 'alice')).toMatchObject({ state: 'creating' });
    const done = await provider.fork(ctx, { env: 'alice', parent: 'dev' });
    expect(done).toMatchObject({ state: 'ready', createdAt: '2020-01-01T00:00:00.000Z' });
    expect(await client.get('resume:alice:a')).toBe('1');
  });

  it('check reports the server, its version and a risky eviction policy', async () => {
    const ctx = contextFor(server, root);
    const checks = await provider.check(ctx);
    expect(checks.find((c) => c.name === 'connection')).toMatchObject({ status: 'ok' });
    expect(checks.find((c) => c.name === 'server version')?.message).toMatch(/^Redis \d+\.\d+/);
    expect(checks.find((c) => c.name === 'eviction policy')).toMatchObject({ status: 'ok' });
    await client.config('SET', 'maxmemory-policy', 'allkeys-lru');
    try {
      expect((await provider.check(ctx)).find((c) => c.name === 'eviction policy')).toMatchObject({ status: 'warn' });
    } finally {
      await client.config('SET', 'maxmemory-policy', 'noeviction');
    }
  });
});

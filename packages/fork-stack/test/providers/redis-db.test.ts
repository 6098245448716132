/**
 * The redis cache provider with `isolation = "db"` against a real redis-server: a database per
 * environment allocated from a map in database 0, copy into the new database, FLUSHDB on delete of
 * exactly that database, and a clear error when the databases run out.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { ForkStackError } from '../../src/core/errors.js';
import { provider } from '../../src/providers/cache/redis.js';
import { schema, type RedisOptions } from '../../src/providers/cache/redis.schema.js';
import { REGISTRY_KEYS } from '../../src/providers/redis-common/registry.js';
import type { Provider } from '../../src/providers/types.js';
import { testContext } from '../helpers/context.js';
import { ownershipContract } from '../helpers/ownership-contract.js';
import { providerContract } from '../helpers/provider-contract.js';
import { databaseForeign } from '../helpers/redis-ownership.js';
import { dumpKeys, readKeys, redisServerAvailable, seedKeys, startRedisServer, type RedisServer } from '../helpers/redis-server.js';

const available = redisServerAvailable();

function contextFor(server: RedisServer, root: string, options: Record<string, unknown> = {}, project = 'app', roots = ['dev']) {
  return testContext<RedisOptions>({ kind: 'cache', root, schema, options: { isolation: 'db', ...options }, project, roots, env: { REDIS_URL: server.url } });
}

const dbOf = (url: string) => Number(new URL(url).pathname.slice(1) || '0');
const notOurs = (k: string) => k.startsWith('__fork_stack__:');

describe.skipIf(!available)('redis cache (database isolation)', () => {
  let server: RedisServer;
  let root: string;
  const clients = new Map<number, Redis>();
  const db = async (n: number) => {
    if (!clients.has(n)) clients.set(n, await server.client(n));
    return clients.get(n) as Redis;
  };
  beforeAll(async () => {
    server = await startRedisServer({ databases: 6 });
    root = mkdtempSync(path.join(os.tmpdir(), 'redis-db-test-'));
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  // The environment pinned to database 4 (names), where the foreign keys or record sit; an empty,
  // unrecorded database is free for the taking, so the 'empty' variant does not apply.
  ownershipContract('redis db', provider as Provider<unknown>, async () => {
    const ctx = contextFor(server, root, { names: { 'contract-foreign': '4' } }, 'owner');
    return { ctx, parent: 'dev', foreign: databaseForeign(db, REGISTRY_KEYS.cacheDatabases, 'owner', 4) };
  });

  providerContract('redis db + copy', provider as Provider<unknown>, async () => {
    const ctx = contextFor(server, root, { copy: true, names: { dev: '5' } }, 'contract');
    await seedKeys(await db(5), '');
    const print = async (env: string) => {
      const n = dbOf((await provider.variables(ctx, env)).CACHE_URL as string);
      return JSON.stringify([...(await readKeys(await db(n), '', { skip: notOurs }))].sort());
    };
    return {
      ctx,
      parent: 'dev',
      fingerprint: print,
      // Leave the databases empty for the tests below.
      cleanup: async () => void (await (await db(5)).flushdb()),
    };
  });

  describe('allocation', () => {
    // Each test leaves databases 1–5 empty and no environment recorded (dev's data in 0 stays).
    afterEach(async () => {
      for (let n = 1; n <= 5; n++) await (await db(n)).flushdb();
      await (await db(0)).del(REGISTRY_KEYS.cacheDatabases);
    });

    it('gives each environment its own database, recorded in database 0, and an empty CACHE_KEY_PREFIX', async () => {
      const ctx = contextFor(server, root);
      const alice = await provider.fork(ctx, { env: 'alice', parent: 'dev' });
      const bob = await provider.fork(ctx, { env: 'bob', parent: 'dev' });
      expect(alice).toMatchObject({ env: 'alice', name: 'app:alice', state: 'ready', details: { db: 1 } });
      expect(bob.details?.db).toBe(2);
      const vars = await provider.variables(ctx, 'alice');
      expect(vars).toEqual({ CACHE_URL: `${server.url}/1`, REDIS_URL: `${server.url}/1`, CACHE_KEY_PREFIX: '' });
      expect((await provider.variables(ctx, 'dev')).CACHE_URL).toBe(server.url);
      const map = await (await db(0)).hgetall(REGISTRY_KEYS.cacheDatabases);
      expect(Object.keys(map).sort()).toEqual(['1', '2']);
      expect(JSON.parse(map['1'] as string)).toMatchObject({ project: 'app', env: 'alice', parent: 'dev', status: 'ready' });
      // Keys written through each URL stay in that database.
      await (await db(1)).set('k', 'alice');
      await (await db(2)).set('k', 'bob');
      expect(await (await db(1)).get('k')).toBe('alice');
      // A second fork of alice returns the same database.
      expect((await provider.fork(ctx, { env: 'alice', parent: 'dev' })).details?.db).toBe(1);
      expect((await provider.list(ctx)).map((r) => `${r.env}:${r.details?.db}`).sort()).toEqual(['alice:1', 'bob:2', 'dev:0']);
    });

    it('delete flushes exactly the environment\'s database; every other database stays byte-identical', async () => {
      const ctx = contextFor(server, root);
      await provider.fork(ctx, { env: 'alice', parent: 'dev' });
      await provider.fork(ctx, { env: 'bob', parent: 'dev' });
      await seedKeys(await db(0), 'devdata:');
      await seedKeys(await db(2), 'bobdata:');
      await seedKeys(await db(1), 'alicedata:');
      const snapshot = async () => ({ 0: await dumpKeys(await db(0), '', { skip: notOurs }), 2: await dumpKeys(await db(2)) });
      const before = await snapshot();
      await provider.remove(ctx, { env: 'alice' });
      expect(await (await db(1)).dbsize()).toBe(0);
      expect(await snapshot()).toEqual(before);
      expect(await provider.find(ctx, 'alice')).toBeUndefined();
      expect(Object.keys(await (await db(0)).hgetall(REGISTRY_KEYS.cacheDatabases))).toEqual(['2']);
      await provider.remove(ctx, { env: 'alice' });
      await provider.remove(ctx, { env: 'bob' });
    });

    it('copy = true copies the parent database (without fork-stack\'s own records), values and expiry times', async () => {
      const ctx = contextFor(server, root, { copy: true });
      const before = await readKeys(await db(0), '', { skip: notOurs });
      const carol = await provider.fork(ctx, { env: 'carol', parent: 'dev' });
      const n = carol.details?.db as number;
      // COPY keeps each value and its absolute expiry time.
      expect(await readKeys(await db(n))).toEqual(before);
      expect(await (await db(n)).exists(REGISTRY_KEYS.cacheDatabases)).toBe(0);
      await provider.remove(ctx, { env: 'carol' });
    });

    it('skips a database that holds someone else\'s keys, and fails clearly when no database is left', async () => {
      const ctx = contextFor(server, root);
      await (await db(1)).set('foreign', 'kept');
      const made = [];
      for (const env of ['e-one', 'e-two', 'e-three']) made.push((await provider.fork(ctx, { env, parent: 'dev' })).details?.db);
      expect(made).toEqual([2, 3, 4]);
      // Database 5 is the last one (databases 6 → 0..5).
      expect((await provider.fork(ctx, { env: 'e-four', parent: 'dev' })).details?.db).toBe(5);
      const error = await provider.fork(ctx, { env: 'e-five', parent: 'dev' }).then(
        () => undefined,
        (e: unknown) => e as ForkStackError,
      );
      if (!error) throw new Error('the fork should have failed');
      expect(error).toBeInstanceOf(ForkStackError);
      expect(error.message).toBe('redis: no free database for "e-five": the server has 6 databases and every one that fork-stack may use is taken');
      expect(error.details.join('\n')).toMatch(/2: app\/e-one/);
      expect(error.details.join('\n')).toMatch(/holding keys fork-stack did not put there: 1/);
      expect(error.hint).toMatch(/isolation = "prefix"/);
      expect(error.exitCode).toBe(1);
      expect(await provider.find(ctx, 'e-five')).toBeUndefined();
      expect(await (await db(1)).get('foreign')).toBe('kept');
      const check = (await provider.check(ctx)).find((c) => c.name === 'databases');
      expect(check).toMatchObject({ status: 'warn' });
      for (const env of ['e-one', 'e-two', 'e-three', 'e-four']) await provider.remove(ctx, { env });
      await (await db(1)).del('foreign');
    });

    it('validates names as database numbers and keeps roots apart', () => {
      expect(provider.checkName(contextFor(server, root, { names: { dev: 'zero' } }), 'alice')).toMatch(/database number/);
      expect(provider.checkName(contextFor(server, root, {}, 'app', ['dev', 'prod']), 'prod')).toMatch(/would share database 0/);
      expect(provider.checkName(contextFor(server, root, { names: { prod: '1' } }, 'app', ['dev', 'prod']), 'prod')).toBeUndefined();
      expect(provider.checkName(contextFor(server, root, { names: { alice: '0' } }), 'alice')).toMatch(/database of its own/);
    });

    it('two forks created at the same time never get the same database', async () => {
      const ctx = contextFor(server, root, {}, 'race');
      const forks = await Promise.all(['r-a', 'r-b', 'r-c', 'r-d'].map((env) => provider.fork(ctx, { env, parent: 'dev' })));
      expect(new Set(forks.map((f) => f.details?.db)).size).toBe(4);
      for (const f of forks) await provider.remove(ctx, { env: f.env });
    });
  });
});

/**
 * Bad input for the Redis-server providers (cache and queue share the connection code): no URL, a URL
 * with a password in the config, an unreachable server, a wrong or missing password. Each is a clear
 * error naming the server and the fix, with no password in it, and nothing is created.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { provider } from '../../src/providers/cache/redis.js';
import { schema, type RedisOptions } from '../../src/providers/cache/redis.schema.js';
import { provider as bullmq } from '../../src/providers/queue/bullmq.js';
import { schema as bullmqSchema, type BullmqOptions } from '../../src/providers/queue/bullmq.schema.js';
import { testContext } from '../helpers/context.js';
import { freePort, redisServerAvailable, startRedisServer, type RedisServer } from '../helpers/redis-server.js';

const available = redisServerAvailable();

/** The error a call rejects with (the test fails if it resolves). */
async function failure(promise: Promise<unknown>): Promise<UsageError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error as UsageError,
  );
  if (!outcome) throw new Error('expected the call to fail');
  return outcome;
}
const PASSWORD = 's3cret-p@ss:word';

describe.skipIf(!available)('redis: bad input and unreachable servers', () => {
  let server: RedisServer;
  let root: string;
  const ctx = (env: Record<string, string>, options: Record<string, unknown> = {}) =>
    testContext<RedisOptions>({ kind: 'cache', root, schema, options, env });
  beforeAll(async () => {
    server = await startRedisServer({ password: PASSWORD });
    root = mkdtempSync(path.join(os.tmpdir(), 'redis-errors-'));
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('no URL anywhere: a usage error naming the variable and the option', async () => {
    const error = await failure(provider.find(ctx({}), 'alice'));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe('REDIS_URL is not set, and [cache] has no url');
    expect(error.hint).toMatch(/export REDIS_URL=redis:\/\/|Export REDIS_URL=redis:\/\//);
    // url_env names another variable.
    await expect(provider.find(ctx({}, { url_env: 'MY_CACHE' }), 'alice')).rejects.toThrow('MY_CACHE is not set, and [cache] has no url');
  });

  it('a password in the config file, or a URL that is not redis://, is refused by the schema', () => {
    const withPassword = schema.safeParse({ url: 'redis://:hunter2@localhost:6379' });
    expect(withPassword.success).toBe(false);
    expect(JSON.stringify(withPassword.error?.issues)).toMatch(/must not contain a password/);
    expect(schema.safeParse({ url: 'http://localhost:6379' }).success).toBe(false);
    expect(schema.safeParse({ url: 'redis://localhost:6379/foo' }).success).toBe(false);
    expect(schema.safeParse({ url: 'rediss://user@cache.internal:6380/2' }).success).toBe(true);
  });

  it('REDIS_URL that is not a Redis URL: a usage error', async () => {
    await expect(provider.find(ctx({ REDIS_URL: 'postgres://x@y/z' }), 'dev')).rejects.toThrow(/REDIS_URL must start with redis:\/\/ or rediss:\/\//);
  });

  it('unreachable server: an operation error saying so, for find, fork and list; check fails instead of throwing', async () => {
    const port = await freePort();
    const c = ctx({ REDIS_URL: `redis://:${PASSWORD}@127.0.0.1:${port}` });
    for (const call of [() => provider.find(c, 'dev'), () => provider.fork(c, { env: 'alice', parent: 'dev' }), () => provider.list(c)]) {
      const error = await failure(call());
      expect(error.exitCode).toBe(1);
      expect(error.message).toBe(`redis: cannot reach the server at redis://127.0.0.1:${port}: connection refused`);
      expect(error.hint).toBe('Start the server, or point REDIS_URL at a running one.');
    }
    const checks = await provider.check(c);
    expect(checks).toEqual([expect.objectContaining({ name: 'connection', status: 'fail' })]);
    expect(JSON.stringify(checks)).not.toContain(PASSWORD);
  });

  it('unknown host: says the host was not found', async () => {
    await expect(provider.find(ctx({ REDIS_URL: 'redis://no-such-host.invalid:6379' }), 'dev')).rejects.toThrow(
      'redis: cannot reach the server at redis://no-such-host.invalid:6379: host not found',
    );
  });

  it('wrong password: says the credentials were rejected, without echoing them', async () => {
    const error = await failure(provider.find(ctx({ REDIS_URL: `redis://:wrong-password@127.0.0.1:${server.port}` }), 'dev'));
    expect(error.message).toBe(`redis: the server at redis://127.0.0.1:${server.port} rejected the username or password`);
    expect(error.hint).toMatch(/REDIS_URL/);
    expect(`${error.message}${error.hint}`).not.toContain('wrong-password');
  });

  it('no password for a server that requires one: says it is missing, and where it goes', async () => {
    const error = await failure(provider.find(ctx({}, { url: `redis://127.0.0.1:${server.port}` }), 'dev'));
    expect(error.message).toBe(`redis: the server at redis://127.0.0.1:${server.port} requires a password and none was given`);
    expect(error.hint).toMatch(/REDIS_PASSWORD/);
  });

  it('url in the config with the password from REDIS_PASSWORD works, and the variables carry it URL-encoded', async () => {
    const c = ctx({ REDIS_PASSWORD: PASSWORD }, { url: `redis://127.0.0.1:${server.port}` });
    expect(await provider.find(c, 'dev')).toMatchObject({ env: 'dev', state: 'ready', details: { server: `redis://127.0.0.1:${server.port}` } });
    const vars = await provider.variables(c, 'dev');
    expect(vars.CACHE_URL).toBe(`redis://:${encodeURIComponent(PASSWORD)}@127.0.0.1:${server.port}`);
    const { Redis } = await import('ioredis');
    const app = new Redis(vars.CACHE_URL as string);
    expect(await app.ping()).toBe('PONG');
    app.disconnect();
    // url wins over REDIS_URL, which might be an environment's URL sourced from .env.local.
    const both = ctx({ REDIS_PASSWORD: PASSWORD, REDIS_URL: 'redis://127.0.0.1:1' }, { url: `redis://127.0.0.1:${server.port}` });
    expect(await provider.find(both, 'dev')).toBeDefined();
  });

  it('an ACL user without a needed command: says which command was denied and where the list is', async () => {
    const admin = await server.client();
    await admin.call('ACL', 'SETUSER', 'forker', 'on', '>forker-pw', '~*', '+@all', '-unlink');
    const c = ctx({ REDIS_URL: `redis://forker:forker-pw@127.0.0.1:${server.port}` }, {});
    await provider.fork(c, { env: 'alice', parent: 'dev' });
    await admin.set('app:alice:k', 'v');
    const error = await failure(provider.remove(c, { env: 'alice' }));
    expect(error.message).toMatch(/^redis: the server at redis:\/\/127\.0\.0\.1:\d+ denied a command: NOPERM .*unlink/i);
    expect(error.hint).toMatch(/What it needs from the server/);
    // Nothing was lost: the record stays, so the delete can be finished once the ACL is fixed.
    expect(await provider.find(c, 'alice')).toBeDefined();
    await admin.call('ACL', 'SETUSER', 'forker', '+unlink');
    await provider.remove(c, { env: 'alice' });
    expect(await admin.exists('app:alice:k')).toBe(0);
  });

  it('the queue provider reports the same errors under its own name', async () => {
    const port = await freePort();
    const q = testContext<BullmqOptions>({ kind: 'queue', root, schema: bullmqSchema, env: { REDIS_URL: `redis://127.0.0.1:${port}` } });
    await expect(bullmq.fork(q, { env: 'alice', parent: 'dev' })).rejects.toThrow(`bullmq: cannot reach the server at redis://127.0.0.1:${port}: connection refused`);
    const missing = testContext<BullmqOptions>({ kind: 'queue', root, schema: bullmqSchema, env: {} });
    await expect(bullmq.find(missing, 'dev')).rejects.toThrow('REDIS_URL is not set, and [queue] has no url');
  });
});

/**
 * End to end with the built CLI: a project whose cache is redis and whose queue is bullmq on one real
 * redis-server. create → switch → env → list → delete, and a BullMQ worker and a cache client built from
 * the environment file really use alice's prefixes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli, tempDir } from '../helpers/cli.js';
import { redisServerAvailable, startRedisServer, type RedisServer } from '../helpers/redis-server.js';

const available = redisServerAvailable();
const PASSWORD = 'cli-pass#1';

describe.skipIf(!available)('CLI with [cache] redis and [queue] bullmq', () => {
  let server: RedisServer;
  let client: Redis;
  let project: ReturnType<typeof tempDir>;
  const run = (args: string[], env: Record<string, string> = {}) => runCli(args, { cwd: project.dir, env: { REDIS_PASSWORD: PASSWORD, ...env } });

  beforeAll(async () => {
    server = await startRedisServer({ password: PASSWORD });
    client = await server.client();
    project = tempDir('fork-stack-redis-cli-');
    writeFileSync(
      path.join(project.dir, 'fork-stack.toml'),
      [
        'project = "shop"',
        'default_parent = "dev"',
        'roots = ["dev"]',
        '',
        '[cache]',
        'provider = "redis"',
        `url = "${server.urlWithoutPassword}"`,
        'copy = true',
        '',
        '[queue]',
        'provider = "bullmq"',
        `url = "${server.urlWithoutPassword}"`,
        '',
      ].join('\n'),
    );
    await client.set('shop:dev:greeting', 'hello from dev', 'EX', 3600);
  });
  afterAll(async () => {
    await server?.stop();
    project?.cleanup();
  });

  it('create → switch → env → list → delete', async () => {
    const created = run(['create', 'alice', '--json']);
    expect(created.stderr).not.toMatch(/error/i);
    expect(created.code).toBe(0);
    expect(hasStackTrace(created.stderr)).toBe(false);
    // copy = true: alice starts with dev's keys under its own prefix, with the TTL.
    expect(await client.get('shop:alice:greeting')).toBe('hello from dev');
    expect(await client.ttl('shop:alice:greeting')).toBeGreaterThan(3000);

    const switched = run(['switch', 'alice']);
    expect(switched.code).toBe(0);
    expect(readFileSync(path.join(project.dir, '.current-env'), 'utf8').trim()).toBe('alice');

    const masked = run(['env', '--format', 'json']);
    expect(masked.code).toBe(0);
    expect(masked.stdout).not.toContain(PASSWORD);
    const shown = JSON.parse(masked.stdout) as Record<string, string>;
    expect(shown.CACHE_KEY_PREFIX).toBe('shop:alice:');
    expect(shown.QUEUE_PREFIX).toBe('bull:shop:alice');

    const revealed = JSON.parse(run(['env', '--format', 'json', '--reveal']).stdout) as Record<string, string>;
    const url = `redis://:${encodeURIComponent(PASSWORD)}@127.0.0.1:${server.port}`;
    expect(revealed).toMatchObject({ FORK_STACK_ENV: 'alice', CACHE_URL: url, REDIS_URL: url, QUEUE_URL: url });

    // The app, from the variables alone: a cache key and a queued job land under alice's prefixes.
    const app = new Redis(revealed.CACHE_URL as string, { maxRetriesPerRequest: null });
    await app.set(`${revealed.CACHE_KEY_PREFIX}cart`, '3 items');
    const queue = new Queue('emails', { connection: app, prefix: revealed.QUEUE_PREFIX });
    await queue.add('welcome', { to: 'alice@example.com' });
    await queue.close();
    app.disconnect();
    expect(await client.exists('bull:shop:alice:emails:meta')).toBe(1);

    const listed = JSON.parse(run(['list', '--json']).stdout) as { environments: { name: string; state: string }[] };
    expect(listed.environments.map((e) => `${e.name}:${e.state}`).sort()).toEqual(['alice:ready', 'dev:ready']);

    const deleted = run(['delete', 'alice', '--yes']);
    expect(deleted.code).toBe(0);
    const left = await client.keys('*alice*');
    expect(left).toEqual([]);
    expect(await client.get('shop:dev:greeting')).toBe('hello from dev');
    expect(readFileSync(path.join(project.dir, '.current-env'), 'utf8').trim()).toBe('dev');
  });

  it('delete of an environment whose prefixes hold keys fork-stack did not create (or another project recorded) exits 1, says whose, changes nothing', async () => {
    // bob: keys under shop:bob: with no record. carol: bullmq's prefix recorded for another project.
    await client.set('shop:bob:session', 'not fork-stack\'s', 'EX', 3600);
    await client.hset('__fork_stack__:bullmq:prefixes', 'bull:shop:carol:', JSON.stringify({ project: 'billing', env: 'carol', createdAt: '', status: 'ready' }));
    await client.set('bull:shop:carol:emails:id', '7');
    const snapshot = async () => JSON.stringify([await client.get('shop:bob:session'), await client.pexpiretime('shop:bob:session'), await client.get('bull:shop:carol:emails:id'), await client.hgetall('__fork_stack__:bullmq:prefixes')]);
    const before = await snapshot();
    const bob = run(['delete', 'bob', '--yes']);
    expect(bob.code, bob.stderr).toBe(1);
    expect(bob.stderr).toMatch(/refusing to delete "bob"/);
    expect(bob.stderr).toMatch(/shop:bob: was not made by fork-stack/);
    const carol = run(['delete', 'carol', '--yes']);
    expect(carol.code, carol.stderr).toBe(1);
    expect(carol.stderr).toMatch(/another fork-stack project: "billing", environment "carol"/);
    expect(hasStackTrace(bob.stderr + carol.stderr)).toBe(false);
    expect(await snapshot()).toBe(before);
  });

  it('a wrong password fails with exit 1, a clear message and no stack trace', () => {
    const result = run(['create', 'bob'], { REDIS_PASSWORD: 'nope' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/rejected the username or password/);
    expect(result.stderr).not.toContain('nope');
    expect(hasStackTrace(result.stderr)).toBe(false);
  });

  it('an environment name that does not fit is refused with exit 2 before anything is created', async () => {
    const result = run(['create', 'Bad_Name']);
    expect(result.code).toBe(2);
    expect(await client.keys('*Bad*')).toEqual([]);
  });
});

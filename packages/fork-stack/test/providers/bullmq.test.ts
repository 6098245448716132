/**
 * The bullmq queue provider against a real redis-server and real BullMQ: the shared contract, a job
 * enqueued in alice is processed by a worker built from alice's variables and never by dev's, and a
 * delete of alice obliterates its queues while every other key stays byte-identical.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provider } from '../../src/providers/queue/bullmq.js';
import { schema, type BullmqOptions } from '../../src/providers/queue/bullmq.schema.js';
import { REGISTRY_KEYS } from '../../src/providers/redis-common/registry.js';
import type { Provider } from '../../src/providers/types.js';
import { testContext } from '../helpers/context.js';
import { ownershipContract } from '../helpers/ownership-contract.js';
import { providerContract } from '../helpers/provider-contract.js';
import { prefixForeign } from '../helpers/redis-ownership.js';
import { dumpKeys, redisServerAvailable, startRedisServer, type RedisServer } from '../helpers/redis-server.js';

const available = redisServerAvailable();

describe.skipIf(!available)('bullmq queue', () => {
  let server: RedisServer;
  let root: string;
  let client: Redis;
  const connections: Redis[] = [];
  const ctx = (project = 'app', options: Record<string, unknown> = {}) =>
    testContext<BullmqOptions>({ kind: 'queue', root, schema, project, options, env: { REDIS_URL: server.url } });

  /** What an app does with the reader's values: one connection and the prefix on every component. */
  async function appFor(c: ReturnType<typeof ctx>, env: string) {
    const vars = await provider.variables(c, env);
    const connection = new Redis(vars.QUEUE_URL as string, { maxRetriesPerRequest: null });
    connections.push(connection);
    return { connection, prefix: vars.QUEUE_PREFIX as string };
  }

  beforeAll(async () => {
    server = await startRedisServer({ password: 'queue-pw' });
    client = await server.client();
    root = mkdtempSync(path.join(os.tmpdir(), 'bullmq-test-'));
  });
  afterAll(async () => {
    for (const c of connections) c.disconnect();
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  providerContract('bullmq', provider as Provider<unknown>, async () => {
    const c = ctx('contract');
    const dev = await appFor(c, 'dev');
    const queue = new Queue('emails', dev);
    await queue.add('welcome', { to: 'dev@example.com' });
    await queue.close();
    // A fork starts with no jobs, so the fingerprint is the parent's own keys (every key's DUMP under its
    // prefix), which no fork or remove of a child may change.
    return { ctx: c, parent: 'dev', fingerprint: async () => JSON.stringify([...(await dumpKeys(client, `${dev.prefix}:`))].sort()) };
  });

  // A prefix with neither keys nor a record is nothing at all, so the 'empty' variant does not apply. The
  // foreign keys are BullMQ's own shape under QUEUE_PREFIX + ":" (seeded with plain commands).
  ownershipContract('bullmq', provider as Provider<unknown>, async () => {
    const c = ctx('owner');
    return { ctx: c, parent: 'dev', foreign: prefixForeign(client, REGISTRY_KEYS.bullmqPrefixes, 'owner', (env) => `bull:owner:${env}:`) };
  });

  it('publishes QUEUE_URL and the documented default prefix, which BullMQ extends with ":<queue>:"', async () => {
    const vars = await provider.variables(ctx(), 'alice');
    expect(vars).toEqual({ QUEUE_URL: server.url, QUEUE_PREFIX: 'bull:app:alice' });
    expect(provider.publicVariables).toEqual(['QUEUE_PREFIX']);
    expect(schema.safeParse({ prefix: 'bull:{project}:{env}' }).success).toBe(true);
    expect(schema.safeParse({ prefix: 'bull:{env}x' }).success).toBe(false);
  });

  it('a job enqueued in alice is processed by alice\'s worker and never by dev\'s', async () => {
    const c = ctx('jobs');
    await provider.fork(c, { env: 'alice', parent: 'dev' });
    const alice = await appFor(c, 'alice');
    const dev = await appFor(c, 'dev');
    const seen: Record<string, string[]> = { alice: [], dev: [] };
    const done: Record<string, (job: Job) => void> = {};
    const finished = (env: string) => new Promise<Job>((resolve) => (done[env] = resolve));
    const worker = (env: 'alice' | 'dev', app: typeof alice) =>
      new Worker(
        'emails',
        async (job) => {
          seen[env]?.push(job.data.to as string);
          return env;
        },
        { ...app },
      ).on('completed', (job) => done[env]?.(job));
    const workers = [worker('alice', alice), worker('dev', dev)];
    await Promise.all(workers.map((w) => w.waitUntilReady()));
    try {
      const aliceQueue = new Queue('emails', alice);
      const aliceDone = finished('alice');
      await aliceQueue.add('welcome', { to: 'alice@example.com' });
      const job = await aliceDone;
      expect(job.returnvalue).toBe('alice');
      const devQueue = new Queue('emails', dev);
      const devDone = finished('dev');
      await devQueue.add('welcome', { to: 'dev@example.com' });
      expect((await devDone).returnvalue).toBe('dev');
      expect(seen).toEqual({ alice: ['alice@example.com'], dev: ['dev@example.com'] });
      // Each environment's queue holds exactly its own completed job.
      expect(await aliceQueue.getJobCounts('completed', 'wait', 'active')).toEqual({ completed: 1, wait: 0, active: 0 });
      expect(await devQueue.getJobCounts('completed', 'wait', 'active')).toEqual({ completed: 1, wait: 0, active: 0 });
      await Promise.all([aliceQueue.close(), devQueue.close()]);
    } finally {
      await Promise.all(workers.map((w) => w.close()));
    }
  });

  it('delete obliterates every queue of alice and nothing else: dev and alice-2 stay byte-identical', async () => {
    const c = ctx('del');
    for (const env of ['alice', 'alice-2']) await provider.fork(c, { env, parent: 'dev' });
    for (const env of ['dev', 'alice', 'alice-2']) {
      const app = await appFor(c, env);
      for (const name of ['emails', 'reports']) {
        const queue = new Queue(name, app);
        await queue.add('job', { env, name });
        await queue.add('later', { env }, { delay: 3_600_000 });
        await queue.upsertJobScheduler('nightly', { pattern: '0 3 * * *' }, { name: 'report' });
        await queue.close();
      }
    }
    // Another app's BullMQ queues with the library's default prefix.
    const other = new Queue('emails', { connection: (await appFor(c, 'dev')).connection });
    await other.add('job', {});
    await other.close();
    const alicePrefix = 'bull:del:alice:';
    expect((await dumpKeys(client, alicePrefix)).size).toBeGreaterThan(10);
    const others = () => dumpKeys(client, '', { skip: (k) => k.startsWith(alicePrefix) || k === REGISTRY_KEYS.bullmqPrefixes });
    const before = await others();
    await provider.remove(c, { env: 'alice' });
    expect((await dumpKeys(client, alicePrefix)).size).toBe(0);
    expect(await others()).toEqual(before);
    expect((await provider.list(c)).map((r) => r.env).sort()).toEqual(['alice-2', 'dev']);
  });

  it('check wants noeviction, as BullMQ does', async () => {
    const c = ctx();
    expect((await provider.check(c)).find((x) => x.name === 'eviction policy')).toMatchObject({ status: 'ok' });
    await client.config('SET', 'maxmemory-policy', 'volatile-lru');
    try {
      expect((await provider.check(c)).find((x) => x.name === 'eviction policy')).toMatchObject({ status: 'warn' });
    } finally {
      await client.config('SET', 'maxmemory-policy', 'noeviction');
    }
  });
});

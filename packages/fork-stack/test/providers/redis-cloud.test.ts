/** The redis-cloud cache provider against the Redis Cloud REST API fake (asynchronous tasks, checked requests). */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.FORK_STACK_RETRY_BASE_MS = '5';
  process.env.FORK_STACK_POLL_INTERVAL_MS = '5';
});

import { startFake } from '@fork-stack/provider-fakes';
import { ForkStackError, UsageError } from '../../src/core/errors.js';
import { provider } from '../../src/providers/cache/redis-cloud.js';
import { schema, type RedisCloudOptions } from '../../src/providers/cache/redis-cloud.schema.js';
import type { Provider, ProviderContext } from '../../src/providers/types.js';
import { testContext } from '../helpers/context.js';
import { fakeOwnershipScope } from '../helpers/fake-ownership.js';
import { ownershipContract } from '../helpers/ownership-contract.js';
import { closeClean, fakeContractSetup } from '../helpers/fake-setup.js';
import { providerContract } from '../helpers/provider-contract.js';

type Fake = Awaited<ReturnType<typeof startFake<'redis-cloud'>>>;
const SUBSCRIPTION = 100001;
const tmpRoot = mkdtempSync(path.join(os.tmpdir(), 'redis-cloud-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

function contextFor(fake: Fake, options: Record<string, unknown> = {}, env: Record<string, string | undefined> = fake.env) {
  return testContext<RedisCloudOptions>({
    kind: 'cache',
    project: 'myapp',
    root: tmpRoot,
    schema,
    options: { subscription_id: SUBSCRIPTION, names: { prod: 'myapp-cache' }, ...options },
    env,
    roots: ['prod'],
  });
}

const byName = (fake: Fake, name: string) => [...fake.state.databases.values()].find((db) => db.name === name);
const ops = (fake: Fake, op: string) => fake.requests.filter((r) => r.operation === op);

async function failure(promise: Promise<unknown>): Promise<ForkStackError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e as ForkStackError,
  );
  if (!error) throw new Error('expected the call to fail');
  return error;
}

// A database under the environment's name that this checkout did not create (made by hand in the console;
// the API offers no label to mark it). Only 'empty' can be planted: the fake has no data plane, and another
// project's record lives in that project's checkout, where this one cannot see it.
const ownership = fakeOwnershipScope('redis-cloud');
ownershipContract('redis-cloud', provider as Provider<unknown>, async () => {
  const fake = ownership.track(await startFake('redis-cloud', { async: { polls: 2 } }));
  return {
    ctx: ownership.inScope(contextFor(fake) as ProviderContext<unknown>),
    parent: 'prod',
    foreign: {
      plant: { empty: async () => void fake.seed.database(SUBSCRIPTION, 'myapp-contract-foreign') },
      fingerprint: async () => JSON.stringify(byName(fake, 'myapp-contract-foreign') ?? null),
      clear: async () => {
        const db = byName(fake, 'myapp-contract-foreign');
        if (db) fake.state.databases.delete(db.databaseId);
      },
    },
  };
});

providerContract('redis-cloud', provider as Provider<unknown>, async () => {
  const fake = await startFake('redis-cloud', { async: { polls: 2 } });
  return fakeContractSetup(fake, contextFor(fake), { parent: 'prod', resource: 'myapp-cache' });
});

describe('redis-cloud provider', () => {
  let fake: Fake;
  beforeEach(async () => {
    fake = await startFake('redis-cloud', { async: { polls: 3 } });
  });
  afterEach(() => closeClean(fake));

  it('creates the database through its task, waits for the task and then for the database to be active', async () => {
    const ctx = contextFor(fake, { dataset_size_gb: 0.5, eviction_policy: 'allkeys-lru' });
    const made = await provider.fork(ctx, { env: 'alice', parent: 'prod' });
    const db = byName(fake, 'myapp-alice');
    expect(db).toMatchObject({ datasetSizeInGb: 0.5, protocol: 'redis' });
    expect(made).toMatchObject({ env: 'alice', name: 'myapp-alice', id: String(db?.databaseId), state: 'ready', owned: true });
    // The task was polled until processing-completed, then the database until active.
    expect(ops(fake, 'GET /tasks/{taskId}').length).toBeGreaterThanOrEqual(3);
    expect(ops(fake, 'GET /subscriptions/{subscriptionId}/databases/{databaseId}').length).toBeGreaterThanOrEqual(3);
    const vars = await provider.variables(ctx, 'alice');
    const view = (await provider.find(ctx, 'alice'))?.details?.endpoint as string;
    const url = `redis://default:${db?.password}@${view}`;
    expect(vars).toEqual({ CACHE_URL: url, REDIS_URL: url });
  });

  it('deletes through a task and waits for it; deleting again is success; roots are never deleted', async () => {
    const ctx = contextFor(fake);
    await provider.fork(ctx, { env: 'alice', parent: 'prod' });
    await provider.remove(ctx, { env: 'alice' });
    expect(byName(fake, 'myapp-alice')).toBeUndefined();
    const deleteTasks = [...fake.state.tasks.values()].filter((t) => t.commandType === 'databaseDeleteRequest');
    expect(deleteTasks).toHaveLength(1);
    await provider.remove(ctx, { env: 'alice' });
    expect(ops(fake, 'DELETE /subscriptions/{subscriptionId}/databases/{databaseId}')).toHaveLength(1);
    await expect(provider.remove(ctx, { env: 'prod' })).rejects.toThrow(/never deletes its database/);
    expect(byName(fake, 'myapp-cache')).toBeDefined();
  });

  it('a task that ends in processing-error is reported with Redis Cloud\'s description, and nothing is left', async () => {
    // A teammate creates the same name between our listing and our create: Redis Cloud accepts the request
    // and fails its task (DATABASE_NAME_ALREADY_IN_USE). The predicate below plays the teammate.
    fake.failNth({
      operation: 'POST /subscriptions/{subscriptionId}/databases',
      fault: '500',
      where: () => {
        fake.seed.database(SUBSCRIPTION, 'myapp-alice');
        return false;
      },
    });
    const error = await failure(provider.fork(contextFor(fake), { env: 'alice', parent: 'prod' }));
    expect(error.message).toMatch(/^redis-cloud: the task creating database "myapp-alice" failed: Database name 'myapp-alice' is already in use in this subscription \(DATABASE_NAME_ALREADY_IN_USE\)$/);
    expect([...fake.state.databases.values()].filter((d) => d.name === 'myapp-alice')).toHaveLength(1);
  });

  it('a database that already has the environment\'s name is never adopted by its name: fork, delete and rollback refuse it untouched', async () => {
    fake.seed.database(SUBSCRIPTION, 'taken-2');
    const ctx = contextFor(fake, { names: { prod: 'myapp-cache', alice: 'taken-2' } });
    const before = JSON.stringify(byName(fake, 'taken-2'));
    // Before: fork returned it as alice's (owned), and delete would have deleted it.
    expect(await provider.find(ctx, 'alice')).toMatchObject({ name: 'taken-2', owned: false });
    await expect(provider.fork(ctx, { env: 'alice', parent: 'prod' })).rejects.toThrow(/refusing to fork over database "taken-2".*left untouched/);
    await expect(provider.remove(ctx, { env: 'alice' })).rejects.toThrow(/refusing to delete/);
    await expect(provider.remove(ctx, { env: 'alice', reason: 'rollback' })).rejects.toThrow(/refusing to delete/);
    expect(JSON.stringify(byName(fake, 'taken-2'))).toBe(before);
    expect([...fake.state.tasks.values()]).toHaveLength(0);
  });

  it('its own fork is owned: true, and a database made again under the same name after a delete is not', async () => {
    const ctx = contextFor(fake);
    expect(await provider.fork(ctx, { env: 'ownme', parent: 'prod' })).toMatchObject({ owned: true });
    expect(await provider.find(ctx, 'ownme')).toMatchObject({ owned: true });
    const id = byName(fake, 'myapp-ownme')?.databaseId as number;
    fake.state.databases.delete(id);
    fake.seed.database(SUBSCRIPTION, 'myapp-ownme');
    expect(await provider.find(ctx, 'ownme')).toMatchObject({ owned: false });
    await expect(provider.remove(ctx, { env: 'ownme' })).rejects.toThrow(/refusing to delete/);
  });

  it('lists page by page and maps names back to environments', async () => {
    await fake.close();
    fake = await startFake('redis-cloud', { pageSize: 2 });
    for (const name of ['myapp-bob', 'other-db', 'myapp-carol', 'myapp-dave']) fake.seed.database(SUBSCRIPTION, name);
    const listed = await provider.list(contextFor(fake));
    expect(listed.map((r) => `${r.env}=${r.name}`).sort()).toEqual(['bob=myapp-bob', 'carol=myapp-carol', 'dave=myapp-dave', 'prod=myapp-cache']);
  });

  it('a missing parent creates nothing; a wrong secret is a 401; a missing key is a usage error; an unknown subscription is named', async () => {
    const ctx = contextFor(fake);
    expect((await failure(provider.fork(ctx, { env: 'bob', parent: 'carol' }))).message).toBe(
      `redis-cloud: parent environment "carol" has no database "myapp-carol" in subscription ${SUBSCRIPTION}`,
    );
    expect(ops(fake, 'POST /subscriptions/{subscriptionId}/databases')).toHaveLength(0);
    const bad = await failure(provider.find(contextFor(fake, {}, { ...fake.env, REDIS_CLOUD_API_SECRET_KEY: 'nope' }), 'prod'));
    expect(bad.message).toMatch(/^redis-cloud: list the databases of subscription 100001 failed: HTTP 401/);
    expect(bad.message).not.toContain('nope');
    const missing = await failure(provider.find(contextFor(fake, {}, { ...fake.env, REDIS_CLOUD_API_KEY: undefined }), 'prod'));
    expect(missing).toBeInstanceOf(UsageError);
    expect(missing.message).toMatch(/REDIS_CLOUD_API_KEY is not set$/);
    const unknown = await failure(provider.find(contextFor(fake, { subscription_id: 999 }), 'prod'));
    expect(unknown.message).toBe('redis-cloud: subscription 999 was not found');
    expect((await provider.check(contextFor(fake, { subscription_id: 999 })))[0]).toMatchObject({ status: 'fail' });
    expect(await provider.check(ctx)).toEqual([
      expect.objectContaining({ name: 'credentials', status: 'ok' }),
      expect.objectContaining({ name: 'root "prod"', status: 'ok' }),
    ]);
  });

  it('retries 429 and 5xx on the create and on task polls, and makes exactly one database', async () => {
    fake.failNth({ operation: 'POST /subscriptions/{subscriptionId}/databases', fault: '500' });
    fake.failNth({ operation: 'GET /tasks/{taskId}', nth: 2, fault: '429' });
    await provider.fork(contextFor(fake), { env: 'alice', parent: 'prod' });
    expect([...fake.state.databases.values()].filter((d) => d.name === 'myapp-alice')).toHaveLength(1);
  });

  it('checks names against Redis Cloud\'s rules before any call', () => {
    expect(provider.checkName(contextFor(fake, { name: '{project}_{env}' }), 'alice')).toMatch(/letters, digits and "-"/);
    expect(provider.checkName(contextFor(fake, { name: `${'x'.repeat(35)}-{env}` }), 'alice')).toMatch(/limit is 40/);
    expect(provider.checkName(contextFor(fake), 'alice')).toBeUndefined();
  });
});

/** The upstash-redis cache provider against the Upstash Developer API fake (requests checked against its OpenAPI spec). */
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
import { scrub } from '../../src/core/scrub.js';
import { provider } from '../../src/providers/cache/upstash-redis.js';
import { schema, type UpstashRedisOptions } from '../../src/providers/cache/upstash-redis.schema.js';
import type { Provider, ProviderContext } from '../../src/providers/types.js';
import { testContext } from '../helpers/context.js';
import { fakeOwnershipScope } from '../helpers/fake-ownership.js';
import { ownershipContract } from '../helpers/ownership-contract.js';
import { closeClean, fakeContractSetup } from '../helpers/fake-setup.js';
import { providerContract } from '../helpers/provider-contract.js';

type Fake = Awaited<ReturnType<typeof startFake<'upstash-redis'>>>;
const tmpRoot = mkdtempSync(path.join(os.tmpdir(), 'upstash-redis-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

function contextFor(fake: Fake, options: Record<string, unknown> = {}, env: Record<string, string | undefined> = fake.env) {
  return testContext<UpstashRedisOptions>({
    kind: 'cache',
    project: 'myapp',
    root: tmpRoot,
    schema,
    options: { names: { prod: 'myapp-cache' }, ...options },
    env,
    roots: ['prod'],
  });
}

const byName = (fake: Fake, name: string) => [...fake.state.databases.values()].find((db) => db.database_name === name);

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
const ownership = fakeOwnershipScope('upstash-redis');
ownershipContract('upstash-redis', provider as Provider<unknown>, async () => {
  const fake = ownership.track(await startFake('upstash-redis'));
  return {
    ctx: ownership.inScope(contextFor(fake) as ProviderContext<unknown>),
    parent: 'prod',
    foreign: {
      plant: { empty: async () => void fake.seed.database('myapp-contract-foreign') },
      fingerprint: async () => JSON.stringify(byName(fake, 'myapp-contract-foreign') ?? null),
      clear: async () => {
        const db = byName(fake, 'myapp-contract-foreign');
        if (db) fake.state.databases.delete(db.database_id);
      },
    },
  };
});

providerContract('upstash-redis', provider as Provider<unknown>, async () => {
  const fake = await startFake('upstash-redis');
  return fakeContractSetup(fake, contextFor(fake), { parent: 'prod', resource: 'myapp-cache' });
});

describe('upstash-redis provider', () => {
  let fake: Fake;
  beforeEach(async () => {
    fake = await startFake('upstash-redis');
  });
  afterEach(() => closeClean(fake));

  it('creates a database per environment with the configured platform and regions; variables from its credentials', async () => {
    const ctx = contextFor(fake, { primary_region: 'eu-central-1', platform: 'aws', eviction: true });
    const made = await provider.fork(ctx, { env: 'alice', parent: 'prod' });
    const db = byName(fake, 'myapp-alice');
    expect(db).toMatchObject({ primary_region: 'eu-central-1', platform: 'aws', eviction: true, tls: true });
    expect(made).toMatchObject({ env: 'alice', name: 'myapp-alice', id: db?.database_id, state: 'ready', owned: true });
    expect(fake.requests.find((r) => r.method === 'POST')).toMatchObject({ operation: 'POST /redis/database', status: 200 });
    const vars = await provider.variables(ctx, 'alice');
    const url = `rediss://default:${db?.password}@${db?.endpoint}:6379`;
    expect(vars).toEqual({ CACHE_URL: url, REDIS_URL: url, UPSTASH_REDIS_REST_URL: `https://${db?.endpoint}`, UPSTASH_REDIS_REST_TOKEN: db?.rest_token });
    // Credentials are secrets: masked wherever they would be printed.
    expect(scrub(`token ${db?.rest_token}`)).toBe('token ****');
    expect(provider.publicVariables).toEqual(['UPSTASH_REDIS_REST_URL']);
  });

  it('fork is idempotent, and a missing parent is a clear error that creates nothing', async () => {
    const ctx = contextFor(fake);
    await provider.fork(ctx, { env: 'alice', parent: 'prod' });
    await provider.fork(ctx, { env: 'alice', parent: 'prod' });
    expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    const error = await failure(provider.fork(ctx, { env: 'bob', parent: 'carol' }));
    expect(error.message).toBe('upstash: parent environment "carol" has no database "myapp-carol"');
    expect(byName(fake, 'myapp-bob')).toBeUndefined();
  });

  it('lists only databases that follow the naming pattern, and deletes exactly the environment\'s', async () => {
    fake.seed.database('someone-elses-db');
    fake.seed.database('myapp-bob');
    const ctx = contextFor(fake);
    await provider.fork(ctx, { env: 'alice', parent: 'prod' });
    expect((await provider.list(ctx)).map((r) => `${r.env}=${r.name}`).sort()).toEqual(['alice=myapp-alice', 'bob=myapp-bob', 'prod=myapp-cache']);
    expect((await provider.list(ctx)).find((r) => r.env === 'bob')?.owned).toBe(false);
    await provider.remove(ctx, { env: 'alice' });
    expect([...fake.state.databases.values()].map((d) => d.database_name).sort()).toEqual(['myapp-bob', 'myapp-cache', 'someone-elses-db']);
    await provider.remove(ctx, { env: 'alice' });
    expect(fake.requests.filter((r) => r.method === 'DELETE')).toHaveLength(1);
    await expect(provider.remove(ctx, { env: 'prod' })).rejects.toThrow(/never deletes its database/);
  });

  it('a database with the environment\'s name that fork-stack did not create here is found as not owned; fork, delete and rollback refuse it untouched', async () => {
    const ctx = contextFor(fake);
    fake.seed.database('myapp-bob');
    const before = JSON.stringify(byName(fake, 'myapp-bob'));
    // Before: owned was "not a root", so delete of bob deleted a database nobody had forked.
    expect(await provider.find(ctx, 'bob')).toMatchObject({ name: 'myapp-bob', owned: false });
    await expect(provider.fork(ctx, { env: 'bob', parent: 'prod' })).rejects.toThrow(/refusing to fork over database "myapp-bob"/);
    await expect(provider.remove(ctx, { env: 'bob' })).rejects.toThrow(/refusing to delete database "myapp-bob".*left untouched/);
    await expect(provider.remove(ctx, { env: 'bob', reason: 'rollback' })).rejects.toThrow(/refusing to delete/);
    expect(JSON.stringify(byName(fake, 'myapp-bob'))).toBe(before);
    // Its own fork is owned, through find and list.
    expect(await provider.fork(ctx, { env: 'carol', parent: 'prod' })).toMatchObject({ owned: true });
    expect((await provider.list(ctx)).map((r) => `${r.env}:${String(r.owned)}`).sort()).toEqual(['bob:false', 'carol:true', 'prod:false']);
  });

  it('a database deleted by someone else between lookup and delete (404) counts as deleted', async () => {
    const ctx = contextFor(fake);
    await provider.fork(ctx, { env: 'alice', parent: 'prod' });
    fake.failNth({
      operation: 'DELETE /redis/database/{id}',
      fault: '500',
      // Plays the teammate: the database disappears just before our DELETE reaches the API.
      where: () => {
        const db = [...fake.state.databases.values()].find((d) => d.database_name === 'myapp-alice');
        if (db) fake.state.databases.delete(db.database_id);
        return false;
      },
    });
    await provider.remove(ctx, { env: 'alice' });
    expect(fake.requests.find((r) => r.operation === 'DELETE /redis/database/{id}')?.status).toBe(404);
    await expect(provider.variables(ctx, 'alice')).rejects.toThrow('upstash: "alice" has no database "myapp-alice"');
  });

  it('retries 429 and 5xx answers, and creates exactly one database', async () => {
    fake.failNth({ operation: 'POST /redis/database', fault: '503' });
    fake.failNth({ operation: 'GET /redis/databases', fault: '429' });
    await provider.fork(contextFor(fake), { env: 'alice', parent: 'prod' });
    expect([...fake.state.databases.values()].filter((d) => d.database_name === 'myapp-alice')).toHaveLength(1);
    expect(fake.requests.filter((r) => r.status === 503 || r.status === 429)).toHaveLength(2);
  });

  it('a wrong API key is a 401 naming the provider and the fix; a missing one is a usage error', async () => {
    const ctx = contextFor(fake, {}, { ...fake.env, UPSTASH_API_KEY: 'not-the-key' });
    const error = await failure(provider.fork(ctx, { env: 'alice', parent: 'prod' }));
    expect(error.message).toMatch(/^upstash: list databases failed: HTTP 401/);
    expect(error.hint).toMatch(/Check the upstash credentials/);
    expect(error.message).not.toContain('not-the-key');
    const missing = await failure(provider.find(contextFor(fake, {}, { ...fake.env, UPSTASH_API_KEY: undefined }), 'prod'));
    expect(missing).toBeInstanceOf(UsageError);
    expect(missing.message).toMatch(/UPSTASH_API_KEY is not set$/);
    expect((await provider.check(ctx))[0]).toMatchObject({ name: 'credentials', status: 'fail' });
    expect(await provider.check(contextFor(fake))).toEqual([
      expect.objectContaining({ name: 'credentials', status: 'ok' }),
      expect.objectContaining({ name: 'root "prod"', status: 'ok' }),
    ]);
  });

  it('a database that already has the environment\'s name is adopted, not duplicated (names are the only mark Upstash offers)', async () => {
    fake.seed.database('taken-name');
    const ctx = contextFor(fake, { names: { prod: 'myapp-cache', alice: 'taken-name' } });
    expect(await provider.fork(ctx, { env: 'alice', parent: 'prod' })).toMatchObject({ name: 'taken-name' });
    expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });

  it('checks names against what fork-stack allows for Upstash', () => {
    expect(provider.checkName(contextFor(fake, { name: '{project}.{env}' }), 'alice')).toMatch(/letters, digits, "-" and "_" only/);
    expect(provider.checkName(contextFor(fake, { name: `${'x'.repeat(60)}-{env}` }), 'alice')).toMatch(/limit is 64/);
    expect(provider.checkName(contextFor(fake), 'alice')).toBeUndefined();
  });
});

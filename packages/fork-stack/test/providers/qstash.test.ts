/** The upstash-qstash queue provider against the QStash fake (requests checked against QStash's OpenAPI spec). */
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
import { provider } from '../../src/providers/queue/upstash-qstash.js';
import { schema, type QstashOptions } from '../../src/providers/queue/upstash-qstash.schema.js';
import type { Provider, ProviderContext } from '../../src/providers/types.js';
import { testContext } from '../helpers/context.js';
import { fakeOwnershipScope } from '../helpers/fake-ownership.js';
import { ownershipContract } from '../helpers/ownership-contract.js';
import { closeClean, fakeContractSetup } from '../helpers/fake-setup.js';
import { providerContract } from '../helpers/provider-contract.js';

type Fake = Awaited<ReturnType<typeof startFake<'qstash'>>>;
const tmpRoot = mkdtempSync(path.join(os.tmpdir(), 'qstash-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

function contextFor(fake: Fake, options: Record<string, unknown> = {}, env: Record<string, string | undefined> = fake.env) {
  return testContext<QstashOptions>({
    kind: 'queue',
    project: 'myapp',
    root: tmpRoot,
    schema,
    // The fake's default scenario holds the production queue "myapp-emails".
    options: { queues: ['emails'], names: { prod: '{project}-{queue}' }, ...options },
    env,
    roots: ['prod'],
  });
}

const queues = (fake: Fake) => [...fake.state.queues.values()].map((q) => `${q.name}:${q.parallelism}`).sort();

async function failure(promise: Promise<unknown>): Promise<ForkStackError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e as ForkStackError,
  );
  if (!error) throw new Error('expected the call to fail');
  return error;
}

/** A call to the fake with QStash's own HTTP API (never fork-stack code), as the console or the SDK would. */
async function qstash(fake: Fake, method: string, route: string, body?: unknown): Promise<void> {
  const res = await fetch(`${fake.url}${route}`, {
    method,
    headers: { authorization: `Bearer ${fake.env.QSTASH_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
}

// A queue under the environment's queue name that fork-stack did not create here ('empty': a queue with no
// messages; the fake keeps no messages, so 'non-empty' cannot be planted; another project's record lives in
// its own checkout). Upsert would have taken it over: POST /v2/queues re-configures an existing queue.
const ownership = fakeOwnershipScope('qstash');
ownershipContract('upstash-qstash', provider as Provider<unknown>, async () => {
  const fake = ownership.track(await startFake('qstash'));
  const name = 'myapp-contract-foreign-emails';
  return {
    ctx: ownership.inScope(contextFor(fake) as ProviderContext<unknown>),
    parent: 'prod',
    foreign: {
      plant: { empty: async () => qstash(fake, 'POST', '/v2/queues', { queueName: name, parallelism: 7 }) },
      fingerprint: async () => JSON.stringify(fake.state.queues.get(name) ?? null),
      clear: async () => {
        if (fake.state.queues.has(name)) await qstash(fake, 'DELETE', `/v2/queues/${name}`);
      },
    },
  };
});

providerContract('upstash-qstash', provider as Provider<unknown>, async () => {
  const fake = await startFake('qstash');
  return fakeContractSetup(fake, contextFor(fake), { parent: 'prod', resource: 'myapp-emails' });
});

describe('upstash-qstash provider', () => {
  let fake: Fake;
  beforeEach(async () => {
    fake = await startFake('qstash');
  });
  afterEach(() => closeClean(fake));

  it('creates each configured queue, named with the environment, with its parallelism', async () => {
    const ctx = contextFor(fake, { queues: ['emails', { name: 'reports', parallelism: 3 }], parallelism: 2 });
    const made = await provider.fork(ctx, { env: 'alice', parent: 'prod' });
    expect(made).toMatchObject({ env: 'alice', name: 'myapp-alice-*', state: 'ready', owned: true, details: { queues: 'myapp-alice-emails, myapp-alice-reports' } });
    expect(queues(fake)).toEqual(['myapp-alice-emails:2', 'myapp-alice-reports:3', 'myapp-emails:2']);
    expect(await provider.variables(ctx, 'alice')).toEqual({
      QSTASH_QUEUE_PREFIX: 'myapp-alice-',
      QSTASH_QUEUE_EMAILS: 'myapp-alice-emails',
      QSTASH_QUEUE_REPORTS: 'myapp-alice-reports',
    });
    // Production keeps its own names (names = { prod = "{project}-{queue}" }).
    expect(await provider.variables(ctx, 'prod')).toMatchObject({ QSTASH_QUEUE_PREFIX: 'myapp-', QSTASH_QUEUE_EMAILS: 'myapp-emails' });
  });

  it('never writes the account token into an environment unless pass_credentials', async () => {
    expect(Object.keys(await provider.variables(contextFor(fake), 'alice'))).not.toContain('QSTASH_TOKEN');
    const env = { ...fake.env, QSTASH_CURRENT_SIGNING_KEY: 'sig_current_123', QSTASH_NEXT_SIGNING_KEY: 'sig_next_456' };
    expect(await provider.variables(contextFor(fake, { pass_credentials: true }, env), 'alice')).toMatchObject({
      QSTASH_TOKEN: fake.env.QSTASH_TOKEN,
      QSTASH_CURRENT_SIGNING_KEY: 'sig_current_123',
      QSTASH_NEXT_SIGNING_KEY: 'sig_next_456',
    });
  });

  it('lists environments whose queues all exist; dev and dev-2 do not collide; delete removes exactly the configured names', async () => {
    const ctx = contextFor(fake, { queues: ['emails', 'reports'] });
    for (const env of ['dev', 'dev-2']) await provider.fork(ctx, { env, parent: 'prod' });
    fake.seed.queue('myapp-dev-2-emails-extra');
    fake.seed.queue('other-app-emails');
    expect((await provider.list(ctx)).map((r) => r.env)).toEqual(['prod', 'dev', 'dev-2']);
    await provider.remove(ctx, { env: 'dev' });
    expect(queues(fake)).toEqual(['myapp-dev-2-emails-extra:1', 'myapp-dev-2-emails:1', 'myapp-dev-2-reports:1', 'myapp-emails:2', 'other-app-emails:1']);
    expect(await provider.find(ctx, 'dev')).toBeUndefined();
    expect(await provider.find(ctx, 'dev-2')).toMatchObject({ state: 'ready' });
    await provider.remove(ctx, { env: 'dev' });
    await expect(provider.remove(ctx, { env: 'prod' })).rejects.toThrow(/never deletes its queues/);
  });

  it('a fork from an environment without queues fails and creates nothing; a half-made fork is finished by the next fork', async () => {
    const ctx = contextFor(fake, { queues: ['emails', 'reports'] });
    const error = await failure(provider.fork(ctx, { env: 'bob', parent: 'carol' }));
    expect(error.message).toBe('qstash: parent environment "carol" has no queues');
    expect(queues(fake)).toEqual(['myapp-emails:2']);
    // The second create fails (503 five times over, beyond the retries): alice is half made, found as
    // partial and owned (its first queue is on record), so that a rollback or a delete can remove it.
    fake.failNth({ operation: 'POST /v2/queues', nth: 2, fault: '503', times: 10 });
    await expect(provider.fork(ctx, { env: 'alice', parent: 'prod' })).rejects.toThrow(/create queue myapp-alice-reports failed: HTTP 503/);
    expect(await provider.find(ctx, 'alice')).toMatchObject({ state: 'partial', owned: true });
    await provider.fork(ctx, { env: 'alice', parent: 'prod' });
    expect(queues(fake)).toEqual(['myapp-alice-emails:1', 'myapp-alice-reports:1', 'myapp-emails:2']);
  });

  it('a queue under the environment\'s names that fork-stack did not create is refused: no upsert takes it over, no delete removes it', async () => {
    const ctx = contextFor(fake, { queues: ['emails', 'reports'] });
    fake.seed.queue('myapp-bob-reports', 9);
    const before = JSON.stringify(fake.state.queues.get('myapp-bob-reports'));
    // Before: the half-present env was "not found", and fork upserted the foreign queue to parallelism 1.
    expect(await provider.find(ctx, 'bob')).toMatchObject({ owned: false, state: 'partial' });
    await expect(provider.fork(ctx, { env: 'bob', parent: 'prod' })).rejects.toThrow(/refusing to create "bob": queue myapp-bob-reports was not created by fork-stack/);
    await expect(provider.remove(ctx, { env: 'bob' })).rejects.toThrow(/refusing to delete "bob"/);
    await expect(provider.remove(ctx, { env: 'bob', reason: 'rollback' })).rejects.toThrow(/nothing was changed/);
    expect(JSON.stringify(fake.state.queues.get('myapp-bob-reports'))).toBe(before);
    expect(queues(fake)).toEqual(['myapp-bob-reports:9', 'myapp-emails:2']);
  });

  it('the plan\'s queue limit (412) is explained; 429 is retried; a bad token is a 401', async () => {
    fake.seed.limits({ maxQueues: 2 });
    const ctx = contextFor(fake, { queues: ['emails', 'reports'] });
    fake.failNth({ operation: 'GET /v2/queues', fault: '429' });
    const error = await failure(provider.fork(ctx, { env: 'alice', parent: 'prod' }));
    expect(error.message).toBe('qstash: cannot create the queues of "alice": the account\'s limit on queues or on parallelism per queue is reached');
    expect(error.hint).toMatch(/raise the QStash plan/);
    expect(fake.requests.some((r) => r.status === 429)).toBe(true);
    const bad = await failure(provider.find(contextFor(fake, {}, { ...fake.env, QSTASH_TOKEN: 'wrong' }), 'prod'));
    expect(bad.message).toMatch(/^qstash: list queues failed: HTTP 401/);
    const missing = await failure(provider.find(contextFor(fake, {}, { ...fake.env, QSTASH_TOKEN: undefined }), 'prod'));
    expect(missing).toBeInstanceOf(UsageError);
    expect((await provider.check(contextFor(fake)))[0]).toMatchObject({ name: 'credentials', status: 'ok' });
  });

  it('validates queue names and patterns before any call', () => {
    expect(schema.safeParse({ queues: [] }).success).toBe(false);
    expect(schema.safeParse({ queues: ['bad name'] }).success).toBe(false);
    expect(provider.checkName(contextFor(fake, { name: '{project}-{env}' }), 'alice')).toBeUndefined();
    expect(provider.checkName(contextFor(fake, { queues: ['emails', 'reports'], name: '{project}-{env}' }), 'alice')).toMatch(/put \{queue\} in the name pattern/);
    expect(provider.checkName(contextFor(fake), 'alice')).toBeUndefined();
  });
});

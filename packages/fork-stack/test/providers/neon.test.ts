/** The neon provider against the Neon fake (every request checked against Neon's OpenAPI spec). */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  // Fast backoff and polling, so that retries and waits take milliseconds (read when modules load).
  process.env.FORK_STACK_RETRY_BASE_MS = '5';
  process.env.FORK_STACK_POLL_INTERVAL_MS = '5';
});

import { ForkStackError, UsageError } from '../../src/core/errors.js';
import { provider } from '../../src/providers/database/neon.js';
import { schema, type NeonOptions } from '../../src/providers/database/neon.schema.js';
import type { Provider, ProviderContext } from '../../src/providers/types.js';
import { testContext } from '../helpers/context.js';
import { closeClean, fakeContractSetup } from '../helpers/fake-setup.js';
import { providerContract } from '../helpers/provider-contract.js';
import { cloudProject, expectCleanFailure, type CloudProject } from './cloud-db.cli.js';
import { annotationsOf, startNeonFake, type NeonFake } from './neon.fake.js';
import { ownershipContract } from '../helpers/ownership-contract.js';

type Fake = Awaited<ReturnType<typeof startNeonFake>>;
const PROJECT = 'fake-project-shop';
const tmpRoot = mkdtempSync(path.join(os.tmpdir(), 'neon-provider-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

function contextFor(fake: NeonFake, options: Record<string, unknown> = {}, env: Record<string, string | undefined> = fake.env) {
  return testContext<NeonOptions>({ kind: 'database', root: tmpRoot, schema, options: { project_id: PROJECT, ...options }, env, roots: ['prod'] });
}

const branchesNamed = (fake: NeonFake, name: string) => [...fake.state.branches.values()].filter((b) => b.name === name);

providerContract('neon', provider as Provider<unknown>, async () => {
  const fake = await startNeonFake({ async: { polls: 2 }, scenario: 'empty' });
  fake.seed.project({ id: PROJECT, name: 'shop' });
  return fakeContractSetup(fake, contextFor(fake), { parent: 'prod', resource: 'main' });
});

describe('neon provider', () => {
  let fake: Fake;
  beforeEach(async () => {
    fake = await startNeonFake({ async: { polls: 2 }, scenario: 'empty' });
    fake.seed.project({ id: PROJECT, name: 'shop' });
  });
  afterEach(() => closeClean(fake));

  it('forks the parent branch with a read-write endpoint, marks it ours and waits for its operations', async () => {
    const ctx = contextFor(fake);
    const resource = await provider.fork(ctx, { env: 'alice', parent: 'prod' });
    expect(resource).toMatchObject({ env: 'alice', name: 'alice', state: 'ready', owned: true, parent: 'prod' });
    const [branch] = branchesNamed(fake, 'alice');
    expect(branch?.parent_id).toBe([...fake.state.branches.values()].find((b) => b.name === 'main')?.id);
    expect(branch?.progress.done).toBe(true);
    expect([...fake.state.endpoints.values()].filter((e) => e.branch_id === branch?.id).map((e) => e.type)).toEqual(['read_write']);
    expect(annotationsOf(fake).get(branch!.id)).toEqual({ 'fork-stack-project': 'app', 'fork-stack-env': 'alice', 'fork-stack-parent': 'prod' });
    // Every operation was polled until finished before fork returned.
    expect(fake.requests.some((r) => r.operation === 'GET /projects/{project_id}/operations/{operation_id}')).toBe(true);
    expect([...fake.state.operations.values()].every((op) => op.progress.done)).toBe(true);
    const vars = await provider.variables(ctx, 'alice');
    expect(vars.DATABASE_URL).toMatch(/^postgres(ql)?:\/\/neondb_owner:[^@]+@ep-fork-[0-9]+\.us-east-2\.aws\.neon\.tech\/neondb/);
    // From the create answer's connection_uris: no /connection_uri call was needed.
    expect(fake.requests.some((r) => r.operation === 'GET /projects/{project_id}/connection_uri')).toBe(false);
    const pooled = await provider.variables(contextFor(fake, { pooled: true }), 'alice');
    expect(pooled.DATABASE_URL).toMatch(/@ep-fork-[0-9]+-pooler\.us-east-2\.aws\.neon\.tech\/neondb/);
  });

  it('reset restores the branch from its parent natively, keeping its id (and refuses roots)', async () => {
    const ctx = contextFor(fake);
    await provider.fork(ctx, { env: 'alice', parent: 'prod' });
    const [before] = branchesNamed(fake, 'alice');
    const resource = await provider.reset!(ctx, { env: 'alice', parent: 'prod' });
    expect(resource).toMatchObject({ env: 'alice', name: 'alice', owned: true });
    const [after] = branchesNamed(fake, 'alice');
    expect(after?.id).toBe(before?.id);
    expect(after?.last_reset_at).toBeDefined();
    expect(fake.requests.some((r) => r.operation === 'POST /projects/{project_id}/branches/{branch_id}/restore')).toBe(true);
    await expect(provider.reset!(ctx, { env: 'prod', parent: 'prod' })).rejects.toThrow(/root or protected/);
  });

  it('an operation that fails is a clear error (and the engine rolls the branch back with remove)', async () => {
    await fake.close();
    fake = await startNeonFake({ async: { polls: 1 }, scenario: 'empty' }, {
      'GET /projects/{project_id}/operations/{operation_id}': async (original, ctx) => {
        const reply = await original(ctx);
        const body = reply.body as { operation: { action: string; status: string; error?: string } };
        if (body.operation.action !== 'start_compute') return reply;
        return { ...reply, body: { operation: { ...body.operation, status: 'failed', error: 'compute quota exceeded' } } };
      },
    });
    fake.seed.project({ id: PROJECT, name: 'shop' });
    const ctx = contextFor(fake);
    await expect(provider.fork(ctx, { env: 'alice', parent: 'prod' })).rejects.toThrow(
      /neon: branch "alice" to be created: operation start_compute failed: compute quota exceeded/,
    );
    await provider.remove(ctx, { env: 'alice' });
    expect(branchesNamed(fake, 'alice')).toHaveLength(0);
  });

  it('create is idempotent: a second fork returns the same branch and makes no duplicate', async () => {
    const ctx = contextFor(fake);
    const first = await provider.fork(ctx, { env: 'alice', parent: 'prod' });
    const second = await provider.fork(ctx, { env: 'alice', parent: 'prod' });
    expect(second.id).toBe(first.id);
    expect(branchesNamed(fake, 'alice')).toHaveLength(1);
    expect(fake.requests.filter((r) => r.operation === 'POST /projects/{project_id}/branches')).toHaveLength(1);
  });

  it('records the create run on the branch and reports it, also to a later fork that finds the branch', async () => {
    const ctx = contextFor(fake);
    const made = await provider.fork(ctx, { env: 'alice', parent: 'prod', runId: 'run-a' });
    expect(made.createdByRun).toBe('run-a');
    const found = await provider.fork(ctx, { env: 'alice', parent: 'prod', runId: 'run-b' });
    expect(found.createdByRun).toBe('run-a');
  });

  it('a lost answer retried into 409 still reports this run as the maker (its own retry is not a teammate)', async () => {
    fake.failNth({ operation: 'POST /projects/{project_id}/branches', fault: '500', afterApply: true });
    const resource = await provider.fork(contextFor(fake), { env: 'alice', parent: 'prod', runId: 'run-a' });
    expect(resource).toMatchObject({ adopted: true, createdByRun: 'run-a' });
  });

  it('a create that happened but whose answer was lost (500 after apply) is retried, gets 409 and adopts the branch', async () => {
    fake.failNth({ operation: 'POST /projects/{project_id}/branches', fault: '500', afterApply: true });
    const ctx = contextFor(fake);
    const resource = await provider.fork(ctx, { env: 'alice', parent: 'prod' });
    expect(resource).toMatchObject({ name: 'alice', owned: true, state: 'ready' });
    expect(branchesNamed(fake, 'alice')).toHaveLength(1);
    expect(fake.requests.filter((r) => r.operation === 'POST /projects/{project_id}/branches').map((r) => r.status)).toEqual([500, 409]);
  });

  it('retries 429 honouring Retry-After, and 5xx and dropped connections, then succeeds', async () => {
    fake.failNth({ operation: 'GET /projects/{project_id}/branches', fault: '429' });
    fake.failNth({ operation: 'POST /projects/{project_id}/branches', fault: '503' });
    fake.failNth({ operation: 'GET /projects/{project_id}/operations/{operation_id}', fault: 'drop' });
    const ctx = contextFor(fake);
    await provider.fork(ctx, { env: 'alice', parent: 'prod' });
    expect(branchesNamed(fake, 'alice')).toHaveLength(1);
    expect(fake.requests.filter((r) => r.fault).map((r) => r.fault)).toEqual(['429', '503', 'drop']);
    // Retry-After: 1 s is longer than the (shortened) backoff, so it sets the delay.
    expect(ctx.progressLog.map((p) => p.message)).toContain('neon: rate limited (429), retrying in 1.0 s');
  });

  it('gives up on a persistent 5xx with a clear error and leaves nothing behind', async () => {
    fake.failNth({ operation: 'POST /projects/{project_id}/branches', fault: '500', times: 20 });
    const ctx = contextFor(fake);
    const error = await provider.fork(ctx, { env: 'alice', parent: 'prod' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForkStackError);
    expect((error as ForkStackError).exitCode).toBe(1);
    expect((error as Error).message).toMatch(/^neon: create branch "alice" for "alice" from "main" failed: HTTP 500/);
    expect(branchesNamed(fake, 'alice')).toHaveLength(0);
  });

  it('401: a revoked key fails with a hint naming NEON_API_KEY', async () => {
    const env = { ...fake.env, NEON_API_KEY: 'not-a-key' };
    const error = (await provider.fork(contextFor(fake, {}, env), { env: 'alice', parent: 'prod' }).catch((e: unknown) => e)) as ForkStackError;
    expect(error.message).toMatch(/HTTP 401/);
    expect(error.hint).toMatch(/NEON_API_KEY/);
    expect(branchesNamed(fake, 'alice')).toHaveLength(0);
  });

  it('403: a read-only key cannot create, and says so; nothing is created', async () => {
    const env = fake.addReadOnlyCredentials();
    const error = (await provider.fork(contextFor(fake, {}, env), { env: 'alice', parent: 'prod' }).catch((e: unknown) => e)) as ForkStackError;
    expect(error.message).toMatch(/^neon: create branch "alice".*HTTP 403/);
    expect(error.hint).toMatch(/no access/);
    expect(branchesNamed(fake, 'alice')).toHaveLength(0);
  });

  it('404: an unknown project is an error naming the project', async () => {
    const ctx = contextFor(fake, { project_id: 'no-such-project' });
    await expect(provider.find(ctx, 'alice')).rejects.toThrow(/HTTP 404.*no-such-project/);
    const checks = await provider.check(ctx);
    expect(checks).toContainEqual(expect.objectContaining({ name: 'project', status: 'fail', message: expect.stringContaining('no-such-project') }));
  });

  it('unknown parent: a clear error, nothing created', async () => {
    const ctx = contextFor(fake);
    await expect(provider.fork(ctx, { env: 'alice', parent: 'staging' })).rejects.toThrow(/parent branch "staging" of environment "staging" does not exist in project fake-project-shop/);
    expect(branchesNamed(fake, 'alice')).toHaveLength(0);
  });

  it('a missing key is a usage error naming NEON_API_KEY, before any request', async () => {
    const ctx = contextFor(fake, {}, { FORK_STACK_NEON_API_URL: fake.url });
    const error = (await provider.fork(ctx, { env: 'alice', parent: 'prod' }).catch((e: unknown) => e)) as ForkStackError;
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toMatch(/NEON_API_KEY is not set/);
    expect(fake.requests).toHaveLength(0);
    expect(await provider.check(ctx)).toEqual([expect.objectContaining({ name: 'credentials', status: 'fail' })]);
  });

  it('provider down: connection refused after retries, a clear error', async () => {
    await fake.close();
    const ctx = contextFor(fake);
    await expect(provider.find(ctx, 'alice')).rejects.toThrow(/neon: look up branch "alice" failed: connection refused/);
    fake = await startNeonFake({ scenario: 'empty' });
  });

  it('the base URL comes from FORK_STACK_NEON_API_URL (a trailing slash is fine)', async () => {
    const ctx = contextFor(fake, {}, { ...fake.env, FORK_STACK_NEON_API_URL: `${fake.url}/` });
    expect(await provider.find(ctx, 'prod')).toMatchObject({ name: 'main', owned: false });
    expect(fake.requests.length).toBeGreaterThan(0);
  });

  it('names: too long for Neon is rejected before any call; names overrides map the root', () => {
    const ctx = contextFor(fake, { names: { prod: 'production' } });
    expect(provider.resourceName(ctx, 'prod')).toBe('production');
    expect(provider.resourceName(ctx, 'alice')).toBe('alice');
    expect(provider.checkName(contextFor(fake, { name: `{env}-${'x'.repeat(260)}` }), 'alice')).toMatch(/Neon branch name .* the limit is 256/);
  });

  it('--at maps to parent_timestamp and a TTL to expires_at', async () => {
    const ctx = contextFor(fake);
    const at = new Date(Date.now() - 60_000);
    const expiresAt = new Date(Date.now() + 3 * 24 * 3600 * 1000);
    await provider.fork(ctx, { env: 'alice', parent: 'prod', at, expiresAt });
    const [branch] = branchesNamed(fake, 'alice');
    expect(branch?.parent_timestamp).toBe(at.toISOString().replace(/\.\d{3}Z$/, 'Z'));
    expect(branch?.expires_at).toBe(expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z'));
    await expect(provider.fork(ctx, { env: 'bob', parent: 'prod', at: new Date(Date.now() + 60_000) })).rejects.toBeInstanceOf(UsageError);
    await expect(provider.fork(ctx, { env: 'bob', parent: 'prod', expiresAt: new Date(Date.now() + 40 * 24 * 3600 * 1000) })).rejects.toThrow(/at most 30 days/);
    expect(branchesNamed(fake, 'bob')).toHaveLength(0);
  });

  it('list walks every page of the cursor and shows only our branches and the adopted root', async () => {
    const main = [...fake.state.branches.values()].find((b) => b.name === 'main')!;
    for (let i = 0; i < 230; i++) fake.seed.branch(PROJECT, { name: `aaa-foreign-${String(i).padStart(3, '0')}`, parent_id: main.id });
    const ctx = contextFor(fake);
    for (const env of ['zed-1', 'zed-2', 'zed-3']) await provider.fork(ctx, { env, parent: 'prod' });
    const before = fake.requests.length;
    const listed = await provider.list(ctx);
    expect(listed.map((r) => r.env).sort()).toEqual(['prod', 'zed-1', 'zed-2', 'zed-3']);
    expect(listed.find((r) => r.env === 'prod')).toMatchObject({ name: 'main', owned: false });
    expect(listed.find((r) => r.env === 'zed-2')).toMatchObject({ owned: true, parent: 'prod' });
    const walk = fake.requests.slice(before);
    // 1 + 230 + 3 branches in pages of 100: one walk of three requests, each following the previous cursor.
    expect(walk.map((r) => r.operation)).toEqual(Array(3).fill('GET /projects/{project_id}/branches'));
    expect(walk.slice(1).every((r) => r.query.includes('cursor='))).toBe(true);
  });

  it('remove: deletes our branch and waits for it; gone already is success; roots and strangers are refused', async () => {
    const ctx = contextFor(fake);
    await provider.fork(ctx, { env: 'alice', parent: 'prod' });
    await provider.remove(ctx, { env: 'alice' });
    expect(branchesNamed(fake, 'alice')).toHaveLength(0);
    expect([...fake.state.operations.values()].every((op) => op.progress.done)).toBe(true);
    await provider.remove(ctx, { env: 'alice' });

    await expect(provider.remove(ctx, { env: 'prod' })).rejects.toBeInstanceOf(UsageError);
    const main = [...fake.state.branches.values()].find((b) => b.name === 'main')!;
    fake.seed.branch(PROJECT, { name: 'bob', parent_id: main.id });
    await expect(provider.remove(ctx, { env: 'bob' })).rejects.toThrow(/refusing to delete branch "bob" of "bob": it was not made by fork-stack/);
    await expect(provider.fork(ctx, { env: 'bob', parent: 'prod' })).rejects.toThrow(/already exists .* was not made by fork-stack/);
    expect(branchesNamed(fake, 'bob')).toHaveLength(1);
    expect(branchesNamed(fake, 'main')).toHaveLength(1);
    expect(fake.requests.filter((r) => r.method === 'DELETE').map((r) => r.status)).toEqual([200]);
  });

  it('DATABASE_URL from /connection_uri when the parent has several roles: role and database from config, pooled', async () => {
    await fake.close();
    fake = await startNeonFake({ scenario: 'empty' });
    fake.seed.project({ id: PROJECT, roles: ['app', 'migrator'], databases: [{ name: 'shop', owner_name: 'app' }] });
    const guess = contextFor(fake);
    // Asked before anything is made: a branch the app could not be given a DATABASE_URL for is never created.
    await expect(provider.fork(guess, { env: 'alice', parent: 'prod' })).rejects.toMatchObject({ message: expect.stringMatching(/several roles \(app, migrator\)/), hint: expect.stringMatching(/Set role = "app"/) });
    expect(branchesNamed(fake, 'alice')).toHaveLength(0);
    const ctx = contextFor(fake, { role: 'migrator', pooled: true });
    await provider.fork(ctx, { env: 'alice', parent: 'prod' });
    const { DATABASE_URL: url } = await provider.variables(ctx, 'alice');
    expect(url).toMatch(/^postgres(ql)?:\/\/migrator:[^@]+@ep-fork-[a-z0-9]+-pooler\.[^/]+\/shop/);
    expect(fake.requests.filter((r) => r.operation === 'GET /projects/{project_id}/connection_uri')).toHaveLength(1);
  });

  it('check: credentials and project reachable; 401 and 403 explained', async () => {
    expect(await provider.check(contextFor(fake))).toEqual([
      expect.objectContaining({ name: 'credentials', status: 'ok' }),
      expect.objectContaining({ name: 'project', status: 'ok', message: expect.stringContaining('"shop"') }),
      expect.objectContaining({ name: 'connection of "prod"', status: 'ok' }),
    ]);
    const bad = await provider.check(contextFor(fake, {}, { ...fake.env, NEON_API_KEY: 'wrong' }));
    expect(bad).toContainEqual(expect.objectContaining({ status: 'fail', message: expect.stringContaining('401') }));
  });
});

describe('neon: the built CLI end to end', () => {
  let fake: Fake;
  let project: CloudProject;
  beforeEach(async () => {
    fake = await startNeonFake({ async: { polls: 2 }, scenario: 'empty' });
    fake.seed.project({ id: PROJECT, name: 'shop' });
    project = cloudProject(`provider = "neon"\nproject_id = "${PROJECT}"`, { ...fake.env, FORK_STACK_RETRY_BASE_MS: '5', FORK_STACK_POLL_INTERVAL_MS: '5' });
  });
  afterEach(async () => {
    expect(fake.violations).toEqual([]);
    await fake.close();
    project.cleanup();
  });

  it('create → switch → env → list → delete', async () => {
    const doctor = await project.run(['doctor']);
    expect(doctor.code, doctor.stderr).toBe(0);
    expect(doctor.stdout).toMatch(/root "prod": main exists/);

    const created = await project.run(['create', 'alice']);
    expect(created.code, created.stderr).toBe(0);
    expect(branchesNamed(fake, 'alice')).toHaveLength(1);

    const switched = await project.run(['switch', 'alice']);
    expect(switched.code, switched.stderr).toBe(0);
    expect(project.read('.current-env')?.trim()).toBe('alice');
    expect(project.read('.fork-stack/envs/alice.env')).toMatch(/^DATABASE_URL=.*@ep-fork-[0-9]+\.us-east-2\.aws\.neon\.tech\/neondb/m);

    const env = await project.run(['env']);
    expect(env.code).toBe(0);
    expect(env.stdout).toMatch(/DATABASE_URL=.*neondb_owner:\*\*\*\*@/);
    expect(env.stdout).not.toMatch(/npg_seed/);

    const listed = await project.run(['list', '--json']);
    expect(listed.code).toBe(0);
    const names = (JSON.parse(listed.stdout) as { environments: { name: string }[] }).environments.map((e) => e.name);
    expect(names).toEqual(['prod', 'alice']);

    const deleted = await project.run(['delete', 'alice', '--yes']);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(branchesNamed(fake, 'alice')).toHaveLength(0);
    expect(branchesNamed(fake, 'main')).toHaveLength(1);
  });

  it('bad input: unknown parent, name too long, missing key, key without permission, provider down', async () => {
    expectCleanFailure(await project.run(['create', 'bob', '--from', 'staging']), 1, /parent environment "staging" does not exist/, /database \(neon\)/, /hint:/);
    const long = cloudProject(`provider = "neon"\nproject_id = "${PROJECT}"\nname = "{env}-${'x'.repeat(260)}"`, fake.env);
    expectCleanFailure(await long.run(['create', 'bob']), 2, /database \(neon\): Neon branch name .* the limit is 256/, /hint:/);
    long.cleanup();
    expectCleanFailure(await project.run(['create', 'bob'], { NEON_API_KEY: undefined }), 2, /NEON_API_KEY is not set/, /export NEON_API_KEY=/);
    const readOnly = fake.addReadOnlyCredentials();
    expectCleanFailure(await project.run(['create', 'bob'], readOnly), 1, /could not create "bob"/, /neon: create branch "bob".*HTTP 403/, /rolled back/);
    const url = fake.url;
    await fake.close();
    expectCleanFailure(await project.run(['create', 'bob'], { FORK_STACK_NEON_API_URL: url, FORK_STACK_RETRY_ATTEMPTS: '2' }), 1, /connection refused/);
    fake = await startNeonFake({ scenario: 'empty' });
    // Nothing of bob anywhere: no branch (the fake before it stopped), no env file, no half-made metadata.
    expect(project.read('.fork-stack/envs/bob.env')).toBeUndefined();
    expect(project.read('.fork-stack/envs/bob.json')).toBeUndefined();
  });
});

{
  let fake: NeonFake | undefined;
  afterAll(async () => {
    expect(fake?.violations ?? []).toEqual([]);
    await fake?.close();
  });
  const nameOf = (env: string) => env;
  const plant = (annotation?: Record<string, string>) => async (env: string) => {
    const [project] = [...fake!.state.projects.values()];
    fake!.seed.branch(project!.id, { name: nameOf(env), ...(annotation ? { annotation } : {}) });
  };
  ownershipContract('neon', provider as Provider<unknown>, async () => {
    fake = await startNeonFake({ async: { polls: 1 }, scenario: 'empty' });
    fake.seed.project({ id: PROJECT, name: 'shop' });
    const root = mkdtempSync(path.join(tmpRoot, 'own-'));
    const ctx = testContext<NeonOptions>({ kind: 'database', root, schema, options: { project_id: PROJECT }, env: fake.env, roots: ['prod'] });
    return {
      ctx: ctx as ProviderContext<unknown>,
      parent: 'prod',
      foreign: {
        plant: {
          // A branch made by hand in the Neon Console (a seeded branch has the parent's data: "non-empty").
          empty: plant(),
          'non-empty': plant({ note: 'made by hand' }),
          'other-project': plant({ 'fork-stack-project': 'app-contract', 'fork-stack-env': 'foreign', 'fork-stack-parent': 'prod' }),
          'other-env': plant({ 'fork-stack-project': 'app', 'fork-stack-env': 'someone-else', 'fork-stack-parent': 'prod' }),
        },
        fingerprint: async (env) => {
          const b = branchesNamed(fake!, nameOf(env));
          return JSON.stringify(b.map(({ progress: _p, ...rest }) => rest));
        },
        clear: async (env) => {
          for (const b of branchesNamed(fake!, nameOf(env))) fake!.state.branches.delete(b.id);
        },
      },
    };
  });
}

describe('neon, as its spec says', () => {
  let fake: Fake;
  beforeEach(async () => {
    fake = await startNeonFake({ async: { polls: 1 }, scenario: 'empty' });
    fake.seed.project({ id: PROJECT, name: 'shop' });
  });
  afterEach(() => closeClean(fake));

  it('create --reuse of a branch made by hand is refused: find reports it not owned, fork leaves it alone', async () => {
    const ctx = contextFor(fake);
    const [project] = [...fake.state.projects.values()];
    fake.seed.branch(project!.id, { name: 'alice' });
    expect(await provider.find(ctx, 'alice')).toMatchObject({ owned: false });
    await expect(provider.fork(ctx, { env: 'alice', parent: 'prod' })).rejects.toThrow(/not made by fork-stack for project "app", environment "alice"/);
    fake.seed.branch(project!.id, { name: 'bob', annotation: { 'fork-stack-project': 'app', 'fork-stack-env': 'carol', 'fork-stack-parent': 'prod' } });
    expect(await provider.find(ctx, 'bob')).toMatchObject({ owned: false, markedFor: { project: 'app', env: 'carol' } });
  });

  it('reset of a branch that has children is refused, naming them (Neon would need preserve_under_name)', async () => {
    const ctx = contextFor(fake);
    await provider.fork(ctx, { env: 'alice', parent: 'prod' });
    const alice = branchesNamed(fake, 'alice')[0]!;
    const [project] = [...fake.state.projects.values()];
    fake.seed.branch(project!.id, { name: 'alice-child', parent_id: alice.id });
    await expect(provider.reset!(ctx, { env: 'alice', parent: 'prod' })).rejects.toMatchObject({
      exitCode: 1,
      message: expect.stringMatching(/cannot reset branch "alice" of "alice": it has 1 child branch: "alice-child"/),
      hint: expect.stringMatching(/Delete the child environments first/),
    });
    expect(fake.requests.some((r) => r.operation === 'POST /projects/{project_id}/branches/{branch_id}/restore')).toBe(false);
  });

  it('the fake enforces the spec: restore of a branch with children without preserve_under_name is a 400', async () => {
    const ctx = contextFor(fake);
    await provider.fork(ctx, { env: 'alice', parent: 'prod' });
    const alice = branchesNamed(fake, 'alice')[0]!;
    const [project] = [...fake.state.projects.values()];
    fake.seed.branch(project!.id, { name: 'alice-child', parent_id: alice.id });
    const res = await fetch(`${fake.url}/projects/${PROJECT}/branches/${alice.id}/restore`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fake.env.NEON_API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ source_branch_id: alice.parent_id }),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/preserve_under_name/);
  });

  it('remove deletes a branch whose create operation ended failed, without waiting for ready', async () => {
    const ctx = contextFor(fake, { wait_timeout_seconds: 300 });
    fake.seed.failOperation('create_branch', 'storage node unavailable', 'alice');
    await expect(provider.fork(ctx, { env: 'alice', parent: 'prod' })).rejects.toThrow(/operation create_branch failed: storage node unavailable/);
    expect(branchesNamed(fake, 'alice')).toHaveLength(1);
    const started = Date.now();
    await provider.remove(ctx, { env: 'alice', reason: 'rollback' });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(branchesNamed(fake, 'alice')).toHaveLength(0);
  });

  it('doctor fails with the fix when the root has two roles and no role is configured', async () => {
    await fake.close();
    fake = await startNeonFake({ scenario: 'empty' });
    fake.seed.project({ id: PROJECT, name: 'shop', roles: ['app', 'migrator'] });
    const checks = await provider.check(contextFor(fake));
    expect(checks).toContainEqual(expect.objectContaining({ name: 'connection of "prod"', status: 'fail', message: expect.stringMatching(/several roles \(app, migrator\)/), fix: expect.stringMatching(/Set role = "app"/) }));
    const fixed = await provider.check(contextFor(fake, { role: 'app' }));
    expect(fixed).toContainEqual(expect.objectContaining({ name: 'connection of "prod"', status: 'ok' }));
  });
});

describe('neon: a parent with two roles through the CLI', () => {
  it('create fails with the "Set role" hint, leaves nothing (not even a creating journal), and doctor fails with the fix', async () => {
    const fake = await startNeonFake({ async: { polls: 1 }, scenario: 'empty' });
    fake.seed.project({ id: PROJECT, name: 'shop', roles: ['app', 'migrator'] });
    const project = cloudProject(`provider = "neon"\nproject_id = "${PROJECT}"`, { ...fake.env, FORK_STACK_RETRY_BASE_MS: '5', FORK_STACK_POLL_INTERVAL_MS: '5' });
    try {
      expectCleanFailure(await project.run(['create', 'alice']), 1, /several roles \(app, migrator\)/, /Set role = "app"/);
      expect(branchesNamed(fake, 'alice')).toHaveLength(0);
      expect(project.read('.fork-stack/envs/alice.json')).toBeUndefined();
      const listed = await project.run(['list', '--json']);
      expect((JSON.parse(listed.stdout) as { environments: { name: string }[] }).environments.map((e) => e.name)).toEqual(['prod']);
      const doctor = await project.run(['doctor']);
      expect(doctor.code).toBe(1);
      expect(doctor.stdout).toMatch(/several roles \(app, migrator\)/);
      expect(doctor.stdout).toMatch(/fix: Set role = "app"/);
    } finally {
      expect(fake.violations).toEqual([]);
      await fake.close();
      project.cleanup();
    }
  });
});

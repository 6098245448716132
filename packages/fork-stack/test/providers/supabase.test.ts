/** The supabase provider against the Supabase fake (every request checked against the Management API's OpenAPI spec). */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.FORK_STACK_RETRY_BASE_MS = '5';
  process.env.FORK_STACK_POLL_INTERVAL_MS = '5';
});

import { FakeServer, startFake, type FakeOptions } from '@fork-stack/provider-fakes';
import { ownershipContract } from '../helpers/ownership-contract.js';
import { registryPlant } from './registry-plant.js';
import { ForkStackError, UsageError } from '../../src/core/errors.js';
import { provider } from '../../src/providers/database/supabase.js';
import { schema, type SupabaseOptions } from '../../src/providers/database/supabase.schema.js';
import type { Provider, ProviderContext } from '../../src/providers/types.js';
import { testContext } from '../helpers/context.js';
import { closeClean, fakeContractSetup } from '../helpers/fake-setup.js';
import { providerContract } from '../helpers/provider-contract.js';
import { cloudProject, expectCleanFailure, type CloudProject } from './cloud-db.cli.js';

type Fake = Awaited<ReturnType<typeof startFake<'supabase'>>>;
const REF = 'fakeprojectmyappaaaa';
const CREATE = 'POST /v1/projects/{ref}/branches';
const tmpRoot = mkdtempSync(path.join(os.tmpdir(), 'supabase-provider-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

function contextFor(fake: Fake, options: Record<string, unknown> = {}, env: Record<string, string | undefined> = fake.env) {
  return testContext<SupabaseOptions>({ kind: 'database', project: 'myapp', root: tmpRoot, schema, options: { project_ref: REF, ...options }, env, roots: ['prod'] });
}

const branch = (fake: Fake, name: string) => fake.state.branches.find((b) => b.name === name);

/** The Supabase fake with the branch config of `failing` reporting `status` (a branch that does not come up). */
async function fakeWithFailingBranch(failing: string, status: string, options: FakeOptions = {}): Promise<Fake> {
  const probe = await startFake('supabase', { ...options, scenario: 'empty' });
  const definition = probe.provider;
  await probe.close();
  type H = (ctx: { params: Record<string, string>; state: typeof probe.state }) => { body?: unknown } | Promise<{ body?: unknown }>;
  const handlers = definition.handlers as unknown as Record<string, H>;
  const config = handlers['GET /v1/branches/{branch_id_or_ref}']!;
  const wrapped: Record<string, H> = {
    ...handlers,
    async 'GET /v1/branches/{branch_id_or_ref}'(ctx) {
      const reply = await config(ctx);
      const target = ctx.state.branches.find((b) => b.project_ref === ctx.params.branch_id_or_ref || b.id === ctx.params.branch_id_or_ref);
      if (target?.name !== failing) return reply;
      const { db_user: _u, db_pass: _p, jwt_secret: _j, ...rest } = reply.body as Record<string, unknown>;
      return { ...reply, body: { ...rest, status } };
    },
  };
  const fake = new FakeServer({ ...definition, handlers: wrapped as unknown as typeof definition.handlers }, options) as unknown as Fake;
  await fake.listen();
  return fake;
}

providerContract('supabase', provider as Provider<unknown>, async () => {
  const fake = await startFake('supabase', { async: { polls: 2 } });
  return fakeContractSetup(fake, contextFor(fake), { parent: 'prod', resource: 'main', forbidden: true });
});

describe('supabase provider', () => {
  let fake: Fake;
  beforeEach(async () => {
    fake = await startFake('supabase', { async: { polls: 2 } });
  });
  afterEach(() => closeClean(fake, { forbidden: true }));

  it('creates a branch with data, waits for ACTIVE_HEALTHY and builds DATABASE_URL from the branch config', async () => {
    const ctx = contextFor(fake);
    const resource = await provider.fork(ctx, { env: 'alice', parent: 'prod' });
    const made = branch(fake, 'myapp-alice')!;
    expect(made).toMatchObject({ with_data: true, persistent: false, is_default: false, parent_project_ref: REF });
    expect(resource).toMatchObject({ env: 'alice', name: 'myapp-alice', id: made.project_ref, state: 'ready', owned: true });
    expect(fake.state.projects.get(made.project_ref)?.progress.done).toBe(true);
    const { DATABASE_URL: url } = await provider.variables(ctx, 'alice');
    const pass = fake.state.projects.get(made.project_ref)!.db_pass;
    expect(url).toBe(`postgresql://postgres:${pass}@db.${made.project_ref}.supabase.co:5432/postgres`);
    await provider.fork(contextFor(fake, { with_data: false, persistent: true }), { env: 'bob', parent: 'prod' });
    expect(branch(fake, 'myapp-bob')).toMatchObject({ with_data: false, persistent: true });
  });

  it('a branch that does not come up fails clearly, naming its status', async () => {
    await fake.close();
    fake = await fakeWithFailingBranch('myapp-alice', 'INIT_FAILED', { async: { polls: 1 } });
    fake.seed.project({ ref: REF });
    await expect(provider.fork(contextFor(fake), { env: 'alice', parent: 'prod' })).rejects.toThrow(/supabase: branch "myapp-alice" did not come up: its status is INIT_FAILED/);
  });

  it('Supabase branches only from the default branch: another parent is refused before anything is made', async () => {
    const ctx = contextFor(fake);
    await provider.fork(ctx, { env: 'alice', parent: 'prod' });
    await expect(provider.fork(ctx, { env: 'bob', parent: 'alice' })).rejects.toThrow(UsageError);
    await expect(provider.fork(ctx, { env: 'bob', parent: 'alice' })).rejects.toThrow(/creates every branch from the project's default branch/);
    await expect(provider.fork(ctx, { env: 'bob', parent: 'staging' })).rejects.toThrow(/parent branch "myapp-staging" of environment "staging" does not exist/);
    expect(branch(fake, 'myapp-bob')).toBeUndefined();
  });

  it('create is idempotent; a create whose answer was lost is adopted after the 409', async () => {
    const ctx = contextFor(fake);
    const first = await provider.fork(ctx, { env: 'alice', parent: 'prod' });
    expect((await provider.fork(ctx, { env: 'alice', parent: 'prod' })).id).toBe(first.id);
    fake.failNth({ operation: CREATE, fault: '500', afterApply: true });
    await provider.fork(ctx, { env: 'bob', parent: 'prod' });
    expect(fake.requests.filter((r) => r.operation === CREATE).map((r) => r.status)).toEqual([201, 500, 409]);
    expect(fake.state.branches.filter((b) => b.name === 'myapp-bob')).toHaveLength(1);
  });

  it('remove deletes the single branch by its ref, never the project-wide endpoint; gone already is success; roots refused', async () => {
    const ctx = contextFor(fake);
    await provider.fork(ctx, { env: 'alice', parent: 'prod' });
    await provider.fork(ctx, { env: 'bob', parent: 'prod' });
    const ref = branch(fake, 'myapp-alice')!.project_ref;
    await provider.remove(ctx, { env: 'alice' });
    expect(branch(fake, 'myapp-alice')).toBeUndefined();
    expect(branch(fake, 'myapp-bob')).toBeDefined();
    expect(fake.requests.filter((r) => r.method === 'DELETE').map((r) => `${r.operation} ${r.path}`)).toEqual([`DELETE /v1/branches/{branch_id_or_ref} /v1/branches/${ref}`]);
    await provider.remove(ctx, { env: 'alice' });
    await expect(provider.remove(ctx, { env: 'prod' })).rejects.toBeInstanceOf(UsageError);
    await expect(provider.remove(contextFor(fake, { names: { staging: 'main' } }), { env: 'staging' })).rejects.toThrow(/it is the project's default branch/);
    expect(branch(fake, 'main')).toBeDefined();
  });

  it('list: one request (Supabase does not paginate), ours and the adopted default branch only', async () => {
    const ctx = contextFor(fake);
    await provider.fork(ctx, { env: 'alice', parent: 'prod' });
    await provider.fork(ctx, { env: 'bob', parent: 'prod' });
    // A branch someone made by hand (or the GitHub integration), outside fork-stack's naming pattern.
    await provider.fork(contextFor(fake, { name: 'feature-{env}' }), { env: 'login', parent: 'prod' });
    const before = fake.requests.length;
    const listed = await provider.list(ctx);
    expect(fake.requests.slice(before).map((r) => r.operation)).toEqual(['GET /v1/projects/{ref}/branches']);
    expect(listed.map((r) => `${r.env}:${r.name}:${r.owned}`).sort()).toEqual(['alice:myapp-alice:true', 'bob:myapp-bob:true', 'prod:main:false']);
  });

  it('retries 429 and 5xx then succeeds; a persistent 5xx gives up with a clear error', async () => {
    fake.failNth({ operation: CREATE, fault: '429' });
    fake.failNth({ operation: 'GET /v1/branches/{branch_id_or_ref}', fault: '503' });
    const ctx = contextFor(fake);
    await provider.fork(ctx, { env: 'alice', parent: 'prod' });
    expect(fake.requests.filter((r) => r.fault).map((r) => r.fault)).toEqual(['429', '503']);
    expect(ctx.progressLog.map((p) => p.message)).toContain('supabase: rate limited (429), retrying in 1.0 s');
    fake.failNth({ operation: CREATE, fault: '500', times: 20 });
    const error = (await provider.fork(ctx, { env: 'bob', parent: 'prod' }).catch((e: unknown) => e)) as ForkStackError;
    expect(error.exitCode).toBe(1);
    expect(error.message).toMatch(/^supabase: create branch "myapp-bob" for "bob" failed: HTTP 500/);
    expect(branch(fake, 'myapp-bob')).toBeUndefined();
  });

  it('401, 403, 404 explained; a missing token is a usage error; provider down is a clear error', async () => {
    const revoked = { ...fake.env, SUPABASE_ACCESS_TOKEN: 'sbp_revoked' };
    const e401 = (await provider.fork(contextFor(fake, {}, revoked), { env: 'alice', parent: 'prod' }).catch((e: unknown) => e)) as ForkStackError;
    expect(e401.message).toMatch(/HTTP 401/);
    const e403 = (await provider.fork(contextFor(fake, {}, fake.addReadOnlyCredentials()), { env: 'alice', parent: 'prod' }).catch((e: unknown) => e)) as ForkStackError;
    expect(e403.message).toMatch(/create branch "myapp-alice".*HTTP 403/);
    expect(branch(fake, 'myapp-alice')).toBeUndefined();
    expect(await provider.check(contextFor(fake, { project_ref: 'abcdefghijklmnopqrst' }))).toContainEqual(expect.objectContaining({ name: 'project', status: 'fail', message: expect.stringContaining('404') }));
    expect(await provider.check(contextFor(fake))).toEqual([
      expect.objectContaining({ name: 'credentials', status: 'ok' }),
      expect.objectContaining({ name: 'project', status: 'ok', message: expect.stringContaining('"myapp"') }),
    ]);
    expect(await provider.check(contextFor(fake, {}, revoked))).toContainEqual(expect.objectContaining({ status: 'fail', message: expect.stringContaining('401') }));
    await expect(provider.find(contextFor(fake, {}, { FORK_STACK_SUPABASE_API_URL: fake.url }), 'prod')).rejects.toThrow(/SUPABASE_ACCESS_TOKEN is not set/);
    expect(provider.checkName(contextFor(fake, { name: '{project}-preview-environment-for-{env}' }), 'a-long-feature-branch-name-for-supabase')).toMatch(/the limit is 63/);
    const url = fake.url;
    await fake.close();
    await expect(provider.find(contextFor(fake, {}, { ...fake.env, FORK_STACK_SUPABASE_API_URL: url }), 'alice')).rejects.toThrow(/connection refused/);
    fake = await startFake('supabase');
  });
});

describe('supabase: the built CLI end to end', () => {
  let fake: Fake;
  let project: CloudProject;
  beforeEach(async () => {
    fake = await startFake('supabase', { async: { polls: 2 } });
    project = cloudProject(`provider = "supabase"\nproject_ref = "${REF}"`, { ...fake.env, FORK_STACK_RETRY_BASE_MS: '5', FORK_STACK_POLL_INTERVAL_MS: '5' }, 'myapp');
  });
  afterEach(async () => {
    expect(fake.violations).toEqual([]);
    expect(fake.forbiddenCalls).toEqual([]);
    await fake.close();
    project.cleanup();
  });

  it('create → switch → env → delete', async () => {
    const created = await project.run(['create', 'alice']);
    expect(created.code, created.stderr).toBe(0);
    const ref = branch(fake, 'myapp-alice')!.project_ref;
    const switched = await project.run(['switch', 'alice']);
    expect(switched.code, switched.stderr).toBe(0);
    expect(project.read('.fork-stack/envs/alice.env')).toMatch(new RegExp(`^DATABASE_URL='?postgresql://postgres:fake-db-pass-[a-z0-9]+@db\\.${ref}\\.supabase\\.co:5432/postgres`, 'm'));
    const env = await project.run(['env']);
    expect(env.stdout).toMatch(/DATABASE_URL='?postgresql:\/\/postgres:\*\*\*\*@/);
    const deleted = await project.run(['delete', 'alice', '--yes']);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(fake.state.branches.map((b) => b.name)).toEqual(['main']);
  });

  it('bad input: unknown parent, missing token, token without permission; nothing left behind', async () => {
    expectCleanFailure(await project.run(['create', 'bob', '--from', 'staging']), 1, /parent environment "staging" does not exist/, /database \(supabase\)/);
    expectCleanFailure(await project.run(['create', 'bob'], { SUPABASE_ACCESS_TOKEN: undefined }), 2, /SUPABASE_ACCESS_TOKEN is not set/);
    expectCleanFailure(await project.run(['create', 'bob'], fake.addReadOnlyCredentials()), 1, /could not create "bob"/, /HTTP 403/);
    expect(fake.state.branches.map((b) => b.name)).toEqual(['main']);
  });
});

/** A preview branch made in the dashboard (through the Management API, as the dashboard does), not by fork-stack. */
async function dashboardBranch(fake: Fake, name: string, withData = false): Promise<{ id: string }> {
  const res = await fetch(`${fake.url}/v1/projects/${REF}/branches`, {
    method: 'POST',
    headers: { authorization: `Bearer ${fake.env.SUPABASE_ACCESS_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ branch_name: name, with_data: withData }),
  });
  expect(res.status).toBeLessThan(300);
  return (await res.json()) as { id: string };
}

{
  let fake: Fake | undefined;
  afterAll(async () => {
    expect(fake?.violations ?? []).toEqual([]);
    await fake?.close();
  });
  let registry: ReturnType<typeof registryPlant>;
  const nameOf = (env: string) => `myapp-${env}`;
  ownershipContract('supabase', provider as Provider<unknown>, async () => {
    fake = await startFake('supabase', { async: { polls: 1 } });
    const root = mkdtempSync(path.join(tmpRoot, 'own-'));
    const ctx = testContext<SupabaseOptions>({ kind: 'database', project: 'myapp', root, schema, options: { project_ref: REF }, env: fake.env, roots: ['prod'] });
    registry = registryPlant(root);
    return {
      ctx: ctx as ProviderContext<unknown>,
      parent: 'prod',
      foreign: {
        plant: {
          empty: async (env) => void (await dashboardBranch(fake!, nameOf(env))),
          'non-empty': async (env) => void (await dashboardBranch(fake!, nameOf(env), true)),
          'other-project': async (env) => {
            const made = await dashboardBranch(fake!, nameOf(env));
            registry.record(made.id, nameOf(env), 'myapp-contract', 'foreign', 'supabase');
          },
          'other-env': async (env) => {
            const made = await dashboardBranch(fake!, nameOf(env));
            registry.record(made.id, nameOf(env), 'myapp', 'someone-else', 'supabase');
          },
        },
        fingerprint: async (env) => JSON.stringify({ branch: branch(fake!, nameOf(env)) ?? null, records: registry.records() }),
        clear: async (env) => {
          fake!.state.branches = fake!.state.branches.filter((b) => b.name !== nameOf(env));
          registry.clear();
        },
      },
    };
  });
}

describe('supabase: a preview branch made in the dashboard under an environment\'s name', () => {
  it('create --reuse and delete refuse a preview branch made in the dashboard, and leave it', async () => {
    const fake = await startFake('supabase', { async: { polls: 1 } });
    const project = cloudProject(`provider = "supabase"\nproject_ref = "${REF}"`, { ...fake.env, FORK_STACK_RETRY_BASE_MS: '5', FORK_STACK_POLL_INTERVAL_MS: '5' }, 'myapp');
    try {
      await dashboardBranch(fake, 'myapp-alice');
      const before = JSON.stringify(branch(fake, 'myapp-alice'));
      expectCleanFailure(await project.run(['create', 'alice', '--reuse']), 1, /refusing to reuse "alice"/, /myapp-alice was not made by fork-stack/);
      expectCleanFailure(await project.run(['delete', 'alice', '--yes']), 1, /refusing to delete "alice"/);
      expect(JSON.stringify(branch(fake, 'myapp-alice'))).toBe(before);
      expect(project.read('.fork-stack/envs/alice.env')).toBeUndefined();
    } finally {
      expect(fake.violations).toEqual([]);
      await fake.close();
      project.cleanup();
    }
  });
});

/** The planetscale provider against the PlanetScale fake (every request checked against PlanetScale's OpenAPI spec). */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.FORK_STACK_RETRY_BASE_MS = '5';
  process.env.FORK_STACK_POLL_INTERVAL_MS = '5';
});

import { startFake } from '@fork-stack/provider-fakes';
import { ForkStackError, UsageError } from '../../src/core/errors.js';
import { provider } from '../../src/providers/database/planetscale.js';
import { cacheFile, credentialName } from '../../src/providers/database/planetscale/credentials.js';
import { schema, type PlanetScaleOptions } from '../../src/providers/database/planetscale.schema.js';
import type { Provider, ProviderContext } from '../../src/providers/types.js';
import { testContext } from '../helpers/context.js';
import { closeClean, fakeContractSetup } from '../helpers/fake-setup.js';
import { providerContract } from '../helpers/provider-contract.js';
import { cloudProject, expectCleanFailure, type CloudProject } from './cloud-db.cli.js';
import { ownershipContract } from '../helpers/ownership-contract.js';
import { registryPlant } from './registry-plant.js';

type Fake = Awaited<ReturnType<typeof startFake<'planetscale'>>>;
const CREATE = 'POST /organizations/{organization}/databases/{database}/branches';
const LIST = 'GET /organizations/{organization}/databases/{database}/branches';

function contextFor(fake: Fake, options: Record<string, unknown> = {}, env: Record<string, string | undefined> = fake.env) {
  // A project directory per context: the credential cache lives under it.
  const root = mkdtempSync(path.join(os.tmpdir(), 'planetscale-provider-'));
  roots.push(root);
  return testContext<PlanetScaleOptions>({
    kind: 'database',
    project: 'myapp',
    root,
    schema,
    options: { organization: 'fake-org', database: 'myapp', ...options },
    env,
    roots: ['prod'],
  });
}
const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

const branch = (fake: Fake, name: string, database = 'myapp') => fake.state.branches.find((b) => b.database === database && b.name === name);
const passwordsOf = (fake: Fake, name: string) => fake.state.passwords.filter((p) => p.database === 'myapp' && p.branch === name);

providerContract('planetscale', provider as Provider<unknown>, async () => {
  const fake = await startFake('planetscale', { async: { polls: 2 } });
  return fakeContractSetup(fake, contextFor(fake), { parent: 'prod', resource: 'main' });
});

describe('planetscale provider', () => {
  let fake: Fake;
  beforeEach(async () => {
    fake = await startFake('planetscale', { async: { polls: 2 } });
  });
  afterEach(() => closeClean(fake));

  it('MySQL: branches from the parent, waits until ready, mints a readwriter password and caches it (0600)', async () => {
    const ctx = contextFor(fake);
    const resource = await provider.fork(ctx, { env: 'alice', parent: 'prod' });
    expect(resource).toMatchObject({ env: 'alice', name: 'myapp-alice', state: 'ready', owned: true, parent: 'prod' });
    expect(branch(fake, 'myapp-alice')).toMatchObject({ parent_branch: 'main', production: false });
    expect(branch(fake, 'myapp-alice')?.progress.done).toBe(true);
    expect(passwordsOf(fake, 'myapp-alice')).toEqual([expect.objectContaining({ role: 'readwriter', name: credentialName(ctx) })]);
    const file = cacheFile(ctx, 'alice');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const { DATABASE_URL: url } = await provider.variables(ctx, 'alice');
    const password = passwordsOf(fake, 'myapp-alice')[0]!;
    expect(url).toBe(`mysql://${password.username}:${password.plain_text}@aws-us-east-2.connect.psdb.cloud/myapp?sslaccept=strict`);
    expect(readFileSync(file, 'utf8')).toContain(password.id);
    // switch/env again: the cached password is still valid on PlanetScale, so none is made.
    await provider.variables(ctx, 'alice');
    expect(passwordsOf(fake, 'myapp-alice')).toHaveLength(1);
  });

  it('no orphaned passwords: a lost cache replaces this checkout\'s password; a revoked one is replaced', async () => {
    const ctx = contextFor(fake);
    await provider.fork(ctx, { env: 'alice', parent: 'prod' });
    const first = passwordsOf(fake, 'myapp-alice')[0]!;
    rmSync(cacheFile(ctx, 'alice'));
    const url = (await provider.variables(ctx, 'alice')).DATABASE_URL;
    expect(passwordsOf(fake, 'myapp-alice').map((p) => p.id)).not.toContain(first.id);
    expect(passwordsOf(fake, 'myapp-alice')).toHaveLength(1);
    // Someone deleted the password on PlanetScale: the cache is stale and a new one is minted.
    fake.state.passwords = fake.state.passwords.filter((p) => p.branch !== 'myapp-alice');
    const renewed = (await provider.variables(ctx, 'alice')).DATABASE_URL;
    expect(renewed).not.toBe(url);
    expect(passwordsOf(fake, 'myapp-alice')).toHaveLength(1);
    // A teammate's checkout has its own password; ours never touches it.
    const teammate = contextFor(fake);
    await provider.variables(teammate, 'alice');
    expect(passwordsOf(fake, 'myapp-alice')).toHaveLength(2);
  });

  it('PostgreSQL: a role instead of a password; --at becomes restore_point', async () => {
    const ctx = contextFor(fake, { database: 'myapp-pg' });
    const at = new Date(Date.now() - 3600_000);
    await provider.fork(ctx, { env: 'alice', parent: 'prod', at });
    expect(branch(fake, 'myapp-alice', 'myapp-pg')?.restore_point).toBe(at.toISOString().replace(/\.\d{3}Z$/, 'Z'));
    const [role] = fake.state.roles.filter((r) => r.branch === 'myapp-alice');
    expect(role).toMatchObject({ name: credentialName(ctx), inherited_roles: ['postgres'] });
    expect((await provider.variables(ctx, 'alice')).DATABASE_URL).toBe(
      `postgresql://${encodeURIComponent(role!.username)}:${role!.password}@aws-us-east-2.pg.psdb.cloud/postgres?sslmode=verify-full`,
    );
    // MySQL has no restore point: refused before anything is created.
    await expect(provider.fork(contextFor(fake), { env: 'bob', parent: 'prod', at })).rejects.toThrow(/--at needs a PostgreSQL database/);
    expect(branch(fake, 'myapp-bob')).toBeUndefined();
  });

  it('seed_data asks for the last successful backup', async () => {
    await provider.fork(contextFor(fake, { seed_data: true }), { env: 'alice', parent: 'prod' });
    expect(branch(fake, 'myapp-alice')?.seed_data).toBe('last_successful_backup');
  });

  it('create is idempotent; a create whose answer was lost is adopted after PlanetScale\'s 422 "name taken"', async () => {
    const ctx = contextFor(fake);
    const first = await provider.fork(ctx, { env: 'alice', parent: 'prod' });
    expect((await provider.fork(ctx, { env: 'alice', parent: 'prod' })).id).toBe(first.id);
    fake.failNth({ operation: CREATE, fault: '503', afterApply: true });
    await provider.fork(ctx, { env: 'bob', parent: 'prod' });
    expect(fake.requests.filter((r) => r.operation === CREATE).map((r) => r.status)).toEqual([201, 503, 422]);
    expect(fake.state.branches.filter((b) => b.name === 'myapp-bob')).toHaveLength(1);
    await expect(provider.fork(ctx, { env: 'bob', parent: 'alice' })).rejects.toThrow(/made from "main", not "myapp-alice"/);
  });

  it('list walks page/per_page to the end: ours and the adopted root, not production or foreign names', async () => {
    for (let i = 0; i < 230; i++) fake.seed.branch('myapp', `feature-${i}`);
    const ctx = contextFor(fake);
    await provider.fork(ctx, { env: 'alice', parent: 'prod' });
    await provider.fork(ctx, { env: 'bob', parent: 'alice' });
    const before = fake.requests.length;
    const listed = await provider.list(ctx);
    const walk = fake.requests.slice(before);
    expect(walk.map((r) => `${r.operation} ${r.query}`)).toEqual([1, 2, 3].map((p) => `${LIST} ?page=${p}&per_page=100`));
    expect(listed.map((r) => `${r.env}:${r.name}:${r.owned}:${r.parent ?? ''}`).sort()).toEqual([
      'alice:myapp-alice:true:prod',
      'bob:myapp-bob:true:alice',
      'prod:main:false:',
    ]);
  });

  it('remove: deletes the branch and its cached credential; gone already is success; roots and production refused', async () => {
    const ctx = contextFor(fake);
    await provider.fork(ctx, { env: 'alice', parent: 'prod' });
    await provider.remove(ctx, { env: 'alice' });
    expect(branch(fake, 'myapp-alice')).toBeUndefined();
    expect(passwordsOf(fake, 'myapp-alice')).toEqual([]);
    expect(existsSync(cacheFile(ctx, 'alice'))).toBe(false);
    await provider.remove(ctx, { env: 'alice' });
    await expect(provider.remove(ctx, { env: 'prod' })).rejects.toBeInstanceOf(UsageError);
    // A production branch mapped to a non-root environment is still never deleted.
    const mapped = contextFor(fake, { names: { staging: 'main' } });
    await expect(provider.remove(mapped, { env: 'staging' })).rejects.toThrow(/refusing to delete branch "main" of "staging": it is a production branch/);
    expect(branch(fake, 'main')).toBeDefined();
  });

  it('unknown parent, unknown database and a name too long are clear errors; nothing is created', async () => {
    await expect(provider.fork(contextFor(fake), { env: 'alice', parent: 'staging' })).rejects.toThrow(/parent branch "myapp-staging" of environment "staging" does not exist in database myapp/);
    await expect(provider.fork(contextFor(fake, { database: 'nope' }), { env: 'alice', parent: 'prod' })).rejects.toThrow(/database "nope" not found in organization fake-org/);
    expect(provider.checkName(contextFor(fake, { name: '{project}-preview-environment-for-{env}' }), 'a-long-feature-branch-name-for-planetscale')).toMatch(/the limit is 63/);
    expect(fake.state.branches).toHaveLength(2);
  });

  it('retries 429 and 5xx then succeeds; 401 and 403 are explained; a missing token is a usage error', async () => {
    fake.failNth({ operation: CREATE, fault: '429' });
    fake.failNth({ operation: 'POST /organizations/{organization}/databases/{database}/branches/{branch}/passwords', fault: '500' });
    const ctx = contextFor(fake);
    await provider.fork(ctx, { env: 'alice', parent: 'prod' });
    expect(fake.requests.filter((r) => r.fault).map((r) => r.fault)).toEqual(['429', '500']);
    expect(ctx.progressLog.map((p) => p.message)).toContain('planetscale: rate limited (429), retrying in 1.0 s');
    expect(passwordsOf(fake, 'myapp-alice')).toHaveLength(1);

    const revoked = { ...fake.env, PLANETSCALE_SERVICE_TOKEN: 'wrong' };
    const e401 = (await provider.fork(contextFor(fake, {}, revoked), { env: 'bob', parent: 'prod' }).catch((e: unknown) => e)) as ForkStackError;
    expect(e401.message).toMatch(/HTTP 401/);
    const e403 = (await provider.fork(contextFor(fake, {}, fake.addReadOnlyCredentials()), { env: 'bob', parent: 'prod' }).catch((e: unknown) => e)) as ForkStackError;
    expect(e403.message).toMatch(/create branch "myapp-bob".*HTTP 403/);
    expect(e403.hint).toMatch(/permission/);
    expect(branch(fake, 'myapp-bob')).toBeUndefined();
    const noToken = contextFor(fake, {}, { FORK_STACK_PLANETSCALE_API_URL: fake.url, PLANETSCALE_SERVICE_TOKEN_ID: 'x' });
    await expect(provider.find(noToken, 'prod')).rejects.toThrow(/PLANETSCALE_SERVICE_TOKEN is not set/);

    expect(await provider.check(contextFor(fake))).toEqual([
      expect.objectContaining({ name: 'credentials', status: 'ok' }),
      expect.objectContaining({ name: 'database', status: 'ok', message: expect.stringContaining('(mysql)') }),
    ]);
    expect(await provider.check(contextFor(fake, {}, revoked))).toContainEqual(expect.objectContaining({ status: 'fail', message: expect.stringContaining('401') }));
    expect(await provider.check(noToken)).toEqual([expect.objectContaining({ name: 'credentials', status: 'fail', message: 'PLANETSCALE_SERVICE_TOKEN is not set' })]);
  });

  it('a persistent 5xx gives up with a clear error; provider down is a clear error', async () => {
    fake.failNth({ operation: CREATE, fault: '500', times: 20 });
    const error = (await provider.fork(contextFor(fake), { env: 'alice', parent: 'prod' }).catch((e: unknown) => e)) as ForkStackError;
    expect(error.exitCode).toBe(1);
    expect(error.message).toMatch(/^planetscale: create branch "myapp-alice" for "alice" from "main" failed: HTTP 500/);
    const url = fake.url;
    await fake.close();
    await expect(provider.find(contextFor(fake, {}, { ...fake.env, FORK_STACK_PLANETSCALE_API_URL: url }), 'alice')).rejects.toThrow(/connection refused/);
    fake = await startFake('planetscale');
  });
});

describe('planetscale: the built CLI end to end', () => {
  let fake: Fake;
  let project: CloudProject;
  beforeEach(async () => {
    fake = await startFake('planetscale', { async: { polls: 2 } });
    project = cloudProject('provider = "planetscale"\norganization = "fake-org"\ndatabase = "myapp"', { ...fake.env, FORK_STACK_RETRY_BASE_MS: '5', FORK_STACK_POLL_INTERVAL_MS: '5' }, 'myapp');
  });
  afterEach(async () => {
    expect(fake.violations).toEqual([]);
    await fake.close();
    project.cleanup();
  });

  it('create → switch → env → delete, with one password and no orphan', async () => {
    const created = await project.run(['create', 'alice']);
    expect(created.code, created.stderr).toBe(0);
    const switched = await project.run(['switch', 'alice']);
    expect(switched.code, switched.stderr).toBe(0);
    expect(project.read('.fork-stack/envs/alice.env')).toMatch(/^DATABASE_URL='?mysql:\/\/fakeuser[a-z0-9]+:pscale_pw_[^@]+@aws-us-east-2\.connect\.psdb\.cloud\/myapp/m);
    expect(passwordsOf(fake, 'myapp-alice')).toHaveLength(1);
    const env = await project.run(['env']);
    expect(env.stdout).toMatch(/DATABASE_URL=.*:\*\*\*\*@/);
    const deleted = await project.run(['delete', 'alice', '--yes']);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(branch(fake, 'myapp-alice')).toBeUndefined();
    // The branch's password went with it. The engine may also have read prod's variables (the prod-safety
    // check): that password is this checkout's one for main, cached and reused, never a second one.
    expect(fake.state.passwords.filter((p) => p.branch !== 'main')).toEqual([]);
    expect(fake.state.passwords.filter((p) => p.branch === 'main').length).toBeLessThanOrEqual(1);
  });

  it('bad input: unknown parent, missing token, token without permission; nothing left behind', async () => {
    expectCleanFailure(await project.run(['create', 'bob', '--from', 'staging']), 1, /parent environment "staging" does not exist/, /database \(planetscale\)/);
    expectCleanFailure(await project.run(['create', 'bob'], { PLANETSCALE_SERVICE_TOKEN: undefined }), 2, /PLANETSCALE_SERVICE_TOKEN is not set/);
    expectCleanFailure(await project.run(['create', 'bob'], fake.addReadOnlyCredentials()), 1, /could not create "bob"/, /HTTP 403/);
    expect(fake.state.branches.map((b) => b.name).sort()).toEqual(['main', 'main']);
  });
});

{
  let fake: Fake | undefined;
  afterAll(async () => {
    expect(fake?.violations ?? []).toEqual([]);
    await fake?.close();
  });
  let registry: ReturnType<typeof registryPlant>;
  const nameOf = (env: string) => `myapp-${env}`;
  /** `pscale branch create myapp myapp-<env>`, by hand: a development branch fork-stack did not make. */
  const hand = (env: string) => fake!.seed.branch('myapp', nameOf(env));
  ownershipContract('planetscale', provider as Provider<unknown>, async () => {
    fake = await startFake('planetscale', { async: { polls: 1 } });
    const ctx = contextFor(fake);
    registry = registryPlant(ctx.root);
    return {
      ctx: ctx as ProviderContext<unknown>,
      parent: 'prod',
      foreign: {
        plant: {
          empty: async (env) => void hand(env),
          'non-empty': async (env) => {
            const made = hand(env);
            made.seed_data = 'last_successful_backup';
          },
          'other-project': async (env) => {
            const made = hand(env);
            registry.record(made.id, made.name, 'myapp-contract', 'foreign', 'planetscale');
          },
          'other-env': async (env) => {
            const made = hand(env);
            registry.record(made.id, made.name, 'myapp', 'someone-else', 'planetscale');
          },
        },
        fingerprint: async (env) => {
          const { progress: _p, ...b } = branch(fake!, nameOf(env)) ?? ({ progress: undefined } as never);
          return JSON.stringify({ branch: b, passwords: passwordsOf(fake!, nameOf(env)), records: registry.records() });
        },
        clear: async (env) => {
          fake!.state.branches = fake!.state.branches.filter((b) => !(b.database === 'myapp' && b.name === nameOf(env)));
          registry.clear();
        },
      },
    };
  });
}

describe('planetscale: a development branch made by hand under an environment\'s name', () => {
  it('create --reuse and delete refuse a branch made by hand (pscale branch create), and leave it', async () => {
    const fake = await startFake('planetscale', { async: { polls: 1 } });
    const project = cloudProject('provider = "planetscale"\norganization = "fake-org"\ndatabase = "myapp"', { ...fake.env, FORK_STACK_RETRY_BASE_MS: '5', FORK_STACK_POLL_INTERVAL_MS: '5' }, 'myapp');
    try {
      fake.seed.branch('myapp', 'myapp-alice');
      expectCleanFailure(await project.run(['create', 'alice', '--reuse']), 1, /refusing to reuse "alice"/, /myapp-alice was not made by fork-stack/);
      expectCleanFailure(await project.run(['delete', 'alice', '--yes']), 1, /refusing to delete "alice"/);
      expect(branch(fake, 'myapp-alice')).toBeDefined();
      expect(project.read('.fork-stack/envs/alice.env')).toBeUndefined();
    } finally {
      expect(fake.violations).toEqual([]);
      await fake.close();
      project.cleanup();
    }
  });
});

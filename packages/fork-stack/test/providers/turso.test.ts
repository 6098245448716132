/** The turso provider against the Turso fake (every request checked against Turso's OpenAPI spec). */
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
import { provider } from '../../src/providers/database/turso.js';
import { schema, type TursoOptions } from '../../src/providers/database/turso.schema.js';
import type { Provider, ProviderContext } from '../../src/providers/types.js';
import { testContext } from '../helpers/context.js';
import { closeClean, fakeContractSetup } from '../helpers/fake-setup.js';
import { providerContract } from '../helpers/provider-contract.js';
import { cloudProject, expectCleanFailure, type CloudProject } from './cloud-db.cli.js';
import { ownershipContract } from '../helpers/ownership-contract.js';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';

type Fake = Awaited<ReturnType<typeof startFake<'turso'>>>;
const tmpRoot = mkdtempSync(path.join(os.tmpdir(), 'turso-provider-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

function contextFor(fake: Fake, options: Record<string, unknown> = {}, env: Record<string, string | undefined> = fake.env) {
  return testContext<TursoOptions>({
    kind: 'database',
    project: 'myapp',
    root: tmpRoot,
    schema,
    options: { organization: 'fake-org', ...options },
    env,
    roots: ['prod'],
  });
}

const CREATE = 'POST /v1/organizations/{organizationSlug}/databases';
const db = (fake: Fake, name: string) => fake.state.databases.get(name);

providerContract('turso', provider as Provider<unknown>, async () => {
  const fake = await startFake('turso');
  return fakeContractSetup(fake, contextFor(fake), { parent: 'prod', resource: 'myapp' });
});

describe('turso provider', () => {
  let fake: Fake;
  beforeEach(async () => {
    fake = await startFake('turso');
  });
  afterEach(() => closeClean(fake));

  it('lists an adopted root named by the default pattern (a dev database fork-stack did not make)', async () => {
    fake.seed.database('myapp-dev');
    const ctx = { ...contextFor(fake), roots: ['prod', 'dev'] };
    const listed = await provider.list(ctx);
    expect(listed.find((r) => r.env === 'dev')).toMatchObject({ name: 'myapp-dev', owned: false });
    // A database of the same pattern that is neither ours nor a root is not listed.
    fake.seed.database('myapp-stranger');
    expect((await provider.list(ctx)).map((r) => r.env)).not.toContain('stranger');
  });

  it('seeds the new database from the parent in the same group; URL libsql://<Hostname>, a minted full-access token', async () => {
    const ctx = contextFor(fake);
    const resource = await provider.fork(ctx, { env: 'alice', parent: 'prod' });
    expect(resource).toMatchObject({ env: 'alice', name: 'myapp-alice', state: 'ready', owned: true, parent: 'prod' });
    expect(db(fake, 'myapp-alice')).toMatchObject({ group: 'default', seed: { name: 'myapp' }, parent: { name: 'myapp' } });
    const vars = await provider.variables(ctx, 'alice');
    expect(vars.DATABASE_URL).toMatch(/^libsql:\/\/myapp-alice-fake-org\.[a-z0-9.-]+$/);
    expect(vars.DATABASE_AUTH_TOKEN).toBe(fake.state.tokens.at(-1)?.jwt);
    expect(fake.state.tokens.at(-1)).toMatchObject({ scope: 'database', name: 'myapp-alice', authorization: 'full-access', expiration: '7d' });
    await provider.variables(contextFor(fake, { token_expiration: 'never', token_authorization: 'read-only' }), 'alice');
    expect(fake.state.tokens.at(-1)).toMatchObject({ authorization: 'read-only', expiration: 'never' });
  });

  it('--at becomes seed.timestamp (RFC 3339, whole seconds)', async () => {
    const at = new Date(Date.now() - 3600_000);
    await provider.fork(contextFor(fake), { env: 'alice', parent: 'prod', at });
    expect(db(fake, 'myapp-alice')?.seed).toEqual({ name: 'myapp', timestamp: at.toISOString().replace(/\.\d{3}Z$/, 'Z') });
    await expect(provider.fork(contextFor(fake), { env: 'bob', parent: 'prod', at: new Date(Date.now() + 60_000) })).rejects.toBeInstanceOf(UsageError);
    // Outside the plan's window: Turso's own 400, passed on.
    await expect(provider.fork(contextFor(fake), { env: 'bob', parent: 'prod', at: new Date(Date.now() - 3 * 86400_000) })).rejects.toThrow(
      /turso: create database "myapp-bob" .*HTTP 400 — seed.timestamp is outside the point-in-time restore window/,
    );
    expect(db(fake, 'myapp-bob')).toBeUndefined();
  });

  it('create is idempotent, also when the answer of a create that happened was lost (409 on retry)', async () => {
    const ctx = contextFor(fake);
    const first = await provider.fork(ctx, { env: 'alice', parent: 'prod' });
    expect((await provider.fork(ctx, { env: 'alice', parent: 'prod' })).id).toBe(first.id);
    fake.failNth({ operation: CREATE, fault: '500', afterApply: true });
    await provider.fork(ctx, { env: 'bob', parent: 'prod' });
    expect(fake.requests.filter((r) => r.operation === CREATE).map((r) => r.status)).toEqual([200, 500, 409]);
    expect([...fake.state.databases.keys()].sort()).toEqual(['myapp', 'myapp-alice', 'myapp-bob']);
  });

  it('refuses to adopt a database of the same name that is not a branch, or one seeded from another parent', async () => {
    fake.seed.database('myapp-carol');
    const ctx = contextFor(fake);
    await expect(provider.fork(ctx, { env: 'carol', parent: 'prod' })).rejects.toThrow(/"myapp-carol" already exists .* was not made by fork-stack for project "myapp", environment "carol"/);
    await expect(provider.remove(ctx, { env: 'carol' })).rejects.toThrow(/refusing to delete database "myapp-carol"/);
    await provider.fork(ctx, { env: 'dave', parent: 'prod' });
    await expect(provider.fork(ctx, { env: 'erin', parent: 'dave' })).resolves.toMatchObject({ parent: 'dave' });
    await expect(provider.fork(ctx, { env: 'erin', parent: 'prod' })).rejects.toThrow(/seeded from "myapp-dave", not "myapp"/);
    expect(db(fake, 'myapp-carol')).toBeDefined();
  });

  it('the parent must be in the configured group', async () => {
    fake.seed.group('eu');
    fake.seed.database('myapp', { group: 'eu' });
    await expect(provider.fork(contextFor(fake), { env: 'alice', parent: 'prod' })).rejects.toThrow(/parent database "myapp" is in group "eu", but \[database\] group is "default"/);
  });

  it('retries 429 (Retry-After) and 5xx, then succeeds; a persistent 5xx is a clear error and creates nothing', async () => {
    fake.failNth({ operation: CREATE, fault: '429' });
    fake.failNth({ operation: 'GET /v1/organizations/{organizationSlug}/databases/{databaseName}', fault: '503' });
    const ctx = contextFor(fake);
    await provider.fork(ctx, { env: 'alice', parent: 'prod' });
    expect(fake.requests.filter((r) => r.fault).map((r) => r.fault)).toEqual(['503', '429']);
    expect(ctx.progressLog.map((p) => p.message)).toContain('turso: rate limited (429), retrying in 1.0 s');

    fake.failNth({ operation: CREATE, fault: '500', times: 20 });
    const error = (await provider.fork(ctx, { env: 'bob', parent: 'prod' }).catch((e: unknown) => e)) as ForkStackError;
    expect(error.exitCode).toBe(1);
    expect(error.message).toMatch(/^turso: create database "myapp-bob" for "bob" from "myapp" failed: HTTP 500/);
    expect(db(fake, 'myapp-bob')).toBeUndefined();
  });

  it('401, 403 and 404 are explained; a missing token is a usage error before any call', async () => {
    const revoked = { ...fake.env, TURSO_API_TOKEN: 'revoked' };
    const e401 = (await provider.fork(contextFor(fake, {}, revoked), { env: 'alice', parent: 'prod' }).catch((e: unknown) => e)) as ForkStackError;
    expect(e401.message).toMatch(/HTTP 401/);
    expect(e401.hint).toMatch(/credentials/);
    const e403 = (await provider.fork(contextFor(fake, {}, fake.addReadOnlyCredentials()), { env: 'alice', parent: 'prod' }).catch((e: unknown) => e)) as ForkStackError;
    expect(e403.message).toMatch(/create database "myapp-alice".*HTTP 403/);
    expect(e403.hint).toMatch(/permission/);
    expect(db(fake, 'myapp-alice')).toBeUndefined();
    // Turso answers 404 for an unknown organization as for an unknown database: the parent is not there.
    await expect(provider.fork(contextFor(fake, { organization: 'nobody' }), { env: 'alice', parent: 'prod' })).rejects.toThrow(
      /parent database "myapp" of environment "prod" does not exist in organization nobody/,
    );
    expect(await provider.check(contextFor(fake, { organization: 'nobody' }))).toContainEqual(expect.objectContaining({ name: 'group', status: 'fail', message: expect.stringContaining('404') }));
    const noToken = contextFor(fake, {}, { FORK_STACK_TURSO_API_URL: fake.url });
    await expect(provider.find(noToken, 'prod')).rejects.toThrow(UsageError);
    await expect(provider.find(noToken, 'prod')).rejects.toThrow(/TURSO_API_TOKEN is not set/);

    expect(await provider.check(contextFor(fake))).toEqual([
      expect.objectContaining({ name: 'credentials', status: 'ok' }),
      expect.objectContaining({ name: 'group', status: 'ok' }),
    ]);
    expect(await provider.check(contextFor(fake, {}, revoked))).toContainEqual(expect.objectContaining({ status: 'fail', message: expect.stringContaining('401') }));
    expect(await provider.check(contextFor(fake, { group: 'nope' }))).toContainEqual(expect.objectContaining({ name: 'group', status: 'fail' }));
  });

  it('unknown parent, and a name too long for Turso, are clear errors; nothing is created', async () => {
    await expect(provider.fork(contextFor(fake), { env: 'alice', parent: 'staging' })).rejects.toThrow(/parent database "myapp-staging" of environment "staging" does not exist/);
    const long = contextFor(fake, { name: '{project}-preview-environment-{env}' });
    expect(provider.checkName(long, 'a-rather-long-feature-branch-name-for-turso')).toMatch(/Turso database name ".*" is \d+ characters long; the limit is 64/);
    expect(provider.checkName(contextFor(fake, { names: { prod: 'My_App' } }), 'prod')).toMatch(/lower-case letters, digits and "-"/);
    expect(fake.state.databases.size).toBe(1);
  });

  it('list: one request (Turso does not paginate), the group only, ours and the adopted root', async () => {
    const ctx = contextFor(fake);
    for (let i = 0; i < 300; i++) fake.seed.database(`other-${i}`);
    fake.seed.group('eu');
    fake.seed.database('myapp-elsewhere', { group: 'eu' });
    fake.seed.database('myapp-handmade');
    await provider.fork(ctx, { env: 'alice', parent: 'prod' });
    await provider.fork(ctx, { env: 'bob', parent: 'alice' });
    const before = fake.requests.length;
    const listed = await provider.list(ctx);
    expect(fake.requests.slice(before).map((r) => `${r.operation} ${r.query}`)).toEqual(['GET /v1/organizations/{organizationSlug}/databases ?group=default']);
    expect(listed.map((r) => `${r.env}:${r.name}:${r.owned}:${r.parent ?? ''}`).sort()).toEqual([
      'alice:myapp-alice:true:prod',
      'bob:myapp-bob:true:alice',
      'prod:myapp:false:',
    ]);
  });

  it('remove: gone already is success; roots are refused; the base URL override is honoured', async () => {
    const ctx = contextFor(fake, {}, { ...fake.env, FORK_STACK_TURSO_API_URL: `${fake.url}/` });
    await provider.fork(ctx, { env: 'alice', parent: 'prod' });
    await provider.remove(ctx, { env: 'alice' });
    expect(db(fake, 'myapp-alice')).toBeUndefined();
    await provider.remove(ctx, { env: 'alice' });
    await expect(provider.remove(ctx, { env: 'prod' })).rejects.toThrow(/refusing to delete database "myapp": "prod" is a root/);
    expect(db(fake, 'myapp')).toBeDefined();
  });

  it('provider down: connection refused, a clear error', async () => {
    const url = fake.url;
    await fake.close();
    await expect(provider.find(contextFor(fake, {}, { ...fake.env, FORK_STACK_TURSO_API_URL: url }), 'alice')).rejects.toThrow(/turso: look up database of "alice" failed: connection refused/);
    fake = await startFake('turso');
  });
});

describe('turso: the built CLI end to end', () => {
  let fake: Fake;
  let project: CloudProject;
  beforeEach(async () => {
    fake = await startFake('turso');
    project = cloudProject('provider = "turso"\norganization = "fake-org"', { ...fake.env, FORK_STACK_RETRY_BASE_MS: '5' }, 'myapp');
  });
  afterEach(async () => {
    expect(fake.violations).toEqual([]);
    await fake.close();
    project.cleanup();
  });

  it('create → switch → env → delete', async () => {
    const created = await project.run(['create', 'alice']);
    expect(created.code, created.stderr).toBe(0);
    expect(db(fake, 'myapp-alice')?.parent?.name).toBe('myapp');
    const switched = await project.run(['switch', 'alice']);
    expect(switched.code, switched.stderr).toBe(0);
    const file = project.read('.fork-stack/envs/alice.env') ?? '';
    expect(file).toMatch(/^DATABASE_URL=libsql:\/\/myapp-alice-fake-org\./m);
    expect(file).toMatch(/^DATABASE_AUTH_TOKEN=\S+/m);
    const env = await project.run(['env']);
    expect(env.stdout).toMatch(/DATABASE_URL=libsql:\/\/myapp-alice/);
    expect(env.stdout).toMatch(/DATABASE_AUTH_TOKEN='?\*\*\*\*'?$/m);
    const deleted = await project.run(['delete', 'alice', '--yes']);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect([...fake.state.databases.keys()]).toEqual(['myapp']);
  });

  it('bad input: unknown parent, name too long, missing token, token without permission', async () => {
    expectCleanFailure(await project.run(['create', 'bob', '--from', 'staging']), 1, /parent environment "staging" does not exist/, /database \(turso\)/);
    const long = cloudProject('provider = "turso"\norganization = "fake-org"\nname = "{project}-preview-environment-{env}"', fake.env, 'myapp');
    expectCleanFailure(await long.run(['create', `a${'b'.repeat(44)}`]), 2, /database \(turso\): Turso database name "myapp-preview-environment-abb+" is 71 characters long; the limit is 64/, /hint:/);
    long.cleanup();
    expectCleanFailure(await project.run(['create', 'bob'], { TURSO_API_TOKEN: undefined }), 2, /TURSO_API_TOKEN is not set/);
    expectCleanFailure(await project.run(['create', 'bob'], fake.addReadOnlyCredentials()), 1, /could not create "bob"/, /HTTP 403/);
    expect([...fake.state.databases.keys()]).toEqual(['myapp']);
    expect(project.read('.fork-stack/envs/bob.env')).toBeUndefined();
  });
});

{
  let fake: Fake | undefined;
  afterAll(async () => {
    expect(fake?.violations ?? []).toEqual([]);
    await fake?.close();
  });
  let root = '';
  const nameOf = (env: string) => `myapp-${env}`;
  const registryDir = () => path.join(root, '.fork-stack', 'registry', 'database');
  /** A record of fork-stack's registry for another project or env naming the planted database's id, written by hand. */
  const recordFor = (env: string, project: string, recordEnv: string) => {
    mkdirSync(registryDir(), { recursive: true });
    const id = fake!.state.databases.get(nameOf(env))!.DbId;
    writeFileSync(path.join(registryDir(), `${recordEnv}.json`), JSON.stringify({ v: 1, project, env: recordEnv, provider: 'turso', id, name: nameOf(env), createdAt: '2026-01-01T00:00:00Z' }));
  };
  /** `turso db create myapp-<env> --from-db myapp`, by hand: a branch of the parent fork-stack did not make. */
  const handBranch = (env: string) => {
    const made = fake!.seed.database(nameOf(env));
    const parent = fake!.state.databases.get('myapp')!;
    made.parent = { id: parent.DbId, name: parent.Name, branched_at: '2026-01-01T00:00:00Z' };
  };
  ownershipContract('turso', provider as Provider<unknown>, async () => {
    fake = await startFake('turso');
    root = mkdtempSync(path.join(tmpRoot, 'own-'));
    const ctx = testContext<TursoOptions>({ kind: 'database', project: 'myapp', root, schema, options: { organization: 'fake-org' }, env: fake.env, roots: ['prod'] });
    return {
      ctx: ctx as ProviderContext<unknown>,
      parent: 'prod',
      foreign: {
        plant: {
          empty: async (env) => void fake!.seed.database(nameOf(env)),
          'non-empty': async (env) => handBranch(env),
          'other-project': async (env) => {
            handBranch(env);
            recordFor(env, 'myapp-contract', 'foreign');
          },
          'other-env': async (env) => {
            handBranch(env);
            recordFor(env, 'myapp', 'someone-else');
          },
        },
        fingerprint: async (env) => {
          let records: string[] = [];
          try {
            records = readdirSync(registryDir()).sort().map((f) => `${f}:${readFileSync(path.join(registryDir(), f), 'utf8')}`);
          } catch {
            records = [];
          }
          return JSON.stringify({ db: fake!.state.databases.get(nameOf(env)) ?? null, records });
        },
        clear: async (env) => {
          fake!.state.databases.delete(nameOf(env));
          rmSync(registryDir(), { recursive: true, force: true });
        },
      },
    };
  });
}

describe('turso: a database made by hand under an environment\'s name', () => {
  it('create --reuse refuses a Turso branch made by hand (turso db create --from-db), and writes no variables for it', async () => {
    const fake = await startFake('turso');
    const project = cloudProject('provider = "turso"\norganization = "fake-org"', { ...fake.env, FORK_STACK_RETRY_BASE_MS: '5' }, 'myapp');
    try {
      const made = fake.seed.database('myapp-alice');
      const parent = fake.state.databases.get('myapp')!;
      made.parent = { id: parent.DbId, name: parent.Name, branched_at: '2026-01-01T00:00:00Z' };
      const before = JSON.stringify(fake.state.databases.get('myapp-alice'));
      expectCleanFailure(await project.run(['create', 'alice', '--reuse']), 1, /refusing to reuse "alice"/, /myapp-alice was not made by fork-stack/);
      expectCleanFailure(await project.run(['delete', 'alice', '--yes']), 1, /refusing to delete "alice"/);
      expect(JSON.stringify(fake.state.databases.get('myapp-alice'))).toBe(before);
      expect(project.read('.fork-stack/envs/alice.env')).toBeUndefined();
      // What fork-stack made itself is proven by its record of the DbId, and deleted normally.
      const created = await project.run(['create', 'bob']);
      expect(created.code, created.stderr).toBe(0);
      expect(JSON.parse(project.read('.fork-stack/registry/database/bob.json')!)).toMatchObject({ project: 'myapp', env: 'bob', id: fake.state.databases.get('myapp-bob')!.DbId });
      const deleted = await project.run(['delete', 'bob', '--yes']);
      expect(deleted.code, deleted.stderr).toBe(0);
      expect(fake.state.databases.has('myapp-bob')).toBe(false);
      expect(project.read('.fork-stack/registry/database/bob.json')).toBeUndefined();
    } finally {
      expect(fake.violations).toEqual([]);
      await fake.close();
      project.cleanup();
    }
  });
});

describe('turso: a create whose answer never came back', () => {
  it('a create that made the database but never got the answer is proven by its pending record, and finished by the next create', async () => {
    const fake = await startFake('turso');
    try {
      const root = mkdtempSync(path.join(tmpRoot, 'pending-'));
      const ctx = testContext<TursoOptions>({ kind: 'database', project: 'myapp', root, schema, options: { organization: 'fake-org' }, env: fake.env, roots: ['prod'] });
      fake.failNth({ operation: CREATE, fault: '500', afterApply: true, times: 20 });
      await expect(provider.fork(ctx, { env: 'alice', parent: 'prod' })).rejects.toThrow();
      expect(fake.state.databases.has('myapp-alice')).toBe(true);
      expect(await provider.find(ctx, 'alice')).toMatchObject({ owned: true });
      const finished = await provider.fork(ctx, { env: 'alice', parent: 'prod' });
      expect(finished).toMatchObject({ owned: true, id: fake.state.databases.get('myapp-alice')!.DbId });
      expect(JSON.parse(readFileSync(path.join(root, '.fork-stack', 'registry', 'database', 'alice.json'), 'utf8'))).toMatchObject({ id: finished.id });
      await provider.remove(ctx, { env: 'alice' });
      expect(fake.state.databases.has('myapp-alice')).toBe(false);
      // A database made by hand before any create announced it is older than no record: still not ours.
      fake.seed.database('myapp-bob');
      expect(await provider.find(ctx, 'bob')).toMatchObject({ owned: false });
    } finally {
      expect(fake.violations).toEqual([]);
      await fake.close();
    }
  });
});

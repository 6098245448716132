/** The doppler secrets provider against the Doppler fake (every request checked against the SDK's API). */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.FORK_STACK_RETRY_BASE_MS = '5';
});

import { startFake } from '@fork-stack/provider-fakes';
import { UsageError } from '../../src/core/errors.js';
import { scrub } from '../../src/core/scrub.js';
import { provider } from '../../src/providers/secrets/doppler.js';
import { schema, type DopplerOptions } from '../../src/providers/secrets/doppler.schema.js';
import type { Provider, ProviderContext } from '../../src/providers/types.js';
import { expectCleanFailure } from './cloud-db.cli.js';
import { testContext } from '../helpers/context.js';
import { ownershipContract } from '../helpers/ownership-contract.js';
import { closeClean, fakeContractSetup } from '../helpers/fake-setup.js';
import { providerContract } from '../helpers/provider-contract.js';
import { secretsCliProject } from '../safety/cloud-project.js';

type Fake = Awaited<ReturnType<typeof startFake<'doppler'>>>;
const tmpRoot = mkdtempSync(path.join(os.tmpdir(), 'doppler-provider-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

function contextFor(fake: Fake, options: Record<string, unknown> = {}, env: Record<string, string | undefined> = fake.env, roots = ['dev']) {
  return testContext<DopplerOptions>({ kind: 'secrets', project: 'myapp', root: tmpRoot, schema, options, env, roots });
}

const config = (fake: Fake, name: string) => fake.state.configs.find((c) => c.project === 'myapp' && c.name === name);
const ops = (fake: Fake) => fake.requests.map((r) => `${r.method} ${r.path}`);

providerContract('doppler', provider as Provider<unknown>, async () => {
  const fake = await startFake('doppler');
  const ctx = contextFor(fake);
  return fakeContractSetup(fake, ctx, { parent: 'dev', fingerprint: async (env) => JSON.stringify(await provider.read(ctx, env)) });
});

/** A call to the fake with Doppler's own HTTP API (never fork-stack code), as a person or another tool would. */
async function doppler(fake: Fake, method: string, route: string, body: unknown): Promise<void> {
  const res = await fetch(`${fake.url}${route}`, {
    method,
    headers: { authorization: `Bearer ${fake.env.DOPPLER_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
}

const plantConfig = async (fake: Fake, name: string, secrets?: Record<string, string>) => {
  await doppler(fake, 'POST', '/v3/configs', { project: 'myapp', environment: 'dev', name });
  if (secrets) await doppler(fake, 'POST', '/v3/configs/config/secrets', { project: 'myapp', config: name, secrets });
};
const marker = (project: string, env: string) => JSON.stringify({ project, env });
/** Everything Doppler shows of a config: its fields and its own values (the marker included). */
const fingerprintOf = (fake: Fake, name: string) => {
  const c = config(fake, name);
  return JSON.stringify(c ? { ...c, secrets: [...c.secrets].sort() } : null);
};

let ownershipFake: Fake | undefined;
afterAll(async () => {
  if (ownershipFake) {
    expect(ownershipFake.violations).toEqual([]);
    await ownershipFake.close();
  }
});
// Branch config dev_contract_foreign: made by hand with no values, with values, or carrying fork-stack's
// marker for another fork-stack project sharing the Doppler project, or for another environment.
ownershipContract('doppler', provider as Provider<unknown>, async () => {
  const fake = (ownershipFake = await startFake('doppler'));
  const name = 'dev_contract_foreign';
  return {
    ctx: contextFor(fake) as ProviderContext<unknown>,
    parent: 'dev',
    foreign: {
      plant: {
        empty: async () => plantConfig(fake, name),
        'non-empty': async () => plantConfig(fake, name, { API_URL: 'https://theirs.example.com', TOKEN: 'theirs' }),
        'other-project': async (env) => plantConfig(fake, name, { FORK_STACK_OWNER: marker('myapp-d', env), TOKEN: 'theirs' }),
        'other-env': async () => plantConfig(fake, name, { FORK_STACK_OWNER: marker('myapp', 'someone-else'), TOKEN: 'theirs' }),
      },
      fingerprint: async () => fingerprintOf(fake, name),
      clear: async () => {
        if (config(fake, name)) await doppler(fake, 'DELETE', '/v3/configs/config', { project: 'myapp', config: name });
      },
    },
  };
});

describe('doppler provider', () => {
  let fake: Fake;
  beforeEach(async () => {
    fake = await startFake('doppler');
  });
  afterEach(() => closeClean(fake));

  it('forks a root config as a new branch config that inherits it, and leaves DOPPLER_* out', async () => {
    const ctx = contextFor(fake);
    const resource = await provider.fork(ctx, { env: 'alice', parent: 'dev', keep: () => true });
    expect(resource).toMatchObject({ env: 'alice', name: 'dev_alice', state: 'ready', owned: true, parent: 'dev', details: { environment: 'dev', keys: 2, excluded: 0 } });
    expect(ops(fake)).toContain('POST /v3/configs');
    expect(ops(fake)).not.toContain('POST /v3/configs/config/clone');
    expect(config(fake, 'dev_alice')).toMatchObject({ environment: 'dev', root: false });
    expect(await provider.variables(ctx, 'alice')).toEqual({ API_URL: 'http://localhost:3000', FEATURE_FLAG: 'on' });
    // Inheritance is live: a change to the root config reaches the fork.
    config(fake, 'dev')?.secrets.set('NEW_IN_ROOT', 'hello');
    expect(await provider.read(ctx, 'alice')).toMatchObject({ NEW_IN_ROOT: 'hello' });
  });

  it('forks a branch config by cloning it (its overrides come along), maps "-" to "_" and back', async () => {
    const ctx = contextFor(fake);
    await provider.fork(ctx, { env: 'alice', parent: 'dev', keep: () => true });
    await provider.write(ctx, 'alice', { set: { ONLY_ALICE: 'a-1' } });
    const pr = await provider.fork(ctx, { env: 'pr-12', parent: 'alice', keep: () => true });
    expect(pr.name).toBe('dev_pr_12');
    expect(ops(fake)).toContain('POST /v3/configs/config/clone');
    expect(await provider.read(ctx, 'pr-12')).toMatchObject({ ONLY_ALICE: 'a-1', API_URL: 'http://localhost:3000' });
    // prod is protected, so Doppler's prd root config is its secrets by default.
    expect((await provider.list(ctx)).map((r) => r.env).sort()).toEqual(['alice', 'dev', 'pr-12', 'prod']);
    expect(await provider.find(ctx, 'pr-12')).toMatchObject({ name: 'dev_pr_12' });
  });

  it('applies the copy policy: excluded keys, inherited or cloned, are overridden with an empty value', async () => {
    const ctx = contextFor(fake);
    await provider.write(ctx, 'dev', { set: { STRIPE_LIVE_KEY: 'sk_live_1', STRIPE_TEST_KEY: 'sk_test_1' } });
    const alice = await provider.fork(ctx, { env: 'alice', parent: 'dev', keep: (k) => !k.startsWith('STRIPE_LIVE') });
    expect(alice.details).toMatchObject({ keys: 3, excluded: 1 });
    expect(await provider.read(ctx, 'alice')).toMatchObject({ STRIPE_LIVE_KEY: '', STRIPE_TEST_KEY: 'sk_test_1' });
    expect(config(fake, 'dev_alice')?.secrets.get('STRIPE_LIVE_KEY')).toBe('');
    await provider.write(ctx, 'alice', { set: { ALICE_ONLY: 'x1' } });
    await provider.fork(ctx, { env: 'bob', parent: 'alice', keep: (k) => k === 'API_URL' });
    const bob = await provider.read(ctx, 'bob');
    expect(bob).toEqual({ API_URL: 'http://localhost:3000', FEATURE_FLAG: '', STRIPE_LIVE_KEY: '', STRIPE_TEST_KEY: '', ALICE_ONLY: '' });
    expect(await provider.read(ctx, 'dev')).toMatchObject({ STRIPE_LIVE_KEY: 'sk_live_1' });
  });

  it('puts a fork of prod under prod\'s Doppler environment (prd_hotfix) and finds it there', async () => {
    const ctx = contextFor(fake, {}, fake.env, ['dev', 'prod']);
    const hotfix = await provider.fork(ctx, { env: 'hotfix', parent: 'prod', keep: () => true });
    expect(hotfix).toMatchObject({ name: 'prd_hotfix', details: { environment: 'prd' } });
    expect(await provider.variables(ctx, 'hotfix')).toEqual({ API_URL: 'https://api.example.com', FEATURE_FLAG: 'off' });
    expect(await provider.find(ctx, 'hotfix')).toMatchObject({ name: 'prd_hotfix' });
    expect((await provider.list(ctx)).map((r) => `${r.env}=${r.name}`).sort()).toEqual(['dev=dev', 'hotfix=prd_hotfix', 'prod=prd']);
    await provider.remove(ctx, { env: 'hotfix' });
    expect(config(fake, 'prd_hotfix')).toBeUndefined();
  });

  it('is idempotent: a second fork, a remove of what is gone', async () => {
    const ctx = contextFor(fake);
    await provider.fork(ctx, { env: 'alice', parent: 'dev', keep: () => true });
    await provider.fork(ctx, { env: 'alice', parent: 'dev', keep: () => true });
    expect(fake.state.configs.filter((c) => c.name === 'dev_alice')).toHaveLength(1);
    await provider.remove(ctx, { env: 'alice' });
    await provider.remove(ctx, { env: 'alice' });
    expect(config(fake, 'dev_alice')).toBeUndefined();
  });

  it('own forks are owned: true (they carry FORK_STACK_OWNER, hidden from read, variables and copies)', async () => {
    const ctx = contextFor(fake);
    // Before: find reported owned: undefined for a branch config, so the engine refused to delete any fork.
    expect(await provider.fork(ctx, { env: 'alice', parent: 'dev', keep: () => true })).toMatchObject({ owned: true });
    expect(await provider.find(ctx, 'alice')).toMatchObject({ owned: true, name: 'dev_alice' });
    expect(config(fake, 'dev_alice')?.secrets.get('FORK_STACK_OWNER')).toBe(marker('myapp', 'alice'));
    expect(await provider.read(ctx, 'alice')).not.toHaveProperty('FORK_STACK_OWNER');
    expect(await provider.variables(ctx, 'alice')).not.toHaveProperty('FORK_STACK_OWNER');
    // A clone carries its parent's marker until fork-stack replaces it with the child's.
    await provider.fork(ctx, { env: 'pr-1', parent: 'alice', keep: () => true });
    expect(config(fake, 'dev_pr_1')?.secrets.get('FORK_STACK_OWNER')).toBe(marker('myapp', 'pr-1'));
    expect((await provider.list(ctx)).map((r) => `${r.env}:${String(r.owned)}`).sort()).toEqual(['alice:true', 'dev:false', 'pr-1:true', 'prod:false']);
    await expect(provider.write(ctx, 'alice', { set: { FORK_STACK_OWNER: 'x' } })).rejects.toThrow(/ownership marker/);
  });

  it('a create retried after a lost answer is still idempotent: made under a temporary name, marked, then renamed', async () => {
    const ctx = contextFor(fake);
    // Before the temporary name, the retried POST met its own config ("already exists") with nothing to
    // prove it was its own, and the create failed (reliability/faults.test.ts, neon + doppler).
    fake.failNth({ operation: 'POST /v3/configs', fault: '500', afterApply: true });
    fake.failNth({ operation: 'POST /v3/configs/config', fault: '500', afterApply: true });
    expect(await provider.fork(ctx, { env: 'alice', parent: 'dev', keep: () => true })).toMatchObject({ name: 'dev_alice', owned: true });
    expect(fake.state.configs.map((c) => c.name).filter((n) => n.startsWith('dev_'))).toEqual(['dev_alice']);
    expect(config(fake, 'dev_alice')?.secrets.get('FORK_STACK_OWNER')).toBe(marker('myapp', 'alice'));
  });

  it('a config that appears under the name during a create is never claimed: the create refuses, names it and leaves nothing', async () => {
    const ctx = contextFor(fake);
    fake.failNth({
      operation: 'POST /v3/configs/config',
      fault: '500',
      // Plays someone else: dev_alice appears by hand just before fork-stack renames its config to it.
      where: () => {
        if (!config(fake, 'dev_alice')) fake.seed.branchConfig('myapp', 'dev', 'dev_alice', { TOKEN: 'theirs' });
        return false;
      },
    });
    await expect(provider.fork(ctx, { env: 'alice', parent: 'dev', keep: () => true })).rejects.toThrow(/refusing to create Doppler config dev_alice.*no FORK_STACK_OWNER marker/);
    expect(fake.state.configs.map((c) => c.name).filter((n) => n.startsWith('dev_'))).toEqual(['dev_alice']);
    expect([...(config(fake, 'dev_alice')?.secrets ?? [])]).toEqual([['TOKEN', 'theirs']]);
    expect(await provider.find(ctx, 'alice')).toMatchObject({ owned: false });
    await expect(provider.remove(ctx, { env: 'alice' })).rejects.toThrow(/refusing to delete/);
  });

  it('a create whose marker cannot be written deletes the config it just made', async () => {
    const ctx = contextFor(fake);
    fake.failNth({ operation: 'POST /v3/configs/config/secrets', fault: '500', times: 20 });
    await expect(provider.fork(ctx, { env: 'alice', parent: 'dev', keep: () => true })).rejects.toThrow();
    expect(fake.state.configs.map((c) => c.name).filter((n) => n.startsWith('dev_'))).toEqual([]);
  });

  it('lists every page of configs, without Doppler\'s Personal Configs', async () => {
    for (let i = 0; i < 130; i++) fake.seed.branchConfig('myapp', 'dev', `dev_env${i}`);
    fake.seed.branchConfig('myapp', 'dev', 'dev_personal');
    expect(provider.checkName(contextFor(fake), 'personal')).toMatch(/Personal Config/);
    const listed = await provider.list(contextFor(fake));
    expect(listed.filter((r) => /^env\d+$/.test(r.env))).toHaveLength(130);
    expect(listed.map((r) => r.env)).not.toContain('personal');
    expect(fake.requests.filter((r) => r.path === '/v3/configs').length).toBeGreaterThanOrEqual(2);
  });

  it('round-trips values with newlines, quotes and unicode exactly; unset deletes own keys and overrides inherited ones', async () => {
    const ctx = contextFor(fake);
    await provider.fork(ctx, { env: 'alice', parent: 'dev', keep: () => true });
    const tricky = { PEM: '-----BEGIN KEY-----\nabc\n-----END KEY-----\n', QUOTES: `it's "x" \\ $y #z`, UNICODE: 'grüße 日本 🚀', EMPTY: '' };
    await provider.write(ctx, 'alice', { set: tricky });
    expect(await provider.read(ctx, 'alice')).toMatchObject(tricky);
    await provider.write(ctx, 'alice', { unset: ['PEM', 'API_URL'] });
    const after = await provider.read(ctx, 'alice');
    expect(after.PEM).toBeUndefined();
    expect(after.API_URL).toBe('');
    expect(ctx.warnings.join('\n')).toMatch(/API_URL: inherited from the root config dev/);
    expect(await provider.read(ctx, 'dev')).toMatchObject({ API_URL: 'http://localhost:3000' });
  });

  it('rejects secret names Doppler cannot store, before any call', async () => {
    const ctx = contextFor(fake);
    const before = fake.requests.length;
    await expect(provider.write(ctx, 'dev', { set: { 'db.password': 'x' } })).rejects.toBeInstanceOf(UsageError);
    await expect(provider.write(ctx, 'dev', { set: { lower_case: 'x' } })).rejects.toThrow(/upper-case letters, digits and "_": "lower_case"/);
    expect(fake.requests.length).toBe(before);
  });

  it('retries 429 and 5xx', async () => {
    const ctx = contextFor(fake);
    fake.failNth({ operation: 'GET /v3/configs/config/secrets/download', fault: '429', times: 2 });
    fake.failNth({ operation: 'POST /v3/configs', fault: '503' });
    await provider.fork(ctx, { env: 'alice', parent: 'dev', keep: () => true });
    expect(await provider.read(ctx, 'alice')).toMatchObject({ FEATURE_FLAG: 'on' });
  });

  it('explains a missing or rejected token, a read-only token, a missing project and a missing parent', async () => {
    await expect(provider.find(contextFor(fake, {}, {}), 'dev')).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining('DOPPLER_TOKEN is not set') });
    const wrong = contextFor(fake, {}, { ...fake.env, DOPPLER_TOKEN: 'dp.pt.wrong' });
    await expect(provider.find(wrong, 'dev')).rejects.toMatchObject({ message: expect.stringContaining('HTTP 401'), hint: expect.stringContaining('credentials') });
    expect(await provider.check(wrong)).toEqual([expect.objectContaining({ status: 'fail', message: expect.stringContaining('401') })]);
    const readOnly = contextFor(fake, {}, fake.addReadOnlyCredentials());
    await expect(provider.fork(readOnly, { env: 'alice', parent: 'dev', keep: () => true })).rejects.toMatchObject({ message: expect.stringContaining('HTTP 403') });
    expect(config(fake, 'dev_alice')).toBeUndefined();
    const noProject = contextFor(fake, { project: 'nope' });
    await expect(provider.fork(noProject, { env: 'alice', parent: 'dev', keep: () => true })).rejects.toThrow('Doppler project "nope" was not found');
    expect(await provider.check(noProject)).toContainEqual(expect.objectContaining({ name: 'project', status: 'fail' }));
    await expect(provider.fork(contextFor(fake), { env: 'alice', parent: 'staging', keep: () => true })).rejects.toThrow(/"staging" has no Doppler config/);
    const ok = await provider.check(contextFor(fake));
    expect(ok.every((c) => c.status === 'ok')).toBe(true);
  });

  it('never deletes a root config, and says how to delete a locked one', async () => {
    const ctx = contextFor(fake);
    await expect(provider.remove(contextFor(fake, { names: { alice: 'dev' } }), { env: 'alice' })).rejects.toThrow(/root config/);
    await provider.fork(ctx, { env: 'alice', parent: 'dev', keep: () => true });
    config(fake, 'dev_alice')!.locked = true;
    await expect(provider.remove(ctx, { env: 'alice' })).rejects.toMatchObject({ message: expect.stringContaining('locked'), hint: expect.stringContaining('doppler configs unlock dev_alice') });
  });

  it('registers every value it reads for scrubbing, also as an API would echo it (JSON-escaped)', async () => {
    const ctx = contextFor(fake);
    config(fake, 'dev')!.secrets.set('SECRET_PEM', 'line-one-secret\nline-two "secret"');
    await provider.read(ctx, 'dev');
    const echoed = `400: bad value {"SECRET_PEM":${JSON.stringify('line-one-secret\nline-two "secret"')}}`;
    expect(scrub(echoed)).not.toContain('line-one-secret');
  });
});

describe('doppler through the CLI', () => {
  let fake: Fake;
  beforeEach(async () => {
    fake = await startFake('doppler');
  });
  afterEach(async () => {
    expect(fake.violations).toEqual([]);
    await fake.close();
  });

  it('create → switch → run sees the secrets → secrets set → delete', async () => {
    const project = await secretsCliProject('provider = "doppler"\nexclude = ["FEATURE_FLAG"]', fake.env, { local: true });
    try {
      const created = await project.run(['create', 'alice']);
      expect(created.code, created.stderr).toBe(0);
      expect(config(fake, 'dev_alice')?.secrets.get('FEATURE_FLAG')).toBe('');
      expect((await project.run(['switch', 'alice'])).code).toBe(0);
      const run = await project.run(['run', '--', process.execPath, '-e', 'process.stdout.write(JSON.stringify([process.env.API_URL, process.env.FEATURE_FLAG, process.env.DATABASE_URL]))']);
      const [apiUrl, flag, db] = JSON.parse(run.stdout) as string[];
      expect([apiUrl, flag]).toEqual(['http://localhost:3000', '']);
      expect(db).toMatch(/myapp\.alice\.db$/);
      const set = await project.run(['secrets', 'set', 'NEW_KEY'], {}, 'multi\nline "value"\n');
      expect(set.code, set.stderr).toBe(0);
      expect(config(fake, 'dev_alice')?.secrets.get('NEW_KEY')).toBe('multi\nline "value"');
      expect(project.read('.env.local')).toContain('NEW_KEY=');
      const deleted = await project.run(['delete', 'alice', '--yes']);
      expect(deleted.code, deleted.stderr).toBe(0);
      expect(config(fake, 'dev_alice')).toBeUndefined();
    } finally {
      project.cleanup();
    }
  });

  it('delete of a branch config fork-stack did not make exits 1, says whose it is and changes nothing', async () => {
    const project = await secretsCliProject('provider = "doppler"', fake.env, { local: true });
    try {
      await plantConfig(fake, 'dev_bob', { TOKEN: 'bobs' });
      await plantConfig(fake, 'dev_carol', { FORK_STACK_OWNER: marker('other-app', 'carol'), TOKEN: 'carols' });
      const [bob, carol] = [fingerprintOf(fake, 'dev_bob'), fingerprintOf(fake, 'dev_carol')];
      expectCleanFailure(await project.run(['delete', 'bob', '--yes']), 1, /refusing to delete "bob"/, /dev_bob was not made by fork-stack/);
      expectCleanFailure(await project.run(['delete', 'carol', '--yes']), 1, /refusing to delete "carol"/, /another fork-stack project: "other-app", environment "carol"/);
      expect([fingerprintOf(fake, 'dev_bob'), fingerprintOf(fake, 'dev_carol')]).toEqual([bob, carol]);
    } finally {
      project.cleanup();
    }
  });

  it('rolls back a create when Doppler fails part-way: no branch config is left', async () => {
    const project = await secretsCliProject('provider = "doppler"\nexclude = ["FEATURE_FLAG"]', fake.env, { local: true });
    try {
      fake.failNth({ operation: 'POST /v3/configs/config/secrets', fault: '500', times: 20 });
      const created = await project.run(['create', 'alice']);
      expectCleanFailure(created, 1, /could not create "alice"/, /rolled back/);
      expect(config(fake, 'dev_alice')).toBeUndefined();
      expect(project.read('.fork-stack/data/myapp.alice.db')).toBeUndefined();
    } finally {
      project.cleanup();
    }
  });

  it('keeps the branch config with keep_on_delete', async () => {
    const project = await secretsCliProject('provider = "doppler"\nkeep_on_delete = true', fake.env);
    try {
      expect((await project.run(['create', 'alice'])).code).toBe(0);
      expect((await project.run(['delete', 'alice', '--yes'])).code).toBe(0);
      expect(config(fake, 'dev_alice')).toBeDefined();
    } finally {
      project.cleanup();
    }
  });

  it('reports a missing token with exit 2, a wrong one with exit 1, without a stack trace', async () => {
    const project = await secretsCliProject('provider = "doppler"', fake.env);
    try {
      expectCleanFailure(await project.run(['create', 'alice'], { DOPPLER_TOKEN: '' }), 2, /DOPPLER_TOKEN is not set/);
      expectCleanFailure(await project.run(['create', 'alice'], { DOPPLER_TOKEN: 'dp.pt.revoked' }), 1, /HTTP 401/);
      const doctor = await project.run(['doctor'], { DOPPLER_TOKEN: 'dp.pt.revoked' });
      expectCleanFailure(doctor, 1, /Doppler rejected DOPPLER_TOKEN \(401\)/);
    } finally {
      project.cleanup();
    }
  });
});


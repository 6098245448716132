/** The vault secrets provider against the Vault KV v2 fake (every request checked against the KV v2 API docs). */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.FORK_STACK_RETRY_BASE_MS = '5';
});

import { startFake } from '@fork-stack/provider-fakes';
import { provider } from '../../src/providers/secrets/vault.js';
import { schema, type VaultOptions } from '../../src/providers/secrets/vault.schema.js';
import type { Provider, ProviderContext } from '../../src/providers/types.js';
import { testContext } from '../helpers/context.js';
import { ownershipContract } from '../helpers/ownership-contract.js';
import { closeClean, fakeContractSetup } from '../helpers/fake-setup.js';
import { providerContract } from '../helpers/provider-contract.js';
import { secretsCliProject } from '../safety/cloud-project.js';
import { expectCleanFailure } from './cloud-db.cli.js';

type Fake = Awaited<ReturnType<typeof startFake<'vault'>>>;
const tmpRoot = mkdtempSync(path.join(os.tmpdir(), 'vault-provider-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

function contextFor(fake: Fake, options: Record<string, unknown> = {}, env: Record<string, string | undefined> = fake.env) {
  return testContext<VaultOptions>({ kind: 'secrets', project: 'myapp', root: tmpRoot, schema, options, env, roots: ['dev'] });
}

const entry = (fake: Fake, key: string, mount = '/secret') => fake.state.mounts.get(mount)?.secrets.get(key);
const latest = (fake: Fake, key: string, mount = '/secret') => {
  const e = entry(fake, key, mount);
  return e?.versions.get(e.current_version)?.data;
};

providerContract('vault', provider as Provider<unknown>, async () => {
  const fake = await startFake('vault');
  const ctx = contextFor(fake);
  return fakeContractSetup(fake, ctx, { parent: 'dev', fingerprint: async (env) => JSON.stringify(await provider.read(ctx, env)) });
});

/** A call to the fake with Vault's own KV v2 HTTP API (never fork-stack code), as `vault kv …` would. */
async function vault(fake: Fake, method: string, route: string, body?: unknown): Promise<void> {
  const res = await fetch(`${fake.env.VAULT_ADDR}/v1/secret/${route}`, {
    method,
    headers: { 'x-vault-token': fake.env.VAULT_TOKEN as string, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
}

let ownershipFake: Fake | undefined;
afterAll(async () => {
  if (ownershipFake) {
    expect(ownershipFake.violations).toEqual([]);
    await ownershipFake.close();
  }
});
// Entry secret/myapp/contract-foreign: metadata only (someone's placeholder), data with no marker, or
// fork-stack's custom_metadata for another project (a names override) or another environment.
ownershipContract('vault', provider as Provider<unknown>, async () => {
  const fake = (ownershipFake = await startFake('vault'));
  const key = 'myapp/contract-foreign';
  const marked = async (project: string, env: string) => {
    await vault(fake, 'POST', `metadata/${key}`, { custom_metadata: { 'fork-stack:project': project, 'fork-stack:env': env, 'fork-stack:parent': 'dev' } });
    await vault(fake, 'POST', `data/${key}`, { data: { TOKEN: 'theirs' } });
  };
  return {
    ctx: contextFor(fake) as ProviderContext<unknown>,
    parent: 'dev',
    foreign: {
      plant: {
        empty: async () => vault(fake, 'POST', `metadata/${key}`, { custom_metadata: { owner: 'ops' } }),
        'non-empty': async () => vault(fake, 'POST', `data/${key}`, { data: { API_URL: 'https://theirs.example.com', TOKEN: 'theirs' } }),
        'other-project': async (env) => marked('myapp-d', env),
        'other-env': async () => marked('myapp', 'someone-else'),
      },
      // Everything Vault keeps of the entry: metadata (custom_metadata, versions, times) and every version's data.
      fingerprint: async () => {
        const e = entry(fake, key);
        return JSON.stringify(e ? { ...e, versions: [...e.versions] } : null);
      },
      clear: async () => {
        if (entry(fake, key)) await vault(fake, 'DELETE', `metadata/${key}`);
      },
    },
  };
});

describe('vault provider', () => {
  let fake: Fake;
  beforeEach(async () => {
    fake = await startFake('vault');
  });
  afterEach(() => closeClean(fake));

  it('forks the parent\'s latest version into version 1 of the child, marked as ours, with the copy policy', async () => {
    const ctx = contextFor(fake);
    const resource = await provider.fork(ctx, { env: 'pr-12', parent: 'dev', keep: (k) => k !== 'FEATURE_FLAG' });
    expect(resource).toMatchObject({ env: 'pr-12', name: 'secret/myapp/pr-12', owned: true, parent: 'dev', state: 'ready', details: { keys: 1, excluded: 1, version: 1 } });
    expect(entry(fake, 'myapp/pr-12')).toMatchObject({ current_version: 1, custom_metadata: { 'fork-stack:project': 'myapp', 'fork-stack:env': 'pr-12', 'fork-stack:parent': 'dev' } });
    expect(latest(fake, 'myapp/pr-12')).toEqual({ API_URL: 'http://localhost:3000' });
    expect(await provider.variables(ctx, 'pr-12')).toEqual({ API_URL: 'http://localhost:3000' });
  });

  it('finishes a fork that stopped after its metadata, and never overwrites an entry it did not make', async () => {
    const ctx = contextFor(fake);
    fake.failNth({ operation: 'POST /v1/{mount}/data/{path+}', fault: '500', times: 10 });
    await expect(provider.fork(ctx, { env: 'alice', parent: 'dev', keep: () => true })).rejects.toThrow(/HTTP 500/);
    expect(entry(fake, 'myapp/alice')?.current_version).toBe(0);
    expect(await provider.find(ctx, 'alice')).toBeUndefined();
    await provider.fork(ctx, { env: 'alice', parent: 'dev', keep: () => true });
    expect(latest(fake, 'myapp/alice')).toEqual({ API_URL: 'http://localhost:3000', FEATURE_FLAG: 'on' });
    await provider.fork(ctx, { env: 'alice', parent: 'dev', keep: () => true });
    expect(entry(fake, 'myapp/alice')?.current_version).toBe(1);

    fake.seed.secret('myapp/carol', { MINE: 'yes' });
    await expect(provider.fork(ctx, { env: 'carol', parent: 'dev', keep: () => true })).rejects.toThrow(/already exists and was not made by fork-stack/);
    await expect(provider.remove(ctx, { env: 'carol' })).rejects.toThrow(/not made by fork-stack.*not deleted/);
    expect(latest(fake, 'myapp/carol')).toEqual({ MINE: 'yes' });
  });

  it('writes with check-and-set: concurrent changes are all kept', async () => {
    const ctx = contextFor(fake);
    await provider.fork(ctx, { env: 'alice', parent: 'dev', keep: () => true });
    await Promise.all(['A', 'B', 'C', 'D'].map((k) => provider.write(ctx, 'alice', { set: { [k]: k.toLowerCase() } })));
    expect(latest(fake, 'myapp/alice')).toEqual({ API_URL: 'http://localhost:3000', FEATURE_FLAG: 'on', A: 'a', B: 'b', C: 'c', D: 'd' });
    expect(entry(fake, 'myapp/alice')?.current_version).toBe(5);
  });

  it('deletes the metadata and every version', async () => {
    const ctx = contextFor(fake);
    await provider.fork(ctx, { env: 'alice', parent: 'dev', keep: () => true });
    await provider.write(ctx, 'alice', { set: { X: '1' } });
    await provider.remove(ctx, { env: 'alice' });
    expect(entry(fake, 'myapp/alice')).toBeUndefined();
    await provider.remove(ctx, { env: 'alice' });
  });

  it('lists the entries under the pattern\'s directory, adopted paths too', async () => {
    fake.seed.secret('myapp/team/inner', { A: '1' });
    fake.seed.secret('myapp/Not_An_Env', { A: '1' });
    fake.seed.secret('legacy/production', { A: '1' });
    const ctx = contextFor(fake, { names: { prod: 'legacy/production' } });
    await provider.fork(ctx, { env: 'alice', parent: 'dev', keep: () => true });
    expect((await provider.list(ctx)).map((r) => `${r.env}=${r.name}:${String(r.owned)}`).sort()).toEqual([
      'alice=secret/myapp/alice:true', 'dev=secret/myapp/dev:false', 'prod=secret/legacy/production:false',
    ]);
  });

  it('uses the configured mount, path pattern and namespace', async () => {
    fake.seed.mount('kv', { namespace: 'team-a' });
    fake.seed.secret('apps/myapp/dev/config', { IN_NAMESPACE: 'yes' }, { mount: 'kv', namespace: 'team-a' });
    expect(() => schema.parse({ path: 'apps/{project}/{env}/config' })).toThrow(/must have \{env\} in its last segment/);
    const flat = contextFor(fake, { mount: 'kv', path: 'apps/{project}-{env}' }, { ...fake.env, VAULT_NAMESPACE: 'team-a' });
    fake.seed.secret('apps/myapp-dev', { IN_NAMESPACE: 'yes' }, { mount: 'kv', namespace: 'team-a' });
    await provider.fork(flat, { env: 'alice', parent: 'dev', keep: () => true });
    expect(latest(fake, 'apps/myapp-alice', 'team-a/kv')).toEqual({ IN_NAMESPACE: 'yes' });
    expect((await provider.list(flat)).map((r) => r.env).sort()).toEqual(['alice', 'dev']);
    // Without the namespace, the mount is not there: an error naming it, not "no environment".
    await expect(provider.find(contextFor(fake, { mount: 'kv', path: 'apps/{project}-{env}' }), 'dev')).rejects.toThrow(/nothing is mounted at "kv"/);
  });

  it('round-trips values with newlines, quotes and unicode exactly; other JSON types become text', async () => {
    const ctx = contextFor(fake);
    await provider.fork(ctx, { env: 'alice', parent: 'dev', keep: () => true });
    const tricky = { PEM: '-----BEGIN KEY-----\nabc\n-----END KEY-----\n', QUOTES: `it's "x" \\ $y #z`, UNICODE: 'grüße 日本 🚀', EMPTY: '' };
    await provider.write(ctx, 'alice', { set: tricky, unset: ['FEATURE_FLAG'] });
    expect(await provider.read(ctx, 'alice')).toEqual({ API_URL: 'http://localhost:3000', ...tricky });
    fake.seed.secret('myapp/typed', { PORT: 5432, DEBUG: true, LIST: ['a'], 'api-key': 'x' });
    expect(await provider.variables(ctx, 'typed')).toEqual({ PORT: '5432', DEBUG: 'true', LIST: '["a"]' });
    expect(ctx.warnings.join('\n')).toMatch(/"api-key" in Vault entry secret\/myapp\/typed is not a valid variable name/);
  });

  it('treats a soft-deleted latest version as no values, and says so', async () => {
    const ctx = contextFor(fake);
    await provider.fork(ctx, { env: 'alice', parent: 'dev', keep: () => true });
    const e = entry(fake, 'myapp/alice')!;
    e.versions.get(1)!.deletion_time = new Date().toISOString();
    await expect(provider.variables(ctx, 'alice')).rejects.toThrow(/latest version is deleted/);
  });

  it('retries 429 and 5xx', async () => {
    fake.failNth({ operation: 'GET /v1/{mount}/data/{path+}', fault: '503', times: 2 });
    fake.failNth({ operation: 'POST /v1/{mount}/metadata/{path+}', fault: '429' });
    await provider.fork(contextFor(fake), { env: 'alice', parent: 'dev', keep: () => true });
    expect(latest(fake, 'myapp/alice')).toMatchObject({ FEATURE_FLAG: 'on' });
  });

  it('explains a missing address or token, a rejected token and a token without write access', async () => {
    await expect(provider.find(contextFor(fake, {}, { VAULT_TOKEN: 'x' }), 'dev')).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining('VAULT_ADDR is not set') });
    await expect(provider.find(contextFor(fake, {}, { VAULT_ADDR: fake.url }), 'dev')).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining('VAULT_TOKEN is not set') });
    const wrong = contextFor(fake, {}, { ...fake.env, VAULT_TOKEN: 'hvs.wrong' });
    await expect(provider.find(wrong, 'dev')).rejects.toMatchObject({ message: expect.stringContaining('HTTP 403'), hint: expect.stringContaining('doctor') });
    expect(await provider.check(wrong)).toEqual([expect.objectContaining({ status: 'fail', message: expect.stringContaining('Vault rejected VAULT_TOKEN') })]);
    const readOnly = contextFor(fake, {}, fake.addReadOnlyCredentials());
    expect((await provider.check(readOnly)).map((c) => c.status)).toEqual(['ok', 'ok']);
    await expect(provider.fork(readOnly, { env: 'alice', parent: 'dev', keep: () => true })).rejects.toThrow(/HTTP 403/);
    expect(entry(fake, 'myapp/alice')).toBeUndefined();
    await expect(provider.fork(contextFor(fake), { env: 'alice', parent: 'staging', keep: () => true })).rejects.toThrow('environment "staging" has no Vault entry secret/myapp/staging');
    expect((await provider.check(contextFor(fake, { mount: 'nomount' }))).at(-1)).toMatchObject({ name: 'permissions', status: 'fail', message: expect.stringContaining('nothing is mounted at "nomount"') });
    await expect(provider.find(contextFor(fake, { mount: 'nomount' }), 'dev')).rejects.toThrow(/nothing is mounted at "nomount"/);
  });
});

describe('vault through the CLI', () => {
  let fake: Fake;
  beforeEach(async () => {
    fake = await startFake('vault');
  });
  afterEach(async () => {
    expect(fake.violations).toEqual([]);
    await fake.close();
  });

  it('create → switch → run sees the secrets → secrets set → delete', async () => {
    const project = await secretsCliProject('provider = "vault"\nexclude = ["FEATURE_*"]', fake.env, { local: true });
    try {
      const created = await project.run(['create', 'alice', '--switch']);
      expect(created.code, created.stderr).toBe(0);
      const run = await project.run(['run', '--', process.execPath, '-e', 'process.stdout.write(String(process.env.API_URL) + "|" + String(process.env.FEATURE_FLAG))']);
      expect(run.stdout).toBe('http://localhost:3000|undefined');
      expect((await project.run(['secrets', 'set', 'TOKEN'], {}, 'a "quoted"\nvalue\n')).code).toBe(0);
      expect(latest(fake, 'myapp/alice')).toMatchObject({ TOKEN: 'a "quoted"\nvalue' });
      expect((await project.run(['delete', 'alice', '--yes'])).code).toBe(0);
      expect(entry(fake, 'myapp/alice')).toBeUndefined();
    } finally {
      project.cleanup();
    }
  });

  it('rolls back a create that fails part-way: nothing is left in Vault', async () => {
    const project = await secretsCliProject('provider = "vault"', fake.env, { local: true });
    try {
      fake.failNth({ operation: 'POST /v1/{mount}/data/{path+}', fault: '500', times: 20 });
      expectCleanFailure(await project.run(['create', 'alice']), 1, /could not create "alice"/, /rolled back/);
      expect(entry(fake, 'myapp/alice')).toBeUndefined();
    } finally {
      project.cleanup();
    }
  });

  it('reports a missing VAULT_ADDR with exit 2 and a rejected token with exit 1', async () => {
    const project = await secretsCliProject('provider = "vault"', fake.env);
    try {
      expectCleanFailure(await project.run(['create', 'alice'], { VAULT_ADDR: undefined }), 2, /VAULT_ADDR is not set/);
      expectCleanFailure(await project.run(['doctor'], { VAULT_TOKEN: 'hvs.revoked' }), 1, /Vault rejected VAULT_TOKEN/);
    } finally {
      project.cleanup();
    }
  });
});

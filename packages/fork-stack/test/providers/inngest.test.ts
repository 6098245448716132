/**
 * The inngest queue provider: branch environments exist on Inngest's side only once an app uses them, so
 * fork-stack keeps a local record, sets INNGEST_ENV, and says on delete that Inngest archives the branch
 * environment itself.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { provider } from '../../src/providers/queue/inngest.js';
import { schema, type InngestOptions } from '../../src/providers/queue/inngest.schema.js';
import type { Provider, ProviderContext } from '../../src/providers/types.js';
import { testContext } from '../helpers/context.js';
import { ownershipContract } from '../helpers/ownership-contract.js';
import { providerContract } from '../helpers/provider-contract.js';

providerContract('inngest', provider as Provider<unknown>, async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'inngest-contract-'));
  const ctx = testContext({ kind: 'queue', root, schema });
  const record = path.join(root, '.fork-stack', 'inngest', 'dev.json');
  return {
    ctx,
    parent: 'dev',
    // Inngest has no API: what the parent is, is its local record (none for a root) and its variables.
    fingerprint: async () => JSON.stringify({ record: existsSync(record) ? readFileSync(record, 'utf8') : 'absent', variables: await provider.variables(ctx as never, 'dev') }),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
});

// Inngest has no API: nothing remote can sit under an environment's name, so 'empty' and 'non-empty' do
// not apply. What can is a record in .fork-stack/inngest/ written for another project or environment (a
// state directory copied from elsewhere): it must be neither claimed nor removed.
const ownershipRoot = mkdtempSync(path.join(os.tmpdir(), 'inngest-ownership-'));
afterAll(() => rmSync(ownershipRoot, { recursive: true, force: true }));
ownershipContract('inngest', provider as Provider<unknown>, async () => {
  const file = (env: string) => path.join(ownershipRoot, '.fork-stack', 'inngest', `${env}.json`);
  const put = (env: string, record: object) => {
    mkdirSync(path.dirname(file(env)), { recursive: true });
    writeFileSync(file(env), `${JSON.stringify(record)}\n`);
  };
  return {
    ctx: testContext({ kind: 'queue', root: ownershipRoot, schema, project: 'shop' }) as ProviderContext<unknown>,
    parent: 'dev',
    foreign: {
      plant: {
        'other-project': async (env) => put(env, { project: 'shop-d', env, branch: env, createdAt: '2026-01-01T00:00:00.000Z' }),
        'other-env': async (env) => put(env, { project: 'shop', env: 'someone-else', branch: 'someone-else', createdAt: '2026-01-01T00:00:00.000Z' }),
      },
      fingerprint: async (env) => (existsSync(file(env)) ? readFileSync(file(env), 'utf8') : 'absent'),
      clear: async (env) => rmSync(file(env), { force: true }),
    },
  };
});

describe('inngest', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'inngest-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const ctx = (options: Record<string, unknown> = {}, env: Record<string, string> = {}, roots = ['dev']) =>
    testContext<InngestOptions>({ kind: 'queue', root, schema, options, env, roots, project: 'shop' });

  it('sets INNGEST_ENV to the branch name, and nothing for production', async () => {
    const c = ctx({ name: '{project}-{env}' }, {}, ['prod']);
    await provider.fork(c, { env: 'alice', parent: 'prod' });
    expect(await provider.variables(c, 'alice')).toEqual({ INNGEST_ENV: 'shop-alice' });
    expect(await provider.variables(c, 'prod')).toEqual({});
    expect(provider.resourceName(c, 'prod')).toBe('production');
    expect(await provider.find(c, 'prod')).toMatchObject({ name: 'production', state: 'ready', owned: false });
    expect(provider.publicVariables).toEqual(['INNGEST_ENV']);
  });

  it('fork creates nothing remotely, only a local record; delete warns that Inngest archives the branch itself', async () => {
    const c = ctx();
    const made = await provider.fork(c, { env: 'alice', parent: 'dev' });
    expect(made).toMatchObject({ env: 'alice', name: 'alice', state: 'ready', owned: true, parent: 'dev' });
    expect(readdirSync(path.join(root, '.fork-stack', 'inngest'))).toEqual(['alice.json']);
    expect((await provider.list(c)).map((r) => r.env)).toEqual(['dev', 'prod', 'alice']);
    await provider.remove(c, { env: 'alice' });
    expect(c.warnings).toHaveLength(1);
    expect(c.warnings[0]).toMatch(/no API to archive the branch environment "alice"; Inngest archives it by itself/);
    expect(await provider.find(c, 'alice')).toBeUndefined();
    // Gone already: success, and no second warning.
    await provider.remove(c, { env: 'alice' });
    expect(c.warnings).toHaveLength(1);
  });

  it('passes the event and signing keys from the shell when keys_from_env, and names a missing one', async () => {
    const keys = { INNGEST_EVENT_KEY: 'evt-key-123', INNGEST_SIGNING_KEY: 'signkey-prod-abc', INNGEST_SIGNING_KEY_FALLBACK: 'signkey-prod-old' };
    const c = ctx({ keys_from_env: true }, keys);
    expect(await provider.variables(c, 'alice')).toEqual({ INNGEST_ENV: 'alice', ...keys });
    const missing = ctx({ keys_from_env: true }, { INNGEST_EVENT_KEY: 'evt-key-123' });
    const error = await provider.variables(missing, 'alice').then(
      () => undefined,
      (e: unknown) => e as UsageError,
    );
    if (!error) throw new Error('variables should have failed');
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toMatch(/INNGEST_SIGNING_KEY is not set$/);
    expect((await provider.check(missing)).find((x) => x.name === 'INNGEST_SIGNING_KEY')).toMatchObject({ status: 'fail' });
    // Without keys_from_env the keys are left to the secrets provider.
    expect(await provider.variables(ctx({}, keys), 'alice')).toEqual({ INNGEST_ENV: 'alice' });
  });

  it('refuses to fork or remove roots and production, and to fork from an unknown parent', async () => {
    const c = ctx();
    await expect(provider.fork(c, { env: 'prod', parent: 'dev' })).rejects.toThrow(/adopted, never forked/);
    await expect(provider.remove(c, { env: 'dev' })).rejects.toThrow(/never removes it/);
    await expect(provider.fork(c, { env: 'bob', parent: 'nobody' })).rejects.toThrow('inngest: parent environment "nobody" is not known here');
    // A fork of a fork is fine.
    await provider.fork(c, { env: 'alice', parent: 'dev' });
    expect(await provider.fork(c, { env: 'bob', parent: 'alice' })).toMatchObject({ parent: 'alice' });
  });
});

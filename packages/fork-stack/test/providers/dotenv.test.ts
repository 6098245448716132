import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { provider } from '../../src/providers/secrets/dotenv.js';
import { schema, type DotenvOptions } from '../../src/providers/secrets/dotenv.schema.js';
import type { Provider, ProviderContext } from '../../src/providers/types.js';
import { testContext } from '../helpers/context.js';
import { ownershipContract } from '../helpers/ownership-contract.js';

// A file at the environment's path that this checkout's ledger does not record: empty, with values, or
// with fork-stack's header for another project (a shared path outside the project) or environment.
const ownershipRoot = mkdtempSync(path.join(os.tmpdir(), 'dotenv-ownership-'));
afterAll(() => rmSync(ownershipRoot, { recursive: true, force: true }));
ownershipContract('dotenv', provider as Provider<unknown>, async () => {
  const ctx = testContext<DotenvOptions>({ kind: 'secrets', root: ownershipRoot, schema, project: 'app' });
  await provider.createEmpty(ctx, 'dev');
  const file = (env: string) => path.join(ownershipRoot, '.fork-stack/secrets', `${env}.env`);
  const put = (env: string, text: string) => {
    mkdirSync(path.dirname(file(env)), { recursive: true });
    writeFileSync(file(env), text, { mode: 0o644 });
  };
  const header = (project: string, env: string) => `# secrets of environment "${env}" of project "${project}" (fork-stack dotenv provider)\nTOKEN=theirs\n`;
  return {
    ctx: ctx as ProviderContext<unknown>,
    parent: 'dev',
    foreign: {
      plant: {
        empty: async (env) => put(env, ''),
        'non-empty': async (env) => put(env, 'API_URL=https://theirs.example.com\nTOKEN=theirs\n'),
        'other-project': async (env) => put(env, header('app-d', env)),
        'other-env': async (env) => put(env, header('app', 'someone-else')),
      },
      fingerprint: async (env) => {
        if (!existsSync(file(env))) return 'absent';
        const stat = statSync(file(env));
        return JSON.stringify({ text: readFileSync(file(env), 'utf8'), mode: stat.mode, mtime: stat.mtimeMs, ledger: existsSync(path.join(ownershipRoot, '.fork-stack/owned/secrets', env)) });
      },
      clear: async (env) => rmSync(file(env), { force: true }),
    },
  };
});

let root: string;
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('dotenv secrets provider', () => {
  it('forks with the copy policy, keeps files private, round-trips tricky values', async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'fs-dotenv-'));
    const c = testContext<DotenvOptions>({ kind: 'secrets', root, schema });
    await provider.createEmpty(c, 'dev');
    const tricky = { PEM: '-----BEGIN-----\nabc\n-----END-----', QUOTES: `it's "x" $y`, HASH: '#1', UNICODE: '日本' };
    await provider.write(c, 'dev', { set: { ...tricky, STRIPE_LIVE_KEY: 'sk_live' } });
    const resource = await provider.fork(c, { env: 'alice', parent: 'dev', keep: (k) => !k.startsWith('STRIPE_') });
    expect(resource.details).toMatchObject({ keys: 4, excluded: 1 });
    expect(await provider.read(c, 'alice')).toEqual(tricky);
    expect(statSync(path.join(root, '.fork-stack/secrets/alice.env')).mode & 0o777).toBe(0o600);
    await provider.write(c, 'alice', { set: { NEW: 'v' }, unset: ['HASH'] });
    expect(Object.keys(await provider.read(c, 'alice')).sort()).toEqual(['NEW', 'PEM', 'QUOTES', 'UNICODE']);
    expect(Object.keys(await provider.read(c, 'dev'))).toContain('STRIPE_LIVE_KEY');
    expect((await provider.list(c)).map((r) => r.env).sort()).toEqual(['alice', 'dev']);
    await provider.remove(c, { env: 'alice' });
    await expect(provider.read(c, 'alice')).rejects.toThrow(/has no secrets file/);
  });

  it('reports a malformed secrets file with its line', async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'fs-dotenv-'));
    const c = testContext<DotenvOptions>({ kind: 'secrets', root, schema });
    const { writeFileSync, mkdirSync } = await import('node:fs');
    mkdirSync(path.join(root, '.fork-stack/secrets'), { recursive: true });
    writeFileSync(path.join(root, '.fork-stack/secrets/dev.env'), 'OK=1\nthis is not valid\n');
    await expect(provider.read(c, 'dev')).rejects.toThrow(/dev.env: line 2/);
  });
});

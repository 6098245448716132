import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { provider } from '../../src/providers/secrets/dotenv.js';
import { schema, type DotenvOptions } from '../../src/providers/secrets/dotenv.schema.js';
import { testContext } from '../helpers/context.js';

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

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

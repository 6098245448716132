import { DopplerSDK } from '@dopplerhq/node-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { startFake, type Fake, type FakeOptions } from '../src/index.js';
import { client, expectClean } from './helpers.js';

let fake: Fake<'doppler'> | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function doppler(options: FakeOptions = {}) {
  fake = await startFake('doppler', options);
  return { fake, api: client(fake.env.FORK_STACK_DOPPLER_API_URL!, { authorization: `Bearer ${fake.env.DOPPLER_TOKEN}` }) };
}

describe('doppler fake', () => {
  it('creates a branch config that inherits its root, overrides, downloads, deletes with a JSON body (fetch)', async () => {
    const { fake, api } = await doppler();
    const created = await api('POST', '/v3/configs', { project: 'myapp', environment: 'dev', name: 'dev_alice' });
    expect(created.body).toMatchObject({ config: { name: 'dev_alice', root: false, environment: 'dev', project: 'myapp' }, success: true });
    await api('POST', '/v3/configs/config/secrets', { project: 'myapp', config: 'dev_alice', secrets: { DATABASE_URL: 'postgres://alice', FEATURE_FLAG: 'alice' } });
    const download = await api('GET', '/v3/configs/config/secrets/download?project=myapp&config=dev_alice&format=json');
    expect(download.body).toEqual({
      API_URL: 'http://localhost:3000', FEATURE_FLAG: 'alice', DATABASE_URL: 'postgres://alice',
      DOPPLER_CONFIG: 'dev_alice', DOPPLER_ENVIRONMENT: 'dev', DOPPLER_PROJECT: 'myapp',
    });
    // The root changes after branching: the branch sees it (inheritance), except where it overrides.
    await api('POST', '/v3/configs/config/secrets', { project: 'myapp', config: 'dev', secrets: { NEW_KEY: 'new', FEATURE_FLAG: 'root' } });
    const again = await api('GET', '/v3/configs/config/secrets/download?project=myapp&config=dev_alice&format=env');
    expect(again.text).toContain('NEW_KEY="new"\n');
    expect(again.text).toContain('FEATURE_FLAG="alice"\n');
    const removed = await api('DELETE', '/v3/configs/config', { project: 'myapp', config: 'dev_alice' });
    expect(removed.body).toEqual({ success: true });
    expect((await api('GET', '/v3/configs/config?project=myapp&config=dev_alice')).status).toBe(404);
    expectClean(fake);
  });

  it('enforces the environment prefix, duplicate names, root and locked configs', async () => {
    const { fake, api } = await doppler();
    const unprefixed = await api('POST', '/v3/configs', { project: 'myapp', environment: 'dev', name: 'alice' });
    expect(unprefixed).toMatchObject({ status: 400, body: { success: false, messages: [expect.stringContaining('dev_alice')] } });
    expect((await api('POST', '/v3/configs', { project: 'myapp', environment: 'dev', name: 'prd_alice' })).status).toBe(400);
    await api('POST', '/v3/configs', { project: 'myapp', environment: 'dev', name: 'dev_bob' });
    expect((await api('POST', '/v3/configs', { project: 'myapp', environment: 'dev', name: 'dev_bob' })).status).toBe(409);
    expect((await api('DELETE', '/v3/configs/config', { project: 'myapp', config: 'dev' })).status).toBe(400);
    await api('POST', '/v3/configs/config/lock', { project: 'myapp', config: 'dev_bob' });
    expect((await api('DELETE', '/v3/configs/config', { project: 'myapp', config: 'dev_bob' })).status).toBe(400);
    expect((await api('GET', '/v3/configs?project=nope')).status).toBe(404);
    expectClean(fake);
  });

  it('clones a branch config with its overrides', async () => {
    const { fake, api } = await doppler();
    fake.seed.branchConfig('myapp', 'dev', 'dev_source', { ONLY_HERE: '1' });
    const cloned = await api('POST', '/v3/configs/config/clone', { project: 'myapp', config: 'dev_source', name: 'dev_copy' });
    expect(cloned.body.config).toMatchObject({ name: 'dev_copy', environment: 'dev', root: false });
    const secrets = await api('GET', '/v3/configs/config/secrets?project=myapp&config=dev_copy&include_managed_secrets=false');
    expect(Object.keys(secrets.body.secrets).sort()).toEqual(['API_URL', 'FEATURE_FLAG', 'ONLY_HERE']);
    expectClean(fake);
  });

  it('pages configs with page/per_page until a short page', async () => {
    const { fake, api } = await doppler({ pageSize: 2 });
    for (let i = 0; i < 3; i += 1) fake.seed.branchConfig('myapp', 'dev', `dev_env${i}`);
    const names: string[] = [];
    for (let page = 1; ; page += 1) {
      const answer = await api('GET', `/v3/configs?project=myapp&environment=dev&page=${page}`);
      expect(answer.body.page).toBe(page);
      names.push(...answer.body.configs.map((c: { name: string }) => c.name));
      if (answer.body.configs.length < 2) break;
    }
    expect(names).toEqual(['dev', 'dev_env0', 'dev_env1', 'dev_env2']);
    // A client's own per_page is honoured: Doppler's answer has no other end-of-list signal.
    expect((await api('GET', '/v3/configs?project=myapp&per_page=100')).body.configs).toHaveLength(6);
    expectClean(fake);
  });

  it('works with the official SDK (@dopplerhq/node-sdk)', async () => {
    const { fake } = await doppler();
    const sdk = new DopplerSDK({ accessToken: fake.env.DOPPLER_TOKEN! });
    sdk.setBaseUrl(fake.env.FORK_STACK_DOPPLER_API_URL!);
    await sdk.configs.create({ project: 'myapp', environment: 'prd', name: 'prd_preview' });
    await sdk.secrets.update({ project: 'myapp', config: 'prd_preview', secrets: { API_URL: 'https://preview.example.com' } });
    const download = await sdk.secrets.download('myapp', 'prd_preview', { format: 'json' }) as Record<string, string>;
    expect(download.API_URL).toBe('https://preview.example.com');
    const list = await sdk.configs.list('myapp', { environment: 'prd', page: 1, perPage: 50 });
    expect(list.configs?.map((c) => c.name)).toEqual(['prd', 'prd_preview']);
    expectClean(fake);
    // SDK 1.3's configs.delete writes its JSON body on a DELETE without Content-Length or chunked encoding,
    // so no body reaches the server: the fake (like the API) answers 400. Clients must send the DELETE
    // themselves, with Content-Length.
    await expect(sdk.configs.delete({ project: 'myapp', config: 'prd_preview' })).rejects.toMatchObject({ statusCode: 400 });
    expect(fake.violations.map((v) => v.problems)).toEqual([['request body is required']]);
    const api = client(fake.url, { authorization: `Bearer ${fake.env.DOPPLER_TOKEN}` });
    expect((await api('DELETE', '/v3/configs/config', { project: 'myapp', config: 'prd_preview' })).status).toBe(200);
    expect(fake.state.configs.some((c) => c.name === 'prd_preview')).toBe(false);
  });

  it('rejects requests outside the spec; 401 and 403', async () => {
    const { fake, api } = await doppler();
    expect((await api('POST', '/v3/configs', { project: 'myapp', env: 'dev', name: 'dev_x' })).status).toBe(400);
    expect(fake.violations[0]?.problems).toEqual(["body must have required property 'environment'", 'body/env is not a documented field']);
    expect((await api('GET', '/v3/configs/config/secrets/download?project=myapp')).status).toBe(400);
    expect((await client(fake.url, {})('GET', '/v3/configs?project=myapp')).body).toEqual({ messages: ['Missing authentication token'], success: false });
    const readOnly = fake.addReadOnlyCredentials();
    const reader = client(fake.url, { authorization: `Bearer ${readOnly.DOPPLER_TOKEN}` });
    expect((await reader('GET', '/v3/configs?project=myapp')).status).toBe(200);
    expect((await reader('POST', '/v3/configs', { project: 'myapp', environment: 'dev', name: 'dev_ro' })).status).toBe(403);
  });
});

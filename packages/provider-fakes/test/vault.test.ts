import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startFake, type Fake, type FakeOptions } from '../src/index.js';
import { client, expectClean } from './helpers.js';

let fake: Fake<'vault'> | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function vault(options: FakeOptions = {}) {
  fake = await startFake('vault', options);
  return { fake, api: client(fake.env.VAULT_ADDR!, { 'x-vault-token': fake.env.VAULT_TOKEN! }) };
}

/** A raw LIST request over node:http, as hvac and curl -X LIST send it. */
function rawList(url: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'LIST', headers: { 'x-vault-token': token } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => { body += chunk.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('vault kv v2 fake', () => {
  it('writes versions, reads latest and by version, soft-deletes, and deletes metadata with all versions', async () => {
    const { fake, api } = await vault();
    const first = await api('POST', '/v1/secret/data/myapp/alice', { data: { DATABASE_URL: 'postgres://a' } });
    expect(first.body.data).toMatchObject({ version: 1, destroyed: false, deletion_time: '' });
    await api('POST', '/v1/secret/data/myapp/alice', { data: { DATABASE_URL: 'postgres://b' }, options: { cas: 1 } });
    expect((await api('GET', '/v1/secret/data/myapp/alice')).body.data.data).toEqual({ DATABASE_URL: 'postgres://b' });
    expect((await api('GET', '/v1/secret/data/myapp/alice?version=1')).body.data.data).toEqual({ DATABASE_URL: 'postgres://a' });
    const staleCas = await api('POST', '/v1/secret/data/myapp/alice', { data: {}, options: { cas: 1 } });
    expect(staleCas).toMatchObject({ status: 400, body: { errors: ['check-and-set parameter did not match the current version'] } });
    expect((await api('DELETE', '/v1/secret/data/myapp/alice')).status).toBe(204);
    const deleted = await api('GET', '/v1/secret/data/myapp/alice');
    expect(deleted.status).toBe(404);
    expect(deleted.body.data.metadata.deletion_time).not.toBe('');
    const metadata = await api('GET', '/v1/secret/metadata/myapp/alice');
    expect(metadata.body.data).toMatchObject({ current_version: 2, oldest_version: 1 });
    expect(Object.keys(metadata.body.data.versions)).toEqual(['1', '2']);
    expect((await api('DELETE', '/v1/secret/metadata/myapp/alice')).status).toBe(204);
    expect(await api('GET', '/v1/secret/metadata/myapp/alice')).toMatchObject({ status: 404, body: { errors: [] } });
    expect(await api('GET', '/v1/secret/data/myapp/alice?version=1')).toMatchObject({ status: 404, body: { errors: [] } });
    expectClean(fake);
  });

  it('lists keys with the LIST method and with GET ?list=true', async () => {
    const { fake, api } = await vault();
    fake.seed.secret('myapp/feature/x', { A: '1' });
    const listed = await rawList(`${fake.url}/v1/secret/metadata/myapp/`, fake.env.VAULT_TOKEN!);
    expect(listed.status).toBe(200);
    expect(JSON.parse(listed.body).data.keys).toEqual(['dev', 'feature/', 'prod']);
    expect((await api('GET', '/v1/secret/metadata?list=true')).body.data.keys).toEqual(['myapp/']);
    expect(fake.requests.map((r) => r.method)).toEqual(['LIST', 'GET']);
    expect((await rawList(`${fake.url}/v1/secret/metadata/nothing/`, fake.env.VAULT_TOKEN!)).body).toBe('{"errors":[]}');
    expectClean(fake);
  });

  it('answers 403 permission denied without, with a wrong or with a read-only token; health needs none', async () => {
    const { fake } = await vault();
    const anonymous = await client(fake.url, {})('GET', '/v1/secret/data/myapp/dev');
    expect(anonymous).toMatchObject({ status: 403, body: { errors: ['permission denied'] } });
    expect((await client(fake.url, { 'x-vault-token': 'nope' })('GET', '/v1/secret/data/myapp/dev')).status).toBe(403);
    const readOnly = fake.addReadOnlyCredentials();
    const reader = client(fake.url, { authorization: `Bearer ${readOnly.VAULT_TOKEN}` });
    expect((await reader('GET', '/v1/secret/data/myapp/dev')).body.data.data.API_URL).toBe('http://localhost:3000');
    expect((await reader('POST', '/v1/secret/data/myapp/dev', { data: {} })).status).toBe(403);
    expect((await client(fake.url, {})('GET', '/v1/sys/health')).body).toMatchObject({ initialized: true, sealed: false });
    expect(fake.violations).toHaveLength(1);
  });

  it('keeps namespaces apart and reports unknown mounts', async () => {
    const { fake, api } = await vault({ scenario: { mounts: [{ name: 'secret' }, { name: 'secret', namespace: 'team-a' }], secrets: [] } });
    await api('POST', '/v1/secret/data/app/x', { data: { WHERE: 'team-a' } }, { 'x-vault-namespace': 'team-a' });
    expect((await api('GET', '/v1/secret/data/app/x')).status).toBe(404);
    expect((await api('GET', '/v1/secret/data/app/x', undefined, { 'x-vault-namespace': 'team-a/' })).body.data.data).toEqual({ WHERE: 'team-a' });
    const unknown = await api('GET', '/v1/kv/data/app/x');
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors[0]).toContain('no handler for route');
    expectClean(fake);
  });

  it('rejects writes that do not match the API', async () => {
    const { fake, api } = await vault();
    expect((await api('POST', '/v1/secret/data/myapp/x', { API_URL: 'flat, not under data' })).status).toBe(400);
    expect(fake.violations[0]?.problems).toEqual(["body must have required property 'data'", 'body/API_URL is not a documented field']);
    expect(fake.state.mounts.get('/secret')!.secrets.has('myapp/x')).toBe(false);
  });
});

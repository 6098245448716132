import { afterEach, describe, expect, it } from 'vitest';
import { startFake, type Fake, type FakeOptions } from '../src/index.js';
import { client, expectClean, type JsonResponse } from './helpers.js';

let fake: Fake<'planetscale'> | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function planetscale(options: FakeOptions = {}) {
  fake = await startFake('planetscale', options);
  const auth = `${fake.env.PLANETSCALE_SERVICE_TOKEN_ID}:${fake.env.PLANETSCALE_SERVICE_TOKEN}`;
  return { fake, api: client(fake.env.FORK_STACK_PLANETSCALE_API_URL!, { authorization: auth }) };
}

const MYSQL = '/organizations/fake-org/databases/myapp';
const POSTGRES = '/organizations/fake-org/databases/myapp-pg';

describe('planetscale fake', () => {
  it('creates a branch, waits for ready, creates a MySQL password whose secret is shown once', async () => {
    const { fake, api } = await planetscale({ async: { polls: 2 } });
    expect(fake.url).toMatch(/\/v1$/);
    const created = await api('POST', `${MYSQL}/branches`, { name: 'alice', parent_branch: 'main' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'alice', parent_branch: 'main', kind: 'mysql', ready: false, state: 'pending' });
    // Credentials need a ready branch.
    expect((await api('POST', `${MYSQL}/branches/alice/passwords`, { role: 'readwriter' })).status).toBe(422);
    const readiness: boolean[] = [];
    for (let i = 0; i < 3; i += 1) readiness.push((await api('GET', `${MYSQL}/branches/alice`)).body.ready);
    expect(readiness).toEqual([false, false, true]);
    const password = await api('POST', `${MYSQL}/branches/alice/passwords`, { name: 'fork-stack', role: 'readwriter' });
    expect(password.status).toBe(201);
    expect(password.body).toMatchObject({ role: 'readwriter', access_host_url: 'aws-us-east-2.connect.psdb.cloud', plain_text: expect.stringMatching(/^pscale_pw_/) });
    const again = await api('GET', `${MYSQL}/branches/alice/passwords/${password.body.id}`);
    expect(again.body.plain_text).toBeNull();
    expect((await api('DELETE', `${MYSQL}/branches/alice`)).status).toBe(204);
    expect((await api('GET', `${MYSQL}/branches/alice`)).status).toBe(404);
    expectClean(fake);
  });

  it('creates Postgres roles (not passwords) on postgresql databases', async () => {
    const { fake, api } = await planetscale({ async: { polls: 0 } });
    await api('POST', `${POSTGRES}/branches`, { name: 'bob', parent_branch: 'main' });
    await api('GET', `${POSTGRES}/branches/bob`);
    expect((await api('POST', `${POSTGRES}/branches/bob/passwords`, { role: 'admin' })).status).toBe(422);
    const role = await api('POST', `${POSTGRES}/branches/bob/roles`, { name: 'app', inherited_roles: ['postgres'] });
    expect(role.status).toBe(200);
    expect(role.body).toMatchObject({ name: 'app', access_host_url: 'aws-us-east-2.pg.psdb.cloud', database_name: 'postgres', password: expect.stringMatching(/^pscale_pw_/) });
    expect((await api('POST', `${MYSQL}/branches/main/roles`, { name: 'x' })).status).toBe(422);
    expectClean(fake);
  });

  it('answers 422 for a taken name, 404 for an unknown parent, refuses production and parent branches', async () => {
    const { fake, api } = await planetscale();
    fake.seed.branch('myapp', 'parent');
    fake.seed.branch('myapp', 'child', 'parent');
    expect(await api('POST', `${MYSQL}/branches`, { name: 'parent', parent_branch: 'main' }))
      .toMatchObject({ status: 422, body: { code: 'unprocessable', message: 'Validation failed: Name has already been taken' } });
    expect((await api('POST', `${MYSQL}/branches`, { name: 'x', parent_branch: 'nope' })).status).toBe(404);
    expect((await api('DELETE', `${MYSQL}/branches/main`)).status).toBe(422);
    expect((await api('DELETE', `${MYSQL}/branches/parent`)).status).toBe(422);
    expect((await api('DELETE', `${MYSQL}/branches/parent?delete_descendants=true`)).status).toBe(204);
    expect(fake.state.branches.map((b) => b.name)).toEqual(['main', 'main']);
    expectClean(fake);
  });

  it('walks page/next_page to the end', async () => {
    const { fake, api } = await planetscale({ pageSize: 2 });
    for (let i = 0; i < 4; i += 1) fake.seed.branch('myapp', `env-${i}`);
    const names: string[] = [];
    let page: number | null = 1;
    let calls = 0;
    while (page !== null) {
      const answer: JsonResponse<{ data: { name: string }[]; per_page: number; next_page: number | null }> = await api('GET', `${MYSQL}/branches?page=${page}&per_page=100`);
      names.push(...answer.body.data.map((b) => b.name));
      expect(answer.body.per_page).toBe(2);
      page = answer.body.next_page;
      calls += 1;
    }
    expect(calls).toBe(3);
    expect(names).toEqual(['main', 'env-0', 'env-1', 'env-2', 'env-3']);
    expectClean(fake);
  });

  it('rejects and records a request outside the spec, and auth errors', async () => {
    const { fake, api } = await planetscale();
    const bad = await api('POST', `${MYSQL}/branches`, { branch_name: 'x' });
    expect(bad.status).toBe(400);
    expect(fake.violations[0]?.problems).toEqual(["body must have required property 'name'", 'body/branch_name is not a documented field']);
    expect((await api('POST', `${MYSQL}/branches/main/passwords`, { role: 'superuser' })).status).toBe(400);
    const noAuth = await client(fake.url, {})('GET', `${MYSQL}/branches`);
    expect(noAuth).toMatchObject({ status: 401, body: { code: 'unauthorized' } });
    expect((await client(fake.url, { authorization: 'Bearer x' })('GET', `${MYSQL}/branches`)).status).toBe(401);
    expect((await client(fake.url, { authorization: 'id:wrong' })('GET', `${MYSQL}/branches`)).status).toBe(401);
    const readOnly = fake.addReadOnlyCredentials();
    const reader = client(fake.url, { authorization: `${readOnly.PLANETSCALE_SERVICE_TOKEN_ID}:${readOnly.PLANETSCALE_SERVICE_TOKEN}` });
    expect((await reader('POST', `${MYSQL}/branches`, { name: 'ro' })).status).toBe(403);
  });
});

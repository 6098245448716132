import { createApiClient, EndpointType } from '@neondatabase/api-client';
import { afterEach, describe, expect, it } from 'vitest';
import { startFake, type Fake } from '../src/index.js';
import { client, expectClean } from './helpers.js';

let fake: Fake<'neon'> | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function neon(options: Parameters<typeof startFake>[1] = {}) {
  fake = await startFake('neon', options);
  const api = client(fake.env.FORK_STACK_NEON_API_URL!, { authorization: `Bearer ${fake.env.NEON_API_KEY}` });
  return { fake, api };
}

const PROJECT = 'fake-project-myapp';

describe('neon fake', () => {
  it('forks a branch, waits for its operations and builds a connection URI (plain fetch)', async () => {
    const { fake, api } = await neon({ async: { polls: 2 } });
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v2$/);
    const main = [...fake.state.branches.values()].find((b) => b.default)!;
    const created = await api('POST', `/projects/${PROJECT}/branches`, { branch: { parent_id: main.id, name: 'alice' }, endpoints: [{ type: 'read_write' }] });
    expect(created.status).toBe(201);
    expect(created.body.branch).toMatchObject({ name: 'alice', parent_id: main.id, current_state: 'init' });
    expect(created.body.operations.map((op: { action: string; status: string }) => [op.action, op.status])).toEqual([['create_branch', 'running'], ['start_compute', 'running']]);
    // One role and one database on the parent: the create answer carries the connection URI.
    expect(created.body.connection_uris[0].connection_uri).toMatch(/^postgresql:\/\/neondb_owner:[^@]+@ep-fork-000001\.us-east-2\.aws\.neon\.tech\/neondb\?sslmode=require$/);

    // A dependent call before the operations finish is refused with 423, as documented.
    const early = await api('POST', `/projects/${PROJECT}/branches/${created.body.branch.id}/roles`, { role: { name: 'app' } });
    expect(early.status).toBe(423);

    const operationId = created.body.operations[0].id;
    const statuses: string[] = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await api('GET', `/projects/${PROJECT}/operations/${operationId}`)).body.operation.status);
    expect(statuses).toEqual(['running', 'running', 'finished']);
    const branch = await api('GET', `/projects/${PROJECT}/branches/${created.body.branch.id}`);
    expect(branch.body.branch.current_state).toBe('ready');

    const uri = await api('GET', `/projects/${PROJECT}/connection_uri?branch_id=${created.body.branch.id}&database_name=neondb&role_name=neondb_owner&pooled=true`);
    expect(uri.status).toBe(200);
    expect(uri.body.uri).toContain('ep-fork-000001-pooler.us-east-2.aws.neon.tech/neondb');

    const duplicate = await api('POST', `/projects/${PROJECT}/branches`, { branch: { name: 'alice' } });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body).toEqual({ code: '', message: 'branch with the provided name "alice" already exists' });
    expectClean(fake);
  });

  it('works with the official SDK (@neondatabase/api-client)', async () => {
    const { fake } = await neon({ async: { polls: 0 } });
    const sdk = createApiClient({ apiKey: fake.env.NEON_API_KEY!, baseURL: fake.env.FORK_STACK_NEON_API_URL! });
    const { data: created } = await sdk.createProjectBranch(PROJECT, { branch: { name: 'bob' }, endpoints: [{ type: EndpointType.ReadWrite }] });
    for (const operation of created.operations) {
      const { data } = await sdk.getProjectOperation(PROJECT, operation.id);
      expect(data.operation.status).toBe('finished');
    }
    const { data: listed } = await sdk.listProjectBranches({ projectId: PROJECT, search: 'bob' });
    expect(listed.branches.map((b) => b.name)).toEqual(['bob']);
    const { data: uri } = await sdk.getConnectionUri({ projectId: PROJECT, branch_id: created.branch.id, database_name: 'neondb', role_name: 'neondb_owner' });
    expect(uri.uri).toMatch(/^postgresql:\/\//);
    const { data: deleted } = await sdk.deleteProjectBranch({ projectId: PROJECT, branchId: created.branch.id });
    expect(deleted.branch.id).toBe(created.branch.id);
    // Deleting again: documented 204 for a branch that is gone.
    const again = await sdk.deleteProjectBranch({ projectId: PROJECT, branchId: created.branch.id });
    expect(again.status).toBe(204);
    expectClean(fake);
  });

  it('refuses to delete the default branch or a branch with children', async () => {
    const { fake, api } = await neon();
    const parent = fake.seed.branch(PROJECT, { name: 'parent' });
    fake.seed.branch(PROJECT, { name: 'child', parent_id: parent.id });
    const main = [...fake.state.branches.values()].find((b) => b.default)!;
    expect((await api('DELETE', `/projects/${PROJECT}/branches/${main.id}`)).status).toBe(400);
    expect((await api('DELETE', `/projects/${PROJECT}/branches/${parent.id}`)).status).toBe(400);
    expect(fake.state.branches.has(parent.id)).toBe(true);
    expectClean(fake);
  });

  it('walks the branch list page by page with pagination.next', async () => {
    const { fake, api } = await neon();
    for (let i = 0; i < 5; i += 1) fake.seed.branch(PROJECT, { name: `env-${i}` });
    const names: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await api('GET', `/projects/${PROJECT}/branches?sort_by=name&sort_order=asc&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      names.push(...page.body.branches.map((b: { name: string }) => b.name));
      cursor = page.body.pagination.next;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(names).toEqual(['env-0', 'env-1', 'env-2', 'env-3', 'env-4', 'main']);
    expectClean(fake);
  });

  it('rejects and records requests that do not match the spec', async () => {
    const { fake, api } = await neon();
    const typo = await api('POST', `/projects/${PROJECT}/branches`, { branch: { parent: 'br-main-000001', name: 'x' } });
    expect(typo.status).toBe(400);
    expect(typo.body.message).toContain('body/branch/parent is not a documented field');
    const badEnum = await api('POST', `/projects/${PROJECT}/branches`, { endpoints: [{ type: 'primary' }] });
    expect(badEnum.status).toBe(400);
    const missingQuery = await api('GET', `/projects/${PROJECT}/connection_uri?database_name=neondb`);
    expect(missingQuery.status).toBe(400);
    const unknownPath = await api('GET', `/projects/${PROJECT}/branchez`);
    expect(unknownPath.status).toBe(404);
    expect(fake.violations.map((v) => v.problems.join('; '))).toEqual([
      'body/branch/parent is not a documented field',
      expect.stringContaining('body/endpoints/0/type must be equal to one of the allowed values'),
      'query parameter role_name is required',
      `GET /projects/${PROJECT}/branchez is not an operation of the Neon API v2`,
    ]);
    expect(fake.state.branches.size).toBe(1);
  });

  it('answers 401 without or with a wrong key, 403 for a read-only key', async () => {
    const { fake } = await neon();
    const anonymous = client(fake.url, {});
    const missing = await anonymous('GET', `/projects/${PROJECT}/branches`);
    expect(missing.status).toBe(401);
    expect(fake.violations[0]?.problems[0]).toContain('missing credentials');
    const wrong = await client(fake.url, { authorization: 'Bearer nope' })('GET', `/projects/${PROJECT}/branches`);
    expect(wrong.status).toBe(401);
    const readOnly = fake.addReadOnlyCredentials();
    const reader = client(fake.url, { authorization: `Bearer ${readOnly.NEON_API_KEY}` });
    expect((await reader('GET', `/projects/${PROJECT}/branches`)).status).toBe(200);
    expect((await reader('POST', `/projects/${PROJECT}/branches`, { branch: { name: 'ro' } })).status).toBe(403);
    expect(fake.state.branches.size).toBe(1);
  });

  it('checks parent_timestamp against the history retention window', async () => {
    const { fake, api } = await neon();
    const old = new Date(Date.now() - 2 * 86_400_000).toISOString();
    expect((await api('POST', `/projects/${PROJECT}/branches`, { branch: { name: 'old', parent_timestamp: old } })).status).toBe(400);
    const recent = new Date(Date.now() - 3_600_000).toISOString();
    const created = await api('POST', `/projects/${PROJECT}/branches`, { branch: { name: 'recent', parent_timestamp: recent } });
    expect(created.status).toBe(201);
    expect(created.body.branch.parent_timestamp).toBe(recent);
    expectClean(fake);
  });
});

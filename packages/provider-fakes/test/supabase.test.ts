import { afterEach, describe, expect, it } from 'vitest';
import { startFake, type Fake, type FakeOptions } from '../src/index.js';
import { client, expectClean } from './helpers.js';

let fake: Fake<'supabase'> | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function supabase(options: FakeOptions = {}) {
  fake = await startFake('supabase', options);
  return { fake, api: client(fake.env.FORK_STACK_SUPABASE_API_URL!, { authorization: `Bearer ${fake.env.SUPABASE_ACCESS_TOKEN}` }) };
}

const REF = 'fakeprojectmyappaaaa';

describe('supabase fake', () => {
  it('creates a branch, polls it to ACTIVE_HEALTHY and reads its database config', async () => {
    const { fake, api } = await supabase({ async: { polls: 2 } });
    const created = await api('POST', `/v1/projects/${REF}/branches`, { branch_name: 'alice', with_data: false });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'alice', parent_project_ref: REF, is_default: false, status: 'RUNNING_MIGRATIONS', preview_project_status: 'COMING_UP' });
    expect(created.body.project_ref).toMatch(/^[a-z]{20}$/);
    const statuses: string[] = [];
    let config: Record<string, unknown> = {};
    for (let i = 0; i < 3; i += 1) {
      config = (await api('GET', `/v1/branches/${created.body.id}`)).body;
      statuses.push(config.status as string);
    }
    expect(statuses).toEqual(['COMING_UP', 'COMING_UP', 'ACTIVE_HEALTHY']);
    expect(config).toMatchObject({ ref: created.body.project_ref, db_host: `db.${created.body.project_ref}.supabase.co`, db_port: 5432, db_user: 'postgres', db_pass: expect.any(String) });
    const listed = await api('GET', `/v1/projects/${REF}/branches`);
    expect(listed.body.map((b: { name: string; is_default: boolean }) => [b.name, b.is_default])).toEqual([['main', true], ['alice', false]]);
    expect((await api('GET', `/v1/projects/${REF}/branches/alice`)).body.id).toBe(created.body.id);
    expect((await api('DELETE', `/v1/branches/${created.body.project_ref}`)).body).toEqual({ message: 'ok' });
    expect((await api('GET', `/v1/branches/${created.body.id}`)).status).toBe(404);
    expect(fake.forbiddenCalls).toEqual([]);
    expectClean(fake);
  });

  it('records the project-wide branch delete as a forbidden call (it disables branching)', async () => {
    const { fake, api } = await supabase();
    await api('POST', `/v1/projects/${REF}/branches`, { branch_name: 'bob' });
    expect((await api('DELETE', `/v1/projects/${REF}/branches`)).status).toBe(200);
    expect(fake.forbiddenCalls).toEqual([expect.objectContaining({ method: 'DELETE', operation: 'DELETE /v1/projects/{ref}/branches', reason: expect.stringContaining('disables preview branching') })]);
    expect(fake.state.branches).toEqual([]);
    expect(fake.state.branchingDisabled.has(REF)).toBe(true);
  });

  it('answers 409 for a taken name, 400 for deleting the default branch, 404 for unknown refs', async () => {
    const { fake, api } = await supabase();
    await api('POST', `/v1/projects/${REF}/branches`, { branch_name: 'dup' });
    expect(await api('POST', `/v1/projects/${REF}/branches`, { branch_name: 'dup' })).toMatchObject({ status: 409, body: { message: expect.stringContaining('already exists') } });
    const main = fake.state.branches.find((b) => b.is_default)!;
    expect((await api('DELETE', `/v1/branches/${main.id}`)).status).toBe(400);
    expect((await api('GET', '/v1/projects/nopenopenopenopenope/branches')).status).toBe(404);
    expectClean(fake);
  });

  it('rejects and records requests outside the spec; 401 without a token', async () => {
    const { fake, api } = await supabase();
    const bad = await api('POST', `/v1/projects/${REF}/branches`, { name: 'x' });
    expect(bad.status).toBe(400);
    expect(fake.violations[0]?.problems).toEqual(["body must have required property 'branch_name'", 'body/name is not a documented field']);
    expect((await api('POST', `/v1/projects/${REF}/branches`, { branch_name: 'x', desired_instance_size: 'huge' })).status).toBe(400);
    expect((await client(fake.url, {})('GET', `/v1/projects/${REF}/branches`)).status).toBe(401);
    expect(fake.state.branches).toHaveLength(1);
  });

  it('faults with 429 and Retry-After at the configured rate', async () => {
    const { fake, api } = await supabase({ faults: { rate: 0.25, seed: 9, kinds: ['429'], retryAfterSeconds: 60 } });
    const answers = [];
    for (let i = 0; i < 40; i += 1) answers.push(await api('GET', `/v1/projects/${REF}/branches`));
    const limited = answers.filter((a) => a.status === 429);
    expect(limited.length).toBeGreaterThan(4);
    expect(limited.length).toBeLessThan(18);
    expect(limited.every((a) => a.headers.get('retry-after') === '60')).toBe(true);
    expectClean(fake);
  });
});

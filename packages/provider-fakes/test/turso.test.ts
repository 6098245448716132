import { createClient } from '@tursodatabase/api';
import { afterEach, describe, expect, it } from 'vitest';
import { startFake, type Fake, type FakeOptions } from '../src/index.js';
import { client, expectClean } from './helpers.js';

let fake: Fake<'turso'> | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function turso(options: FakeOptions = {}) {
  fake = await startFake('turso', options);
  const api = client(fake.env.FORK_STACK_TURSO_API_URL!, { authorization: `Bearer ${fake.env.TURSO_API_TOKEN}` });
  return { fake, api };
}

const ORG = '/v1/organizations/fake-org';

describe('turso fake', () => {
  it('branches a database from its parent at a point in time, issues a token, lists by group and parent (fetch)', async () => {
    const { fake, api } = await turso();
    const at = new Date(Date.now() - 3_600_000).toISOString();
    const created = await api('POST', `${ORG}/databases`, { name: 'myapp-alice', group: 'default', seed: { type: 'database', name: 'myapp', timestamp: at } });
    expect(created.status).toBe(200);
    expect(created.body.database).toEqual({ DbId: expect.any(String), Hostname: 'myapp-alice-fake-org.turso.io', Name: 'myapp-alice' });
    expect(fake.state.databases.get('myapp-alice')?.seed).toEqual({ name: 'myapp', timestamp: at });

    const token = await api('POST', `${ORG}/databases/myapp-alice/auth/tokens?expiration=2w&authorization=full-access`);
    expect(token.body.jwt.split('.')).toHaveLength(3);
    expect(fake.state.tokens[0]).toMatchObject({ scope: 'database', name: 'myapp-alice', expiration: '2w', authorization: 'full-access' });

    await api('POST', `${ORG}/groups`, { name: 'other', location: 'aws-eu-west-1' });
    fake.seed.database('elsewhere', { group: 'other' });
    const inDefault = await api('GET', `${ORG}/databases?group=default`);
    expect(inDefault.body.databases.map((db: { Name: string }) => db.Name).sort()).toEqual(['myapp', 'myapp-alice']);
    const parentId = fake.state.databases.get('myapp')!.DbId;
    const children = await api('GET', `${ORG}/databases?parent=${parentId}`);
    expect(children.body.databases).toEqual([expect.objectContaining({ Name: 'myapp-alice', parent: { id: parentId, name: 'myapp', branched_at: at } })]);

    expect((await api('DELETE', `${ORG}/databases/myapp-alice`)).body).toEqual({ database: 'myapp-alice' });
    expect((await api('DELETE', `${ORG}/databases/myapp-alice`)).status).toBe(404);
    expectClean(fake);
  });

  it('answers the documented errors: 409 exists, 400 unknown group, other group, bad name, old timestamp', async () => {
    const { fake, api } = await turso();
    const exists = await api('POST', `${ORG}/databases`, { name: 'myapp', group: 'default' });
    expect(exists).toMatchObject({ status: 409, body: { error: 'database myapp already exists' } });
    expect((await api('POST', `${ORG}/databases`, { name: 'x', group: 'nope' })).body).toEqual({ error: 'group nope not found' });
    await api('POST', `${ORG}/groups`, { name: 'other', location: 'aws-eu-west-1' });
    const crossGroup = await api('POST', `${ORG}/databases`, { name: 'y', group: 'other', seed: { type: 'database', name: 'myapp' } });
    expect(crossGroup.status).toBe(400);
    expect((await api('POST', `${ORG}/databases`, { name: 'Bad_Name', group: 'default' })).status).toBe(400);
    const tooOld = new Date(Date.now() - 2 * 86_400_000).toISOString();
    expect((await api('POST', `${ORG}/databases`, { name: 'z', group: 'default', seed: { type: 'database', name: 'myapp', timestamp: tooOld } })).status).toBe(400);
    expect((await api('POST', `${ORG}/databases/myapp/auth/tokens?expiration=soon`)).status).toBe(400);
    expect([...fake.state.databases.keys()]).toEqual(['myapp']);
    expectClean(fake);
  });

  it('catches the docs example typo ("type:") as an undocumented field', async () => {
    const { fake, api } = await turso();
    const typo = await api('POST', `${ORG}/databases`, { name: 'branch', group: 'default', seed: { 'type:': 'database', name: 'myapp' } });
    expect(typo.status).toBe(400);
    expect(fake.violations[0]?.problems).toEqual(['body/seed/type: is not a documented field']);
    expect((await api('POST', `${ORG}/databases`, { group: 'default' })).status).toBe(400);
    expect(fake.violations[1]?.problems).toEqual(["body must have required property 'name'"]);
  });

  it('works with the official SDK (@tursodatabase/api)', async () => {
    const { fake } = await turso();
    const sdk = createClient({ org: 'fake-org', token: fake.env.TURSO_API_TOKEN!, baseUrl: `${fake.env.FORK_STACK_TURSO_API_URL}/v1/` });
    const created = await sdk.databases.create('myapp-bob', { group: 'default', seed: { type: 'database', name: 'myapp' } });
    expect(created.name).toBe('myapp-bob');
    const { jwt } = await sdk.databases.createToken('myapp-bob', { expiration: '1d', authorization: 'read-only' });
    expect(jwt).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect((await sdk.databases.list({ group: 'default' })).map((db) => db.name).sort()).toEqual(['myapp', 'myapp-bob']);
    await sdk.databases.delete('myapp-bob');
    await expect(sdk.databases.get('myapp-bob')).rejects.toMatchObject({ status: 404, message: 'database myapp-bob not found' });
    expectClean(fake);
  });

  it('answers 401 without or with a wrong token', async () => {
    const { fake } = await turso();
    expect((await client(fake.url, {})('GET', `${ORG}/databases`)).status).toBe(401);
    expect((await client(fake.url, { authorization: 'Bearer wrong' })('GET', `${ORG}/databases`)).status).toBe(401);
    expect(fake.violations).toHaveLength(1);
  });

  it('faults the configured fraction with a fixed seed and keeps state untouched', async () => {
    const { fake, api } = await turso({ faults: { rate: 0.5, seed: 3, kinds: ['503'] } });
    const statuses: number[] = [];
    for (let i = 0; i < 40; i += 1) statuses.push((await api('POST', `${ORG}/databases`, { name: `db-${i}`, group: 'default' })).status);
    const failed = statuses.filter((s) => s === 503).length;
    expect(failed).toBeGreaterThan(10);
    expect(failed).toBeLessThan(30);
    expect(fake.state.databases.size).toBe(1 + statuses.filter((s) => s === 200).length);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { startFake, type Fake, type FakeOptions } from '../src/index.js';
import { client, expectClean } from './helpers.js';

let fake: Fake<'upstash-redis'> | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function upstash(options: FakeOptions = {}) {
  fake = await startFake('upstash-redis', options);
  const basic = Buffer.from(`${fake.env.UPSTASH_EMAIL}:${fake.env.UPSTASH_API_KEY}`).toString('base64');
  return { fake, api: client(fake.env.FORK_STACK_UPSTASH_API_URL!, { authorization: `Basic ${basic}` }) };
}

describe('upstash redis (developer API) fake', () => {
  it('creates, lists, reads (with and without credentials) and deletes a database', async () => {
    const { fake, api } = await upstash();
    expect(fake.url).toMatch(/\/v2$/);
    const created = await api('POST', '/redis/database', { database_name: 'myapp-alice', platform: 'aws', primary_region: 'us-east-1', tls: true });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ database_name: 'myapp-alice', port: 6379, tls: true, state: 'active', password: expect.any(String), endpoint: expect.stringMatching(/\.upstash\.io$/) });
    const listed = await api('GET', '/redis/databases');
    expect(listed.body.map((db: { database_name: string }) => db.database_name)).toEqual(['myapp-cache', 'myapp-alice']);
    const hidden = await api('GET', `/redis/database/${created.body.database_id}?credentials=hide`);
    expect(hidden.body.password).toBeUndefined();
    expect((await api('GET', `/redis/database/${created.body.database_id}`)).body.password).toBe(created.body.password);
    expect((await api('DELETE', `/redis/database/${created.body.database_id}`)).body).toBe('OK');
    expect(await api('GET', `/redis/database/${created.body.database_id}`)).toMatchObject({ status: 404, text: 'database not found' });
    expectClean(fake);
  });

  it('refuses a taken name and requests outside the spec', async () => {
    const { fake, api } = await upstash();
    expect((await api('POST', '/redis/database', { database_name: 'myapp-cache', platform: 'aws', primary_region: 'us-east-1' })).status).toBe(400);
    expect(fake.violations).toEqual([]);
    const missingRegion = await api('POST', '/redis/database', { database_name: 'x', region: 'us-east-1' });
    expect(missingRegion.status).toBe(400);
    expect(fake.violations[0]?.problems).toEqual([
      "body must have required property 'platform'", "body must have required property 'primary_region'", 'body/region is not a documented field',
    ]);
    expect((await api('POST', '/redis/database', { database_name: 'x', platform: 'aws', primary_region: 'mars-1' })).status).toBe(400);
    expect(fake.state.databases.size).toBe(1);
  });

  it('answers 401 without Basic credentials or with a wrong key', async () => {
    const { fake } = await upstash();
    expect((await client(fake.url, {})('GET', '/redis/databases')).status).toBe(401);
    expect((await client(fake.url, { authorization: 'Bearer x' })('GET', '/redis/databases')).status).toBe(401);
    const wrong = Buffer.from(`${fake.env.UPSTASH_EMAIL}:nope`).toString('base64');
    expect((await client(fake.url, { authorization: `Basic ${wrong}` })('GET', '/redis/databases')).status).toBe(401);
    expect(fake.violations).toHaveLength(2);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { startFake, type Fake, type FakeOptions } from '../src/index.js';
import { client, expectClean } from './helpers.js';

let fake: Fake<'redis-cloud'> | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function redisCloud(options: FakeOptions = {}) {
  fake = await startFake('redis-cloud', options);
  return {
    fake,
    api: client(fake.env.FORK_STACK_REDIS_CLOUD_API_URL!, { 'x-api-key': fake.env.REDIS_CLOUD_API_KEY!, 'x-api-secret-key': fake.env.REDIS_CLOUD_API_SECRET_KEY! }),
  };
}

const SUB = '/subscriptions/100001';

async function waitForTask(api: ReturnType<typeof client>, taskId: string): Promise<{ statuses: string[]; last: Record<string, any> }> {
  const statuses: string[] = [];
  for (let i = 0; i < 20; i += 1) {
    const task = (await api('GET', `/tasks/${taskId}`)).body;
    statuses.push(task.status);
    if (task.status === 'processing-completed' || task.status === 'processing-error') return { statuses, last: task };
  }
  throw new Error(`task ${taskId} never finished: ${statuses.join(', ')}`);
}

describe('redis cloud fake', () => {
  it('creates a database through a task that completes after the configured polls, then provisions it', async () => {
    const { fake, api } = await redisCloud({ async: { polls: 2 } });
    const accepted = await api('POST', `${SUB}/databases`, { name: 'myapp-alice', datasetSizeInGb: 1, password: 'secret-1', dataEvictionPolicy: 'allkeys-lru' });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ commandType: 'databaseCreateRequest', status: 'received' });
    const { statuses, last } = await waitForTask(api, accepted.body.taskId);
    expect(statuses).toEqual(['processing-in-progress', 'processing-in-progress', 'processing-completed']);
    const databaseId = last.response.resourceId as number;
    const states: string[] = [];
    for (let i = 0; i < 3; i += 1) states.push((await api('GET', `${SUB}/databases/${databaseId}`)).body.status);
    expect(states).toEqual(['pending', 'pending', 'active']);
    const db = (await api('GET', `${SUB}/databases/${databaseId}`)).body;
    expect(db).toMatchObject({ name: 'myapp-alice', security: { password: 'secret-1' }, publicEndpoint: expect.stringMatching(/redis-cloud\.com:\d+$/) });

    const deletion = await api('DELETE', `${SUB}/databases/${databaseId}`);
    expect(deletion).toMatchObject({ status: 202, body: { commandType: 'databaseDeleteRequest' } });
    await waitForTask(api, deletion.body.taskId);
    expect((await api('GET', `${SUB}/databases/${databaseId}`)).status).toBe(404);
    expectClean(fake);
  });

  it('reports a taken name as a failed task (processing-error), as the API does', async () => {
    const { fake, api } = await redisCloud({ async: { polls: 0 } });
    const accepted = await api('POST', `${SUB}/databases`, { name: 'myapp-cache' });
    expect(accepted.status).toBe(202);
    const { last } = await waitForTask(api, accepted.body.taskId);
    expect(last).toMatchObject({ status: 'processing-error', response: { error: { type: 'DATABASE_NAME_ALREADY_IN_USE' } } });
    expect([...fake.state.databases.values()].map((d) => d.name)).toEqual(['myapp-cache']);
    expectClean(fake);
  });

  it('lists databases with offset/limit', async () => {
    const { fake, api } = await redisCloud({ pageSize: 2 });
    for (let i = 0; i < 3; i += 1) fake.seed.database(100001, `env-${i}`);
    const names: string[] = [];
    for (let offset = 0; ; offset += 2) {
      const page = (await api('GET', `${SUB}/databases?offset=${offset}`)).body.subscription[0];
      expect(page.numberOfDatabases).toBe(4);
      names.push(...page.databases.map((d: { name: string }) => d.name));
      if (offset + 2 >= page.numberOfDatabases) break;
    }
    expect(names).toEqual(['myapp-cache', 'env-0', 'env-1', 'env-2']);
    expectClean(fake);
  });

  it('requires both key headers, rejects bodies outside the spec, 404s unknown subscriptions', async () => {
    const { fake, api } = await redisCloud();
    expect((await client(fake.url, { 'x-api-key': fake.env.REDIS_CLOUD_API_KEY! })('GET', `${SUB}/databases`)).status).toBe(401);
    expect((await client(fake.url, { 'x-api-key': 'x', 'x-api-secret-key': 'y' })('GET', `${SUB}/databases`)).status).toBe(401);
    expect((await api('POST', `${SUB}/databases`, { databaseName: 'x' })).status).toBe(400);
    expect(fake.violations.map((v) => v.problems)).toEqual([
      [expect.stringContaining('missing credentials')],
      ["body must have required property 'name'", 'body/databaseName is not a documented field'],
    ]);
    expect((await api('GET', '/subscriptions/999/databases')).status).toBe(404);
    expect(fake.state.tasks.size).toBe(0);
  });
});

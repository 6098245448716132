import { afterEach, describe, expect, it } from 'vitest';
import { startFake, type Fake, type FakeOptions } from '../src/index.js';
import { client, expectClean } from './helpers.js';

let fake: Fake<'qstash'> | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function qstash(options: FakeOptions = {}) {
  fake = await startFake('qstash', options);
  return { fake, api: client(fake.env.FORK_STACK_QSTASH_API_URL!, { authorization: `Bearer ${fake.env.QSTASH_TOKEN}` }) };
}

describe('qstash fake', () => {
  it('upserts, lists, reads and deletes queues', async () => {
    const { fake, api } = await qstash();
    expect((await api('POST', '/v2/queues', { queueName: 'alice-emails', parallelism: 1 })).status).toBe(200);
    expect((await api('POST', '/v2/queues', { queueName: 'alice-emails', parallelism: 3 })).status).toBe(200);
    expect((await api('GET', '/v2/queues/alice-emails')).body).toMatchObject({ name: 'alice-emails', parallelism: 3, paused: false, lag: 0 });
    expect((await api('GET', '/v2/queues')).body.map((q: { name: string }) => q.name)).toEqual(['myapp-emails', 'alice-emails']);
    expect((await api('DELETE', '/v2/queues/alice-emails')).status).toBe(200);
    expect(await api('GET', '/v2/queues/alice-emails')).toMatchObject({ status: 404, body: { error: 'queue alice-emails not found' } });
    expectClean(fake);
  });

  it('answers 412 past the plan limits and 400 for bad names', async () => {
    const { fake, api } = await qstash({ scenario: { limits: { maxQueues: 2, maxParallelism: 5 }, queues: [{ name: 'one' }] } });
    expect((await api('POST', '/v2/queues', { queueName: 'two', parallelism: 6 })).status).toBe(412);
    expect((await api('POST', '/v2/queues', { queueName: 'two', parallelism: 5 })).status).toBe(200);
    expect((await api('POST', '/v2/queues', { queueName: 'three', parallelism: 1 })).status).toBe(412);
    expect((await api('POST', '/v2/queues', { queueName: 'bad name', parallelism: 1 })).status).toBe(400);
    expectClean(fake);
  });

  it('rejects bodies outside the spec; accepts the token as Bearer or qstash_token; 401 otherwise', async () => {
    const { fake, api } = await qstash();
    expect((await api('POST', '/v2/queues', { name: 'x' })).status).toBe(400);
    expect(fake.violations[0]?.problems).toEqual([
      "body must have required property 'queueName'", "body must have required property 'parallelism'", 'body/name is not a documented field',
    ]);
    expect((await client(fake.url, {})('GET', `/v2/queues?qstash_token=${fake.env.QSTASH_TOKEN}`)).status).toBe(200);
    expect((await client(fake.url, {})('GET', '/v2/queues')).status).toBe(401);
    expect((await client(fake.url, { authorization: 'Bearer nope' })('GET', '/v2/queues')).status).toBe(401);
  });
});

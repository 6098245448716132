import { afterEach, describe, expect, it } from 'vitest';
import { startFake, type Fake, type FakeOptions } from '../src/index.js';
import { client, expectClean } from './helpers.js';

// The core (faults, latency, deterministic failures, reset) is provider-independent; Neon is the vehicle.
let fake: Fake<'neon'> | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const PROJECT = 'fake-project-myapp';

async function neon(options: FakeOptions = {}) {
  fake = await startFake('neon', options);
  return { fake, api: client(fake.url, { authorization: `Bearer ${fake.env.NEON_API_KEY}` }) };
}

async function statuses(api: ReturnType<typeof client>, count: number): Promise<number[]> {
  const seen: number[] = [];
  for (let i = 0; i < count; i += 1) {
    try {
      seen.push((await api('GET', `/projects/${PROJECT}/branches`)).status);
    } catch {
      seen.push(0); // dropped connection
    }
  }
  return seen;
}

describe('fault injection', () => {
  it('faults about the configured fraction of requests, reproducibly from the seed', async () => {
    const { api } = await neon({ faults: { rate: 0.3, seed: 42 } });
    const first = await statuses(api, 200);
    const faulted = first.filter((status) => status !== 200).length;
    expect(faulted).toBeGreaterThanOrEqual(40);
    expect(faulted).toBeLessThanOrEqual(80);
    expect(new Set(first.filter((status) => status !== 200))).toEqual(new Set([429, 500, 503, 0]));
    fake!.reset();
    expect(await statuses(api, 200)).toEqual(first);
  });

  it('sends Retry-After with 429 and never changes state on a fault', async () => {
    const { fake, api } = await neon({ faults: { rate: 1, kinds: ['429'], retryAfterSeconds: 7 } });
    const answer = await api('POST', `/projects/${PROJECT}/branches`, { branch: { name: 'alice' } });
    expect(answer.status).toBe(429);
    expect(answer.headers.get('retry-after')).toBe('7');
    expect(fake.state.branches.size).toBe(1);
    expect(fake.requests[0]).toMatchObject({ method: 'POST', status: 429, fault: '429', operation: 'POST /projects/{project_id}/branches' });
  });

  it('applies the request first in afterApply mode, so a retried create meets its own result', async () => {
    const { fake, api } = await neon({ faults: { rate: 1, kinds: ['500'], afterApply: true } });
    const answer = await api('POST', `/projects/${PROJECT}/branches`, { branch: { name: 'alice' } });
    expect(answer.status).toBe(500);
    expect([...fake.state.branches.values()].map((b) => b.name)).toContain('alice');
    expect(fake.requests[0]).toMatchObject({ status: 500, fault: '500', afterApply: true });
  });

  it('drops the connection, or stalls past the client timeout', async () => {
    const { fake, api } = await neon({ faults: { rate: 1, kinds: ['drop'] } });
    await expect(api('GET', `/projects/${PROJECT}/branches`)).rejects.toThrow();
    await fake.close();
    const stalled = await neon({ faults: { rate: 1, kinds: ['stall'], stallMs: 60_000 } });
    const aborted = fetch(`${stalled.fake.url}/projects/${PROJECT}/branches`, {
      headers: { authorization: `Bearer ${stalled.fake.env.NEON_API_KEY}` },
      signal: AbortSignal.timeout(200),
    });
    await expect(aborted).rejects.toThrow(/timeout|aborted/i);
  });

  it('fails exactly the nth matching request (failNth)', async () => {
    const { fake, api } = await neon();
    fake.failNth({ operation: 'POST /projects/{project_id}/branches', where: (body) => (body as { branch?: { name?: string } }).branch?.name === 'bob', fault: '500' });
    expect((await api('POST', `/projects/${PROJECT}/branches`, { branch: { name: 'alice' } })).status).toBe(201);
    expect((await api('POST', `/projects/${PROJECT}/branches`, { branch: { name: 'bob' } })).status).toBe(500);
    expect((await api('POST', `/projects/${PROJECT}/branches`, { branch: { name: 'bob' } })).status).toBe(201);
    fake.failNth({ method: 'GET', path: `/api/v2/projects/${PROJECT}/branches`, nth: 2, times: 2, fault: '503' });
    expect(await statuses(api, 4)).toEqual([200, 503, 503, 200]);
    expectClean(fake);
  });

  it('only faults the chosen methods', async () => {
    const { api } = await neon({ faults: { rate: 1, kinds: ['503'], methods: ['POST'] } });
    expect(await statuses(api, 3)).toEqual([200, 200, 200]);
    expect((await api('POST', `/projects/${PROJECT}/branches`, {})).status).toBe(503);
  });
});

describe('fake lifecycle', () => {
  it('adds the configured latency to every answer', async () => {
    const { api } = await neon({ latencyMs: 60 });
    const started = performance.now();
    await api('GET', `/projects/${PROJECT}/branches`);
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('reset() forgets state and logs and re-applies the scenario', async () => {
    const { fake, api } = await neon();
    await api('POST', `/projects/${PROJECT}/branches`, { branch: { name: 'alice' } });
    await api('GET', '/nope');
    expect(fake.state.branches.size).toBe(2);
    fake.reset();
    expect(fake.state.branches.size).toBe(1);
    expect(fake.requests).toEqual([]);
    expect(fake.violations).toEqual([]);
  });

  it('starts empty with scenario "empty" and from a JSON scenario', async () => {
    const empty = await neon({ scenario: 'empty' });
    expect(empty.fake.state.projects.size).toBe(0);
    await empty.fake.close();
    const custom = await neon({ scenario: { projects: [{ id: 'p-one', name: 'one', roles: ['a', 'b'] }] } });
    expect([...custom.fake.state.projects.keys()]).toEqual(['p-one']);
    expect(custom.fake.state.roles.map((r) => r.name)).toEqual(['a', 'b']);
  });

  it('revoked credentials get 401', async () => {
    const { fake, api } = await neon();
    fake.revokeCredentials(fake.env);
    expect((await api('GET', `/projects/${PROJECT}/branches`)).status).toBe(401);
  });
});

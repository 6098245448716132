import { describe, expect, it } from 'vitest';
import { FAKE_NAMES, startFake, type FakeName } from '../src/index.js';

// One cheap authenticated read per fake, to run the shared behaviours (faults, latency, env) on each.
const READS: Record<FakeName, { path: string; init: (env: Record<string, string>) => RequestInit }> = {
  neon: { path: '/projects/fake-project-myapp/branches', init: (env) => ({ headers: { authorization: `Bearer ${env.NEON_API_KEY}` } }) },
  turso: { path: '/v1/organizations/fake-org/databases', init: (env) => ({ headers: { authorization: `Bearer ${env.TURSO_API_TOKEN}` } }) },
  planetscale: {
    path: '/organizations/fake-org/databases/myapp/branches',
    init: (env) => ({ headers: { authorization: `${env.PLANETSCALE_SERVICE_TOKEN_ID}:${env.PLANETSCALE_SERVICE_TOKEN}` } }),
  },
  supabase: { path: '/v1/projects/fakeprojectmyappaaaa/branches', init: (env) => ({ headers: { authorization: `Bearer ${env.SUPABASE_ACCESS_TOKEN}` } }) },
  doppler: { path: '/v3/configs?project=myapp', init: (env) => ({ headers: { authorization: `Bearer ${env.DOPPLER_TOKEN}` } }) },
  'aws-secrets': {
    path: '/',
    init: (env) => ({
      method: 'POST',
      headers: {
        authorization: `AWS4-HMAC-SHA256 Credential=${env.AWS_ACCESS_KEY_ID}/20250101/us-east-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=0`,
        'x-amz-target': 'secretsmanager.ListSecrets', 'content-type': 'application/x-amz-json-1.1',
      },
      body: '{}',
    }),
  },
  vault: { path: '/v1/secret/data/myapp/dev', init: (env) => ({ headers: { 'x-vault-token': env.VAULT_TOKEN! } }) },
  'upstash-redis': {
    path: '/redis/databases',
    init: (env) => ({ headers: { authorization: `Basic ${Buffer.from(`${env.UPSTASH_EMAIL}:${env.UPSTASH_API_KEY}`).toString('base64')}` } }),
  },
  qstash: { path: '/v2/queues', init: (env) => ({ headers: { authorization: `Bearer ${env.QSTASH_TOKEN}` } }) },
  'redis-cloud': { path: '/subscriptions/100001/databases', init: (env) => ({ headers: { 'x-api-key': env.REDIS_CLOUD_API_KEY!, 'x-api-secret-key': env.REDIS_CLOUD_API_SECRET_KEY! } }) },
};

async function outcomes(url: string, init: RequestInit, count: number): Promise<number[]> {
  const seen: number[] = [];
  for (let i = 0; i < count; i += 1) {
    try {
      const response = await fetch(url, init);
      await response.arrayBuffer();
      seen.push(response.status);
    } catch {
      seen.push(0);
    }
  }
  return seen;
}

describe('every fake', () => {
  it('has a read in this table', () => {
    expect(Object.keys(READS).sort()).toEqual([...FAKE_NAMES].sort());
  });

  for (const name of FAKE_NAMES) {
    it(`${name}: answers the read cleanly, then faults the configured fraction reproducibly from the seed`, async () => {
      const plain = await startFake(name);
      try {
        const { path, init } = READS[name];
        expect(Object.values(plain.env).every((value) => value.length > 0)).toBe(true);
        expect((await fetch(`${plain.url}${path}`, init(plain.env))).status).toBe(200);
        expect(plain.violations).toEqual([]);
        expect(plain.responseProblems).toEqual([]);
      } finally {
        await plain.close();
      }

      const fake = await startFake(name, { faults: { rate: 0.4, seed: 21, kinds: ['429', '500', '503', 'drop'] } });
      try {
        const { path, init } = READS[name];
        const first = await outcomes(`${fake.url}${path}`, init(fake.env), 60);
        const faulted = first.filter((status) => status !== 200).length;
        expect(faulted).toBeGreaterThanOrEqual(12);
        expect(faulted).toBeLessThanOrEqual(36);
        expect(first.some((status) => status === 0)).toBe(true);
        expect(fake.requests.filter((r) => r.fault).length).toBe(faulted);
        fake.reset();
        expect(await outcomes(`${fake.url}${path}`, init(fake.env), 60)).toEqual(first);
        expect(fake.violations).toEqual([]);
      } finally {
        await fake.close();
      }
    });
  }
});

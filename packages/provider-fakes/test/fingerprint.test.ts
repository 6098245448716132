import { describe, expect, it } from 'vitest';
import { FAKE_NAMES, startFake, type FakeName } from '../src/index.js';

// A resource each fake's default scenario seeds (what a provider contract uses as the parent).
const SEEDED: Record<FakeName, string> = {
  neon: 'main',
  turso: 'myapp',
  planetscale: 'main',
  supabase: 'main',
  doppler: 'dev',
  'aws-secrets': 'myapp/prod',
  vault: 'myapp/prod',
  'upstash-redis': 'myapp-cache',
  qstash: 'myapp-emails',
  'redis-cloud': 'myapp-cache',
};

describe('fake.fingerprint: a stable hash of what a fake holds for a resource', () => {
  it.each(FAKE_NAMES)('%s fingerprints its seeded resource, the same twice, and "absent" for a name it does not hold', async (name) => {
    const fake = await startFake(name);
    try {
      const print = fake.fingerprint(SEEDED[name]);
      expect(print).toMatch(/^[0-9a-f]{64}$/);
      expect(fake.fingerprint(SEEDED[name])).toBe(print);
      expect(fake.fingerprint('no-such-resource')).toBe('absent');
    } finally {
      await fake.close();
    }
  });

  it('neon: polling a branch status leaves it; resetting a role password changes it', async () => {
    const fake = await startFake('neon', { async: { polls: 3 } });
    try {
      const before = fake.fingerprint('main');
      const headers = { authorization: `Bearer ${fake.env.NEON_API_KEY}` };
      for (let i = 0; i < 4; i++) await (await fetch(`${fake.url}/projects/fake-project-myapp/branches`, { headers })).arrayBuffer();
      expect(fake.fingerprint('main')).toBe(before);
      const role = fake.state.roles[0]!;
      role.password = `${role.password}-reset`;
      expect(fake.fingerprint('main')).not.toBe(before);
    } finally {
      await fake.close();
    }
  });

  it('turso: a token issued for a database leaves it; turning off its delete protection changes it', async () => {
    const fake = await startFake('turso');
    try {
      const before = fake.fingerprint('myapp');
      const response = await fetch(`${fake.url}/v1/organizations/fake-org/databases/myapp/auth/tokens`, { method: 'POST', headers: { authorization: `Bearer ${fake.env.TURSO_API_TOKEN}` } });
      expect(response.status).toBe(200);
      expect(fake.fingerprint('myapp')).toBe(before);
      fake.state.databases.get('myapp')!.delete_protection = !fake.state.databases.get('myapp')!.delete_protection;
      expect(fake.fingerprint('myapp')).not.toBe(before);
    } finally {
      await fake.close();
    }
  });
});

/**
 * The valkey cache provider (the redis module under its own name). Runs against valkey-server when it is
 * installed (Debian trixie and later; VALKEY_SERVER_BIN) and always against redis-server, since Valkey
 * speaks the same protocol: Debian bookworm, the CI image, has no valkey-server package.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { provider } from '../../src/providers/cache/valkey.js';
import { schema, type ValkeyOptions } from '../../src/providers/cache/valkey.schema.js';
import type { Provider } from '../../src/providers/types.js';
import { testContext } from '../helpers/context.js';
import { ownershipContract } from '../helpers/ownership-contract.js';
import { providerContract } from '../helpers/provider-contract.js';
import { databaseForeign, prefixForeign } from '../helpers/redis-ownership.js';
import { REGISTRY_KEYS } from '../../src/providers/redis-common/registry.js';
import { readKeys, redisServerAvailable, seedKeys, startRedisServer, type RedisServer, type ServerFlavour } from '../helpers/redis-server.js';

const flavours: ServerFlavour[] = [];
if (redisServerAvailable('valkey', false)) flavours.push('valkey');
if (redisServerAvailable('redis')) flavours.push('redis');

for (const flavour of flavours) {
  describe(`valkey provider on ${flavour}-server`, () => {
    let server: RedisServer;
    let client: Redis;
    let root: string;
    const ctx = (options: Record<string, unknown> = {}, project = 'app') =>
      testContext<ValkeyOptions>({ kind: 'cache', root, schema, options, project, env: { REDIS_URL: server.url } });
    beforeAll(async () => {
      server = await startRedisServer({ flavour, password: 'valkey-pw' });
      client = await server.client();
      root = mkdtempSync(path.join(os.tmpdir(), 'valkey-test-'));
    });
    afterAll(async () => {
      await server?.stop();
      rmSync(root, { recursive: true, force: true });
    });

    providerContract(`valkey (${flavour}) prefix + copy`, provider as Provider<unknown>, async () => {
      const c = ctx({ copy: true }, 'contract');
      await seedKeys(client, 'contract:dev:');
      return {
        ctx: c,
        parent: 'dev',
        fingerprint: async (env) => JSON.stringify([...(await readKeys(client, `contract:${env}:`, { relative: true }))].sort()),
      };
    });

    // Without copy a fork starts empty, so the fingerprint is the parent's database whatever env is asked:
    // it proves the parent never changed.
    providerContract(`valkey (${flavour}) db`, provider as Provider<unknown>, async () => {
      const parentDb = await server.client(7);
      await seedKeys(parentDb, '');
      return {
        ctx: ctx({ isolation: 'db', names: { dev: '7' } }, 'contractdb'),
        parent: 'dev',
        fingerprint: async () => JSON.stringify([...(await readKeys(parentDb, ''))].sort()),
        cleanup: async () => void (await parentDb.flushdb()),
      };
    });

    // 'empty' does not apply: an unrecorded prefix without keys, or an empty unrecorded database, is nothing.
    ownershipContract(`valkey (${flavour}) prefix`, provider as Provider<unknown>, async () => ({
      ctx: ctx({}, 'owner'),
      parent: 'dev',
      foreign: prefixForeign(client, REGISTRY_KEYS.cachePrefixes, 'owner', (env) => `owner:${env}:`),
    }));

    ownershipContract(`valkey (${flavour}) db`, provider as Provider<unknown>, async () => ({
      ctx: ctx({ isolation: 'db', names: { 'contract-foreign': '3' } }, 'ownerdb'),
      parent: 'dev',
      foreign: databaseForeign((n) => server.client(n), REGISTRY_KEYS.cacheDatabases, 'ownerdb', 3),
    }));

    it('names itself valkey in messages and reports which server it found', async () => {
      expect(provider.name).toBe('valkey');
      await expect(provider.fork(ctx({ names: { prod: 'app:' } }), { env: 'alice', parent: 'dev' })).rejects.toThrow(/^valkey: /);
      const checks = await provider.check(ctx());
      const version = checks.find((c) => c.name === 'server version');
      expect(version?.message).toMatch(flavour === 'valkey' ? /^Valkey / : /^Redis /);
      if (flavour === 'redis') expect(checks.find((c) => c.name === 'server kind')?.message).toMatch(/works with any Redis-protocol server/);
    });
  });
}

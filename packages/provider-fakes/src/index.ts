import { FakeServer, type FakeOptions } from './core/server.js';
import { FAKE_NAMES, providers, type FakeName, type FakeTypes } from './registry.js';

export type { FakeOptions, ForbiddenCall, RequestRecord, Violation } from './core/server.js';
export type { FailRule, FaultKind, FaultOptions } from './core/faults.js';
export type { AsyncOptions } from './core/progress.js';
export type { FakeName, FakeTypes } from './registry.js';
export { FakeServer, FAKE_NAMES };

export type Fake<N extends FakeName> = FakeTypes[N];

/**
 * Start the named fake on a free loopback port. `fake.env` holds the base-URL override and credentials a
 * client needs; `fake.close()` stops it.
 */
export async function startFake<N extends FakeName>(name: N, options: FakeOptions = {}): Promise<FakeTypes[N]> {
  const load = providers[name];
  if (!load) throw new Error(`unknown fake "${String(name)}"; known: ${FAKE_NAMES.join(', ')}`);
  const definition = await load();
  const fake = new FakeServer(definition, options);
  await fake.listen();
  return fake as unknown as FakeTypes[N];
}

export type { NeonSeed } from './providers/neon/index.js';
export type { NeonBranch, NeonProject, NeonState } from './providers/neon/model.js';
export type { TursoDatabase, TursoSeed, TursoState } from './providers/turso.js';
export type { PlanetScaleSeed } from './providers/planetscale/index.js';
export type { PlanetScaleBranch, PlanetScaleState } from './providers/planetscale/model.js';
export type { SupabaseBranch, SupabaseSeed, SupabaseState } from './providers/supabase.js';
export type { DopplerConfig, DopplerSeed, DopplerState } from './providers/doppler/index.js';
export type { AwsSecret, AwsSecretsSeed, AwsSecretsState } from './providers/aws-secrets/index.js';
export type { VaultSecret, VaultSeed, VaultState } from './providers/vault/index.js';
export type { UpstashDatabase, UpstashSeed, UpstashState } from './providers/upstash-redis.js';
export type { QStashQueue, QStashSeed, QStashState } from './providers/qstash.js';
export type { RedisCloudDatabase, RedisCloudSeed, RedisCloudState, RedisCloudTask } from './providers/redis-cloud/index.js';

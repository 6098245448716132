import type { ProviderDefinition } from './core/provider.js';
import type { FakeServer } from './core/server.js';
import type { AwsSecretsSeed, AwsSecretsState } from './providers/aws-secrets/index.js';
import type { DopplerSeed, DopplerState } from './providers/doppler/index.js';
import type { NeonSeed } from './providers/neon/index.js';
import type { NeonState } from './providers/neon/model.js';
import type { PlanetScaleSeed } from './providers/planetscale/index.js';
import type { PlanetScaleState } from './providers/planetscale/model.js';
import type { QStashSeed, QStashState } from './providers/qstash.js';
import type { RedisCloudSeed, RedisCloudState } from './providers/redis-cloud/index.js';
import type { SupabaseSeed, SupabaseState } from './providers/supabase.js';
import type { TursoSeed, TursoState } from './providers/turso.js';
import type { UpstashSeed, UpstashState } from './providers/upstash-redis.js';
import type { VaultSeed, VaultState } from './providers/vault/index.js';

/** Every fake by name, with its state and seed helper types. */
export interface FakeTypes {
  neon: FakeServer<NeonState, NeonSeed>;
  turso: FakeServer<TursoState, TursoSeed>;
  planetscale: FakeServer<PlanetScaleState, PlanetScaleSeed>;
  supabase: FakeServer<SupabaseState, SupabaseSeed>;
  doppler: FakeServer<DopplerState, DopplerSeed>;
  'aws-secrets': FakeServer<AwsSecretsState, AwsSecretsSeed>;
  vault: FakeServer<VaultState, VaultSeed>;
  'upstash-redis': FakeServer<UpstashState, UpstashSeed>;
  qstash: FakeServer<QStashState, QStashSeed>;
  'redis-cloud': FakeServer<RedisCloudState, RedisCloudSeed>;
}

export type FakeName = keyof FakeTypes;

type DefinitionOf<N extends FakeName> = FakeTypes[N] extends FakeServer<infer S, infer D> ? ProviderDefinition<S, D> : never;

// Lazy: a test that starts one fake loads (and compiles the schemas of) only that provider.
export const providers: { [N in FakeName]: () => Promise<DefinitionOf<N>> } = {
  neon: async () => (await import('./providers/neon/index.js')).neon,
  turso: async () => (await import('./providers/turso.js')).turso,
  planetscale: async () => (await import('./providers/planetscale/index.js')).planetscale,
  supabase: async () => (await import('./providers/supabase.js')).supabase,
  doppler: async () => (await import('./providers/doppler/index.js')).doppler,
  'aws-secrets': async () => (await import('./providers/aws-secrets/index.js')).awsSecrets,
  vault: async () => (await import('./providers/vault/index.js')).vault,
  'upstash-redis': async () => (await import('./providers/upstash-redis.js')).upstashRedis,
  qstash: async () => (await import('./providers/qstash.js')).qstash,
  'redis-cloud': async () => (await import('./providers/redis-cloud/index.js')).redisCloud,
};

export const FAKE_NAMES = Object.keys(providers) as FakeName[];

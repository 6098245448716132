/**
 * The one place providers are registered. Each entry loads lazily: the schema module when a config names
 * the provider, the implementation (and its SDK) only when a command talks to it. Adding a backend is one
 * line here, one module with its schema, one docs page. A provider from an installed package is named
 * `npm:<package>` and loaded from the project root by packages.ts, imported only then.
 */
import { PACKAGE_PREFIX } from './package-api.js';
import type { Kind, ProviderContext, ProviderModule, ProviderSchemaModule } from './types.js';

export interface RegistryEntry {
  schema: () => Promise<ProviderSchemaModule>;
  load: () => Promise<ProviderModule>;
  /** One line for `init` prompts and `--help`. */
  summary: string;
  /** Runs entirely on this machine (the embedded local stack). */
  local?: boolean;
  /** The kind's provider in the local stack: what `init` writes and offers first when nothing names one. */
  default?: boolean;
  /**
   * For `init` on a terminal: the existing resources the root environment may be (a shared server that
   * already holds the user's data, where an empty root would be wrong). Loads the implementation lazily.
   */
  adoptableRoots?: () => Promise<(ctx: ProviderContext) => Promise<string[]>>;
}

export const registry: Record<Kind, Record<string, RegistryEntry>> = {
  database: {
    sqlite: {
      summary: 'SQLite/libSQL file per environment (local)',
      local: true,
      default: true,
      schema: () => import('./database/sqlite.schema.js'),
      load: () => import('./database/sqlite.js'),
    },
    postgres: {
      summary: 'PostgreSQL (any server): CREATE DATABASE … TEMPLATE per environment',
      schema: () => import('./database/postgres.schema.js'),
      load: () => import('./database/postgres.js'),
      adoptableRoots: async () => {
        const { serverDatabases } = await import('./database/postgres.js');
        return (ctx) => serverDatabases(ctx as Parameters<typeof serverDatabases>[0]);
      },
    },
    neon: {
      summary: 'Neon: a copy-on-write branch of a Neon project per environment',
      schema: () => import('./database/neon.schema.js'),
      load: () => import('./database/neon.js'),
    },
    turso: {
      summary: 'Turso: a database seeded from the parent database (same group) per environment',
      schema: () => import('./database/turso.schema.js'),
      load: () => import('./database/turso.js'),
    },
    planetscale: {
      summary: 'PlanetScale: a development branch of a PlanetScale database per environment',
      schema: () => import('./database/planetscale.schema.js'),
      load: () => import('./database/planetscale.js'),
    },
    supabase: {
      summary: 'Supabase: a preview branch of a Supabase project per environment',
      schema: () => import('./database/supabase.schema.js'),
      load: () => import('./database/supabase.js'),
    },
  },
  storage: {
    fs: {
      summary: 'a directory per environment (local)',
      local: true,
      default: true,
      schema: () => import('./storage/fs.schema.js'),
      load: () => import('./storage/fs.js'),
    },
    s3: {
      summary: 'AWS S3 or any S3-compatible endpoint: a bucket (or prefix) per environment, parallel server-side copy',
      schema: () => import('./storage/s3.schema.js'),
      load: () => import('./storage/s3.js'),
    },
    r2: {
      summary: 'Cloudflare R2: a bucket (or prefix) per environment, parallel server-side copy',
      schema: () => import('./storage/r2.schema.js'),
      load: () => import('./storage/r2.js'),
    },
    tigris: {
      summary: 'Tigris: a copy-on-write fork of the parent bucket per environment (O(1))',
      schema: () => import('./storage/tigris.schema.js'),
      load: () => import('./storage/tigris.js'),
    },
  },
  secrets: {
    dotenv: {
      summary: 'a dotenv file per environment (local)',
      local: true,
      default: true,
      schema: () => import('./secrets/dotenv.schema.js'),
      load: () => import('./secrets/dotenv.js'),
    },
    doppler: {
      summary: 'Doppler: a branch config per environment (dev_alice)',
      schema: () => import('./secrets/doppler.schema.js'),
      load: () => import('./secrets/doppler.js'),
    },
    'aws-secrets': {
      summary: 'AWS Secrets Manager: one JSON secret per environment ({project}/{env})',
      schema: () => import('./secrets/aws-secrets.schema.js'),
      load: () => import('./secrets/aws-secrets.js'),
    },
    vault: {
      summary: 'HashiCorp Vault KV v2: one entry per environment (secret/{project}/{env})',
      schema: () => import('./secrets/vault.schema.js'),
      load: () => import('./secrets/vault.js'),
    },
  },
  cache: {
    redis: {
      summary: 'a key prefix or database per environment on any Redis server',
      schema: () => import('./cache/redis.schema.js'),
      load: () => import('./cache/redis.js'),
    },
    valkey: {
      summary: 'a key prefix or database per environment on any Valkey server (same as redis)',
      schema: () => import('./cache/valkey.schema.js'),
      load: () => import('./cache/valkey.js'),
    },
    'upstash-redis': {
      summary: 'Upstash Redis: a database per environment (Developer API)',
      schema: () => import('./cache/upstash-redis.schema.js'),
      load: () => import('./cache/upstash-redis.js'),
    },
    'redis-cloud': {
      summary: 'Redis Cloud: a database per environment in a Pro subscription',
      schema: () => import('./cache/redis-cloud.schema.js'),
      load: () => import('./cache/redis-cloud.js'),
    },
  },
  queue: {
    bullmq: {
      summary: 'BullMQ queues under a prefix per environment on any Redis server',
      schema: () => import('./queue/bullmq.schema.js'),
      load: () => import('./queue/bullmq.js'),
    },
    inngest: {
      summary: 'an Inngest branch environment per environment (INNGEST_ENV)',
      schema: () => import('./queue/inngest.schema.js'),
      load: () => import('./queue/inngest.js'),
    },
    'upstash-qstash': {
      summary: 'Upstash QStash: queues named per environment ({project}-{env}-{queue})',
      schema: () => import('./queue/upstash-qstash.schema.js'),
      load: () => import('./queue/upstash-qstash.js'),
    },
  },
};

export function providerNames(kind: Kind): string[] {
  return Object.keys(registry[kind]);
}

/**
 * The entry for a provider name: a built-in, or with `root` (the project root it resolves from) an
 * installed package named `npm:<package>`.
 */
export function lookup(kind: Kind, name: string, root?: string): RegistryEntry | undefined {
  if (name.startsWith(PACKAGE_PREFIX)) return root === undefined ? undefined : packageEntry(kind, name, root);
  return Object.prototype.hasOwnProperty.call(registry[kind], name) ? registry[kind][name] : undefined;
}

/** The kind's local-stack provider (`default: true`), if it has one. */
export function defaultProvider(kind: Kind): string | undefined {
  return Object.entries(registry[kind]).find(([, entry]) => entry.default)?.[0];
}

/** Every registered name, whatever its kind: what `cli/` may not spell out (test/architecture). */
export function allProviderNames(): string[] {
  return (Object.keys(registry) as Kind[]).flatMap((kind) => providerNames(kind));
}

function packageEntry(kind: Kind, name: string, root: string): RegistryEntry {
  return {
    summary: `${kind} provider from the package ${name.slice(PACKAGE_PREFIX.length)}`,
    schema: async () => (await import('./packages.js')).loadPackageSchema(kind, name, root),
    load: async () => (await import('./packages.js')).loadPackageProvider(kind, name, root),
  };
}

import { basicCredentials } from '../core/auth.js';
import { HttpError, notFound } from '../core/http-error.js';
import type { Handler, ProviderDefinition, SeedContext } from '../core/provider.js';
import { loadSpec } from '../core/spec-files.js';
import { some } from '../core/fingerprint.js';

export interface UpstashDatabase {
  database_id: string;
  database_name: string;
  platform: 'aws' | 'gcp';
  primary_region: string;
  read_regions: string[];
  endpoint: string;
  password: string;
  rest_token: string;
  read_only_rest_token: string;
  tls: boolean;
  eviction: boolean;
  type: string;
  creation_time: number;
}

export interface UpstashState {
  databases: Map<string, UpstashDatabase>;
}

export interface UpstashSeed {
  database(name: string, options?: { primary_region?: string }): UpstashDatabase;
}

function newDatabase(state: UpstashState, n: number, body: { database_name: string; platform?: 'aws' | 'gcp'; primary_region: string; read_regions?: string[]; tls?: boolean; eviction?: boolean; plan?: string }): UpstashDatabase {
  const slug = body.database_name.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  const created: UpstashDatabase = {
    database_id: `00000000-0000-4000-b000-${n.toString(16).padStart(12, '0')}`, database_name: body.database_name, platform: body.platform ?? 'aws',
    primary_region: body.primary_region, read_regions: body.read_regions ?? [], endpoint: `${slug}-fake-${10000 + n}.upstash.io`,
    password: `AZfake${n.toString(36).padStart(10, '0')}pw`, rest_token: `AZfake${n.toString(36).padStart(10, '0')}rest`,
    read_only_rest_token: `AhfakeRO${n.toString(36).padStart(10, '0')}`, tls: body.tls ?? true, eviction: body.eviction ?? false,
    type: body.plan === 'free' || body.plan === undefined ? 'free' : 'payg', creation_time: Math.floor(Date.now() / 1000),
  };
  state.databases.set(created.database_id, created);
  return created;
}

function view(db: UpstashDatabase, hideCredentials: boolean) {
  return {
    database_id: db.database_id, database_name: db.database_name, region: 'global', port: 6379, creation_time: db.creation_time, state: 'active',
    endpoint: db.endpoint, tls: db.tls, type: db.type, primary_region: db.primary_region, primary_members: [db.primary_region],
    all_members: [db.primary_region, ...db.read_regions], read_regions: db.read_regions, eviction: db.eviction, auto_upgrade: false,
    consistent: false, db_max_clients: 1000, db_max_request_size: 10_485_760, db_disk_threshold: 268_435_456, db_max_entry_size: 104_857_600,
    db_memory_threshold: 268_435_456, db_max_commands_per_second: 10_000, db_request_limit: 500_000, budget: 0,
    // Documented: `?credentials=hide` leaves the secrets out.
    ...(hideCredentials ? {} : { password: db.password, rest_token: db.rest_token, read_only_rest_token: db.read_only_rest_token }),
  };
}

const handlers: Record<string, Handler<UpstashState>> = {
  'POST /redis/database': (ctx) => {
    const body = ctx.body as Parameters<typeof newDatabase>[2];
    if ([...ctx.state.databases.values()].some((db) => db.database_name === body.database_name)) {
      throw new HttpError(400, `database with name ${body.database_name} already exists`);
    }
    if ((body.read_regions ?? []).includes(body.primary_region)) throw new HttpError(400, 'read_regions must not include the primary region');
    return { body: view(newDatabase(ctx.state, ctx.nextId('database'), body), false) };
  },
  'GET /redis/databases': (ctx) => ({ body: [...ctx.state.databases.values()].map((db) => view(db, false)) }),
  'GET /redis/database/{id}': (ctx) => {
    const found = ctx.state.databases.get(ctx.params.id!);
    if (!found) throw notFound('database not found');
    return { body: view(found, ctx.query.credentials === 'hide') };
  },
  'DELETE /redis/database/{id}': (ctx) => {
    if (!ctx.state.databases.delete(ctx.params.id!)) throw notFound('database not found');
    return { body: 'OK' };
  },
};

function seeder(state: UpstashState, ctx: SeedContext): UpstashSeed {
  return {
    database: (name, options = {}) => newDatabase(state, ctx.nextId('database'), { database_name: name, platform: 'aws', primary_region: options.primary_region ?? 'us-east-1' }),
  };
}

/**
 * Upstash Developer API, Redis databases (https://upstash.com/docs/devops/developer-api/introduction).
 * Base URL https://api.upstash.com/v2; HTTP Basic `EMAIL:API_KEY`.
 */
export const upstashRedis: ProviderDefinition<UpstashState, UpstashSeed> = {
  name: 'upstash-redis',
  title: 'Upstash Developer API',
  spec: loadSpec('upstash-developer.json'),
  basePath: '/v2',
  urlVariable: 'FORK_STACK_UPSTASH_API_URL',
  credentials: { UPSTASH_EMAIL: 'dev@example.com', UPSTASH_API_KEY: 'fake-upstash-api-key' },
  credentialKey: (env) => `${env.UPSTASH_EMAIL ?? ''}:${env.UPSTASH_API_KEY ?? ''}`,
  credentialOf: (headers) => basicCredentials(headers),
  // The Developer API answers errors as plain text.
  authError: (failure) => failure === 'read-only'
    ? { status: 403, text: 'the API key is read-only' }
    : { status: 401, text: failure === 'missing' ? 'missing basic auth credentials' : 'Unauthorized' },
  error: (status, message) => ({ status, text: message }),
  createState: () => ({ databases: new Map() }),
  resource: (state, name) => some([...state.databases.values()].filter((db) => db.database_name === name)),
  seeder,
  seed(seed, scenario) {
    const databases = (scenario?.databases as { name: string; primary_region?: string }[] | undefined) ?? [{ name: 'myapp-cache' }];
    for (const db of databases) seed.database(db.name, db);
  },
  handlers,
};

import { bearerToken } from '../core/auth.js';
import { badRequest, conflict, notFound } from '../core/http-error.js';
import type { Handler, HandlerContext, ProviderDefinition, SeedContext } from '../core/provider.js';
import { loadSpec } from '../core/spec-files.js';

export interface TursoDatabase {
  DbId: string;
  Name: string;
  group: string;
  created_at: string;
  parent?: { id: string; name: string; branched_at: string };
  /** For tests: what the branch was seeded from (source name and point in time). */
  seed?: { name: string; timestamp?: string };
  delete_protection: boolean;
  size_limit?: string;
}

export interface TursoGroup {
  uuid: string;
  name: string;
  location: string;
}

export interface TursoToken {
  jwt: string;
  /** 'database' or 'group' the token was issued for, and its name. */
  scope: 'database' | 'group';
  name: string;
  authorization: 'full-access' | 'read-only';
  expiration: string;
  /** Tokens issued before the last rotate of their database or group stop working. */
  generation: number;
}

export interface TursoState {
  organization: string;
  /** How far back `seed.timestamp` may reach (the plan's point-in-time window). Default 24 h. */
  pointInTimeHours: number;
  databases: Map<string, TursoDatabase>;
  groups: Map<string, TursoGroup>;
  tokens: TursoToken[];
  generations: Map<string, number>;
}

export interface TursoSeed {
  /** Rename the organization (default `fake-org`). */
  organization(slug: string): void;
  group(name: string, location?: string): TursoGroup;
  database(name: string, options?: { group?: string }): TursoDatabase;
}

type Ctx = HandlerContext<TursoState>;
interface CreateDatabaseBody {
  name: string;
  group: string;
  seed?: { type?: 'database' | 'database_upload'; name?: string; timestamp?: string };
  size_limit?: string;
}

const NAME = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
const EXPIRATION = /^(never|(\d+[wdhms])+)$/;

function organization(ctx: Ctx): string {
  if (ctx.params.organizationSlug !== ctx.state.organization) throw notFound(`organization ${ctx.params.organizationSlug} not found`);
  return ctx.state.organization;
}

function database(ctx: Ctx): TursoDatabase {
  organization(ctx);
  const found = ctx.state.databases.get(ctx.params.databaseName!);
  if (!found) throw notFound(`database ${ctx.params.databaseName} not found`);
  return found;
}

function group(ctx: Ctx): TursoGroup {
  organization(ctx);
  const found = ctx.state.groups.get(ctx.params.groupName!);
  if (!found) throw notFound(`group ${ctx.params.groupName} not found`);
  return found;
}

const hostname = (state: TursoState, name: string) => `${name}-${state.organization}.turso.io`;

function databaseView(state: TursoState, db: TursoDatabase) {
  const location = state.groups.get(db.group)?.location ?? 'aws-us-east-1';
  return {
    Name: db.Name, DbId: db.DbId, Hostname: hostname(state, db.Name), block_reads: false, block_writes: false,
    regions: [location], primaryRegion: location, group: db.group, delete_protection: db.delete_protection, parent: db.parent ?? null,
  };
}

function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'EdDSA', typ: 'JWT' })}.${part(claims)}.${Buffer.from('fake-signature').toString('base64url')}`;
}

function issueToken(ctx: Ctx, scope: 'database' | 'group', name: string, id: string): { jwt: string } {
  const expiration = (ctx.query.expiration as string | undefined) ?? 'never';
  if (!EXPIRATION.test(expiration)) throw badRequest(`invalid expiration "${expiration}": use "never" or a duration such as 2w1d30m`);
  const authorization = (ctx.query.authorization as 'full-access' | 'read-only' | undefined) ?? 'full-access';
  const generation = ctx.state.generations.get(`${scope}:${name}`) ?? 0;
  const token = jwt({ a: authorization === 'read-only' ? 'ro' : 'rw', iat: Math.floor(Date.now() / 1000), id, n: ctx.nextId('jwt'), gen: generation });
  ctx.state.tokens.push({ jwt: token, scope, name, authorization, expiration, generation });
  return { jwt: token };
}

const createDatabase: Handler<TursoState> = (ctx) => {
  organization(ctx);
  const body = ctx.body as CreateDatabaseBody;
  if (!NAME.test(body.name)) throw badRequest(`invalid database name "${body.name}": use lower-case letters, digits and dashes, at most 64 characters`);
  if (ctx.state.databases.has(body.name)) throw conflict(`database ${body.name} already exists`);
  if (!ctx.state.groups.has(body.group)) throw badRequest(`group ${body.group} not found`);
  let parent: TursoDatabase['parent'];
  let seed: TursoDatabase['seed'];
  if (body.seed?.type === 'database') {
    if (!body.seed.name) throw badRequest('seed.name is required when seed.type is "database"');
    const source = ctx.state.databases.get(body.seed.name);
    if (!source) throw badRequest(`seed database ${body.seed.name} not found`);
    if (source.group !== body.group) throw badRequest(`seed database ${source.Name} is in group ${source.group}, not ${body.group}: a branch must be in its source's group`);
    const now = ctx.now();
    if (body.seed.timestamp !== undefined) {
      const at = Date.parse(body.seed.timestamp);
      if (Number.isNaN(at)) throw badRequest(`invalid seed.timestamp "${body.seed.timestamp}": use an ISO 8601 date-time`);
      if (at > Date.now()) throw badRequest('seed.timestamp is in the future');
      if (at < Date.now() - ctx.state.pointInTimeHours * 3_600_000 || at < Date.parse(source.created_at)) {
        throw badRequest(`seed.timestamp is outside the point-in-time restore window (${ctx.state.pointInTimeHours} h)`);
      }
    }
    parent = { id: source.DbId, name: source.Name, branched_at: body.seed.timestamp ?? now };
    seed = { name: source.Name, ...(body.seed.timestamp !== undefined ? { timestamp: body.seed.timestamp } : {}) };
  } else if (body.seed && body.seed.type !== 'database_upload') {
    throw badRequest('seed.type must be "database" or "database_upload"');
  }
  const created: TursoDatabase = {
    DbId: uuidFor(ctx.nextId('database')), Name: body.name, group: body.group, created_at: ctx.now(), delete_protection: false,
    ...(parent ? { parent } : {}), ...(seed ? { seed } : {}), ...(body.size_limit ? { size_limit: body.size_limit } : {}),
  };
  ctx.state.databases.set(created.Name, created);
  return { body: { database: { DbId: created.DbId, Hostname: hostname(ctx.state, created.Name), Name: created.Name } } };
};

const uuidFor = (n: number) => `00000000-0000-4000-9000-${n.toString(16).padStart(12, '0')}`;

const handlers: Record<string, Handler<TursoState>> = {
  'GET /v1/organizations/{organizationSlug}/databases': (ctx) => {
    organization(ctx);
    const byGroup = ctx.query.group as string | undefined;
    const byParent = ctx.query.parent as string | undefined;
    const databases = [...ctx.state.databases.values()]
      .filter((db) => (!byGroup || db.group === byGroup) && (!byParent || db.parent?.id === byParent));
    return { body: { databases: databases.map((db) => databaseView(ctx.state, db)) } };
  },
  'POST /v1/organizations/{organizationSlug}/databases': createDatabase,
  'GET /v1/organizations/{organizationSlug}/databases/{databaseName}': (ctx) => ({ body: { database: databaseView(ctx.state, database(ctx)) } }),
  'DELETE /v1/organizations/{organizationSlug}/databases/{databaseName}': (ctx) => {
    const found = database(ctx);
    if (found.delete_protection) throw badRequest(`database ${found.Name} has delete protection enabled`);
    ctx.state.databases.delete(found.Name);
    return { body: { database: found.Name } };
  },
  'GET /v1/organizations/{organizationSlug}/databases/{databaseName}/configuration': (ctx) => {
    const found = database(ctx);
    return { body: { size_limit: found.size_limit ?? '', allow_attach: false, block_reads: false, block_writes: false, delete_protection: found.delete_protection } };
  },
  'PATCH /v1/organizations/{organizationSlug}/databases/{databaseName}/configuration': (ctx) => {
    const found = database(ctx);
    const changes = ctx.body as { delete_protection?: boolean; size_limit?: string };
    if (changes.delete_protection !== undefined) found.delete_protection = changes.delete_protection;
    if (changes.size_limit !== undefined) found.size_limit = changes.size_limit;
    return { body: { size_limit: found.size_limit ?? '', allow_attach: false, block_reads: false, block_writes: false, delete_protection: found.delete_protection } };
  },
  'GET /v1/organizations/{organizationSlug}/databases/{databaseName}/instances': (ctx) => {
    const found = database(ctx);
    const location = ctx.state.groups.get(found.group)?.location ?? 'aws-us-east-1';
    return { body: { instances: [{ uuid: found.DbId, name: location, type: 'primary', region: location, hostname: hostname(ctx.state, found.Name) }] } };
  },
  'POST /v1/organizations/{organizationSlug}/databases/{databaseName}/auth/tokens': (ctx) => {
    const found = database(ctx);
    return { body: issueToken(ctx, 'database', found.Name, found.DbId) };
  },
  'POST /v1/organizations/{organizationSlug}/databases/{databaseName}/auth/rotate': (ctx) => {
    const found = database(ctx);
    ctx.state.generations.set(`database:${found.Name}`, (ctx.state.generations.get(`database:${found.Name}`) ?? 0) + 1);
    return { body: {} };
  },
  'GET /v1/organizations/{organizationSlug}/groups': (ctx) => {
    organization(ctx);
    return { body: { groups: [...ctx.state.groups.values()].map((g) => groupView(ctx.state, g)) } };
  },
  'POST /v1/organizations/{organizationSlug}/groups': (ctx) => {
    organization(ctx);
    const body = ctx.body as { name: string; location: string };
    if (!NAME.test(body.name)) throw badRequest(`invalid group name "${body.name}"`);
    if (ctx.state.groups.has(body.name)) throw conflict(`group ${body.name} already exists`);
    const created = { uuid: uuidFor(1000 + ctx.nextId('group')), name: body.name, location: body.location };
    ctx.state.groups.set(created.name, created);
    return { body: { group: groupView(ctx.state, created) } };
  },
  'GET /v1/organizations/{organizationSlug}/groups/{groupName}': (ctx) => ({ body: { group: groupView(ctx.state, group(ctx)) } }),
  'DELETE /v1/organizations/{organizationSlug}/groups/{groupName}': (ctx) => {
    const found = group(ctx);
    if ([...ctx.state.databases.values()].some((db) => db.group === found.name)) {
      throw badRequest(`group ${found.name} still has databases: delete them first`);
    }
    ctx.state.groups.delete(found.name);
    return { body: { group: groupView(ctx.state, found) } };
  },
  'POST /v1/organizations/{organizationSlug}/groups/{groupName}/auth/tokens': (ctx) => {
    const found = group(ctx);
    return { body: issueToken(ctx, 'group', found.name, found.uuid) };
  },
  'POST /v1/organizations/{organizationSlug}/groups/{groupName}/auth/rotate': (ctx) => {
    const found = group(ctx);
    ctx.state.generations.set(`group:${found.name}`, (ctx.state.generations.get(`group:${found.name}`) ?? 0) + 1);
    return { body: {} };
  },
  'GET /v1/organizations': (ctx) => ({ body: [organizationView(ctx.state)] }),
  'GET /v1/organizations/{organizationSlug}': (ctx) => {
    organization(ctx);
    return { body: { organization: organizationView(ctx.state) } };
  },
  'GET /v1/auth/validate': () => ({ body: { exp: -1 } }),
  'GET /v1/locations': () => ({ body: { locations: { 'aws-us-east-1': 'AWS US East (Virginia)', 'aws-eu-west-1': 'AWS EU West (Ireland)' } } }),
};

const groupView = (_state: TursoState, g: TursoGroup) => ({
  name: g.name, uuid: g.uuid, locations: [g.location], primary: g.location, delete_protection: false,
});

const organizationView = (state: TursoState) => ({
  name: state.organization, slug: state.organization, type: 'team' as const, overages: false, blocked_reads: false, blocked_writes: false, plan_id: 'scaler',
});

function seeder(state: TursoState, ctx: SeedContext): TursoSeed {
  return {
    organization(slug) {
      state.organization = slug;
    },
    group(name, location = 'aws-us-east-1') {
      const created = { uuid: uuidFor(1000 + ctx.nextId('group')), name, location };
      state.groups.set(name, created);
      return created;
    },
    database(name, options = {}) {
      const groupName = options.group ?? 'default';
      if (!state.groups.has(groupName)) this.group(groupName);
      // Created a day ago, so point-in-time branches have history to reach into.
      const created: TursoDatabase = {
        DbId: uuidFor(ctx.nextId('database')), Name: name, group: groupName, created_at: new Date(Date.now() - 86_400_000).toISOString(), delete_protection: false,
      };
      state.databases.set(name, created);
      return created;
    },
  };
}

/**
 * Turso Platform API (https://docs.turso.tech/api-reference). Base URL https://api.turso.tech (paths start
 * with /v1); Bearer platform API token. The official SDK sends some JSON bodies without a JSON
 * Content-Type, which the API accepts.
 */
export const turso: ProviderDefinition<TursoState, TursoSeed> = {
  name: 'turso',
  title: 'Turso Platform API',
  spec: loadSpec('turso.json'),
  basePath: '',
  urlVariable: 'FORK_STACK_TURSO_API_URL',
  credentials: { TURSO_API_TOKEN: 'turso-fake-api-token' },
  credentialKey: (env) => env.TURSO_API_TOKEN ?? '',
  credentialOf: (headers) => bearerToken(headers),
  authError: (failure) => failure === 'read-only'
    ? { status: 403, body: { error: 'forbidden: the token cannot perform this action' } }
    : { status: 401, body: { error: failure === 'missing' ? 'no authorization header' : 'could not parse jwt' } },
  error: (status, message) => ({ status, body: { error: message } }),
  anyContentTypeForJson: true,
  createState: () => ({ organization: 'fake-org', pointInTimeHours: 24, databases: new Map(), groups: new Map(), tokens: [], generations: new Map() }),
  // Tokens are left out: issuing one to read a database does not change it.
  resource: (state, name) => state.databases.get(name),
  seeder,
  seed(seed, scenario) {
    if (typeof scenario?.organization === 'string') seed.organization(scenario.organization);
    const groups = (scenario?.groups as { name: string; location?: string }[] | undefined) ?? [{ name: 'default' }];
    for (const g of groups) seed.group(g.name, g.location);
    const databases = (scenario?.databases as { name: string; group?: string }[] | undefined) ?? [{ name: 'myapp', group: 'default' }];
    for (const db of databases) seed.database(db.name, db.group ? { group: db.group } : {});
  },
  handlers,
};

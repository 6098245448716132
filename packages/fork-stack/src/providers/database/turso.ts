/**
 * Turso: every environment is a database in one group, created by seeding it from the parent database
 * (Turso's database branching: `seed: { type: "database", name, timestamp? }`). DATABASE_URL is
 * `libsql://<Hostname>`; DATABASE_AUTH_TOKEN is a database token minted on create and switch.
 *
 * The Platform API is called through core/http.ts rather than @tursodatabase/api: that SDK takes a base
 * URL but no timeout or abort signal, hides Retry-After and the status of non-JSON errors (so 429/5xx
 * cannot be retried properly), and its list has no `parent` field filter. The API is small and documented.
 *
 * Ownership: Turso databases carry no labels (the Platform API has no field fork-stack could write a
 * marker in: no labels, annotations or comments on databases or groups), so what fork-stack made is
 * proven by its ownership record (cloud/checkout-record.ts): the DbId Turso gave the database it created,
 * recorded with the project and environment. A same-named database made by hand has another DbId.
 * Roots are adopted by name and never created, deleted or forked over.
 */
import { apiBaseUrl, requireEnv } from '../../core/credentials.js';
import { OperationError, UsageError } from '../../core/errors.js';
import type { HttpClient } from '../../core/http.js';
import { registerSecret } from '../../core/scrub.js';
import type { Check, ForkRequest, Provider, ProviderContext, Resource } from '../types.js';
import { cloudChecks } from '../cloud/check.js';
import { listed } from '../cloud/list.js';
import { providerHttp } from '../cloud/http.js';
import { isAdoptedEnv, Naming } from '../cloud/naming.js';
import { forgetMade, ownershipOf, ownershipText, readRecord, recordMade, recordPending, type Ownership } from '../cloud/checkout-record.js';
import { BASE_URL_ENV, DEFAULT_BASE_URL, DEFAULT_NAMES, TOKEN_ENV, type TursoOptions } from './turso.schema.js';

type Ctx = ProviderContext<TursoOptions>;

interface TursoDatabase {
  Name: string;
  DbId: string;
  Hostname: string;
  group?: string;
  delete_protection?: boolean;
  parent?: { id?: string; name?: string; branched_at?: string } | null;
}

const naming = new Naming(DEFAULT_NAMES, {
  noun: 'Turso database',
  maxLength: 64,
  pattern: /^[a-z0-9-]+$/,
  patternText: 'Turso database names use only lower-case letters, digits and "-"',
});

const HOW_TO_GET_TOKEN = 'Create a Platform API token with `turso auth api-tokens mint fork-stack`.';

function api(ctx: Ctx): HttpClient {
  const token = requireEnv(ctx, TOKEN_ENV, HOW_TO_GET_TOKEN);
  return providerHttp(ctx, 'turso', apiBaseUrl(ctx, BASE_URL_ENV, DEFAULT_BASE_URL), { authorization: `Bearer ${token}` });
}

function orgPath(ctx: Ctx, rest = ''): string {
  return `/v1/organizations/${encodeURIComponent(ctx.options.organization)}${rest}`;
}

function dbPath(ctx: Ctx, name: string, rest = ''): string {
  return orgPath(ctx, `/databases/${encodeURIComponent(name)}${rest}`);
}

async function getDatabase(ctx: Ctx, http: HttpClient, name: string, what: string): Promise<TursoDatabase | undefined> {
  const res = await http.request<{ database?: TursoDatabase }>({ path: dbPath(ctx, name), what, expect: [404], signal: ctx.signal });
  return res.status === 404 ? undefined : res.body?.database;
}

async function ownership(ctx: Ctx, db: TursoDatabase, env: string): Promise<Ownership> {
  if (isAdoptedEnv(ctx, env) || (db.group !== undefined && db.group !== ctx.options.group)) return { owned: false };
  const parentName = (await readRecord(ctx, env))?.parent;
  return ownershipOf(ctx, env, db.DbId, {
    name: db.Name,
    createdAt: db.parent?.branched_at,
    fromParent: parentName !== undefined && db.parent?.name === naming.nameOf(ctx, parentName),
  });
}

function toResource(ctx: Ctx, db: TursoDatabase, env: string, own: Ownership): Resource {
  const parentEnv = db.parent?.name ? naming.envOf(ctx, db.parent.name) : undefined;
  const details: Record<string, string | number | boolean> = { hostname: db.Hostname };
  if (db.group) details.group = db.group;
  if (db.parent?.branched_at) details.branched_at = db.parent.branched_at;
  return {
    env,
    name: db.Name,
    id: db.DbId,
    parent: parentEnv,
    createdAt: db.parent?.branched_at,
    state: 'ready',
    owned: own.owned,
    ...(own.markedFor ? { markedFor: own.markedFor } : {}),
    details,
  };
}

/** Turso documents `2023-12-20T09:46:08Z`: RFC 3339 without fractional seconds. */
function seedTimestamp(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

async function verifyOurs(ctx: Ctx, db: TursoDatabase, env: string, parentName: string): Promise<Ownership> {
  const own = await ownership(ctx, db, env);
  if (!own.owned) {
    throw new OperationError(
      `turso: a database named "${db.Name}" already exists in organization ${ctx.options.organization}${db.group && db.group !== ctx.options.group ? ` (in group "${db.group}")` : ''} and was not made by fork-stack for project "${ctx.project}", environment "${env}": ${ownershipText(ctx, env, own)}; it was left untouched`,
      { hint: `Delete or rename it with the Turso CLI, or give "${env}" another name (name = "…" or names = { ${env} = "…" } in [${ctx.slot}]).` },
    );
  }
  if (db.parent?.name !== parentName) {
    throw new OperationError(`turso: database "${db.Name}" of "${env}" exists already, seeded from "${db.parent?.name}", not "${parentName}"`, {
      hint: `Delete "${env}" first to fork it again.`,
    });
  }
  // A create of this checkout whose answer was lost (its pending record): record it for good now.
  const record = await readRecord(ctx, env);
  if (record?.pending) await recordMade(ctx, env, { provider: 'turso', id: db.DbId, name: db.Name, parent: record.parent });
  return own;
}

async function fork(ctx: Ctx, request: ForkRequest): Promise<Resource> {
  const { env, parent, at } = request;
  const name = naming.nameOf(ctx, env);
  if (isAdoptedEnv(ctx, env)) throw new UsageError(`turso: "${env}" is a root or protected environment; its database "${name}" is adopted, never created or overwritten`);
  if (at && at.getTime() > ctx.now().getTime()) throw new UsageError(`turso: --at ${at.toISOString()} is in the future`, { hint: 'Give a time within the last 24 hours (30 days on paid plans).' });
  const http = api(ctx);
  const parentName = naming.nameOf(ctx, parent);
  const existing = await getDatabase(ctx, http, name, `look up database "${name}"`);
  if (existing) return toResource(ctx, existing, env, await verifyOurs(ctx, existing, env, parentName));
  const parentDb = await getDatabase(ctx, http, parentName, `look up parent database "${parentName}"`);
  if (!parentDb) {
    throw new OperationError(`turso: parent database "${parentName}" of environment "${parent}" does not exist in organization ${ctx.options.organization}`, {
      hint: `Create it, or map "${parent}" to an existing database with names = { ${parent} = "<database>" } in [${ctx.slot}].`,
    });
  }
  if (parentDb.group && parentDb.group !== ctx.options.group) {
    throw new UsageError(`turso: parent database "${parentName}" is in group "${parentDb.group}", but [${ctx.slot}] group is "${ctx.options.group}"`, {
      hint: `Turso seeds a database only from one in the same group: set group = "${parentDb.group}" in [${ctx.slot}].`,
    });
  }
  const what = `create database "${name}" for "${env}" from "${parentName}"`;
  await recordPending(ctx, env, { provider: 'turso', name, parent });
  const created = await http.request<{ database?: TursoDatabase }>({
    method: 'POST',
    path: orgPath(ctx, '/databases'),
    body: { name, group: ctx.options.group, seed: { type: 'database', name: parentName, ...(at ? { timestamp: seedTimestamp(at) } : {}) } },
    what,
    expect: [409],
    signal: ctx.signal,
  });
  if (created.status !== 409 && created.body?.database?.Hostname) {
    const made = created.body.database;
    await recordMade(ctx, env, { provider: 'turso', id: made.DbId, name, parent });
    return toResource(ctx, { ...made, group: ctx.options.group, parent: { id: parentDb.DbId, name: parentName } }, env, { owned: true });
  }
  // 409: an earlier attempt (a retried request, a crashed run, a teammate) made it; it must be ours.
  const db = await getDatabase(ctx, http, name, `read database "${name}"`);
  if (!db) {
    throw new OperationError(
      created.status === 409
        ? `turso: ${what} failed: Turso reported a conflict but no database "${name}" exists`
        : `turso: ${what}: Turso answered without the new database, and none is visible`,
      { hint: `Run "fork-stack create ${env}" again to finish it.` },
    );
  }
  // The name was free when this run looked, and this run announced its create (pending record): a
  // database seeded from our parent is this run's create whose answer was lost, or a teammate's create
  // of the same environment at the same moment; either way the rollback leaves it alone (adopted).
  const pending = await readRecord(ctx, env);
  if (pending?.pending && pending.name === name && db.parent?.name === parentName && (db.group === undefined || db.group === ctx.options.group)) {
    await recordMade(ctx, env, { provider: 'turso', id: db.DbId, name, parent });
    return { ...toResource(ctx, db, env, { owned: true }), adopted: true };
  }
  return toResource(ctx, db, env, await verifyOurs(ctx, db, env, parentName));
}

async function remove(ctx: Ctx, { env }: { env: string }): Promise<void> {
  const name = naming.nameOf(ctx, env);
  if (isAdoptedEnv(ctx, env)) throw new UsageError(`turso: refusing to delete database "${name}": "${env}" is a root or protected environment`);
  const http = api(ctx);
  const db = await getDatabase(ctx, http, name, `look up database "${name}"`);
  if (!db) {
    await forgetMade(ctx, env);
    return;
  }
  const own = await ownership(ctx, db, env);
  if (!own.owned) {
    throw new OperationError(`turso: refusing to delete database "${name}" of "${env}": ${ownershipText(ctx, env, own)}; it was left untouched`, {
      hint: 'Delete it with the Turso CLI (turso db destroy) if it really is disposable.',
    });
  }
  await http.request({ method: 'DELETE', path: dbPath(ctx, name), what: `delete database "${name}" of "${env}"`, expect: [404], signal: ctx.signal });
  await forgetMade(ctx, env);
}

async function list(ctx: Ctx): Promise<Resource[]> {
  const http = api(ctx);
  // Turso's list is not paginated: one call returns the whole group.
  const res = await http.request<{ databases?: TursoDatabase[] }>({
    path: orgPath(ctx, '/databases'),
    query: { group: ctx.options.group },
    what: `list databases of group "${ctx.options.group}"`,
    signal: ctx.signal,
  });
  const inGroup = (res.body?.databases ?? []).filter((db) => db.group === undefined || db.group === ctx.options.group);
  return listed(ctx, naming, inGroup, {
    nameOf: (db) => db.Name,
    ownership: (db, env) => ownership(ctx, db, env),
    isBranch: (db) => Boolean(db.parent?.name),
    toResource: (db, env, own) => toResource(ctx, db, env, own),
  });
}

async function existingDatabase(ctx: Ctx, env: string) {
  const http = api(ctx);
  const name = naming.nameOf(ctx, env);
  const db = await getDatabase(ctx, http, name, `look up database "${name}"`);
  if (!db) {
    throw new OperationError(`turso: database "${name}" of environment "${env}" does not exist in organization ${ctx.options.organization}`, {
      hint: `Create it with "fork-stack create ${env}".`,
    });
  }
  return { http, name, db };
}

/** The database URL alone: the prod-safety check must not mint a token on prod. */
async function identity(ctx: Ctx, env: string): Promise<Record<string, string>> {
  const { db } = await existingDatabase(ctx, env);
  return { DATABASE_URL: `libsql://${db.Hostname}` };
}

async function variables(ctx: Ctx, env: string): Promise<Record<string, string>> {
  const { http, name, db } = await existingDatabase(ctx, env);
  const token = await http.request<{ jwt?: string }>({
    method: 'POST',
    path: dbPath(ctx, name, '/auth/tokens'),
    query: { expiration: ctx.options.token_expiration, authorization: ctx.options.token_authorization },
    what: `mint a token for database "${name}" of "${env}"`,
    signal: ctx.signal,
  });
  const jwt = token.body?.jwt;
  if (!jwt) throw new OperationError(`turso: minting a token for database "${name}" returned no token`);
  registerSecret(jwt);
  return { DATABASE_URL: `libsql://${db.Hostname}`, DATABASE_AUTH_TOKEN: jwt };
}

function check(ctx: Ctx): Promise<Check[]> {
  return cloudChecks(ctx, {
    credentials: [TOKEN_ENV],
    missingFix: `${HOW_TO_GET_TOKEN} Then: export ${TOKEN_ENV}=…`,
    probe: async () => {
      await api(ctx).request({ path: orgPath(ctx, `/groups/${encodeURIComponent(ctx.options.group)}`), what: `read group "${ctx.options.group}"`, signal: ctx.signal });
      return { name: 'group', status: 'ok', message: `group "${ctx.options.group}" of organization ${ctx.options.organization} is reachable` };
    },
    rejected: { name: 'credentials', message: `Turso rejected ${TOKEN_ENV} (401)`, fix: HOW_TO_GET_TOKEN },
    forbidden: { name: 'permissions', message: `the token has no access to organization ${ctx.options.organization} (403)`, fix: 'Mint the token as a member of that organization.' },
    notFound: {
      name: 'group',
      message: `organization ${ctx.options.organization} has no group "${ctx.options.group}" (404)`,
      fix: `Check organization and group in [${ctx.slot}] (turso group list).`,
    },
    baseUrlEnv: BASE_URL_ENV,
  });
}

export const provider = {
  kind: 'database',
  name: 'turso',
  capabilities: { pointInTime: true },
  publicVariables: ['DATABASE_URL'],

  resourceName: (ctx, env) => naming.nameOf(ctx, env),
  checkName: (ctx, env) => naming.check(ctx, env),

  async find(ctx, env) {
    const db = await getDatabase(ctx, api(ctx), naming.nameOf(ctx, env), `look up database of "${env}"`);
    return db ? toResource(ctx, db, env, await ownership(ctx, db, env)) : undefined;
  },
  fork,
  remove,
  list,
  variables,
  identity,
  check,
} satisfies Provider<TursoOptions>;

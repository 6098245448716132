/**
 * The prod-safety guard: an environment that is not `prod` must never point at prod's database, buckets,
 * cache or queue — through a copied secret (a DATABASE_URL from prod's Doppler config), a misnamed
 * override (`names = { alice = "myapp" }`), or a hand-written value. It runs on the resolved variables
 * before create or switch write any file (core/engine/switch.ts: runVariablesGuards) and refuses with
 * the offending key, never its value.
 *
 * Resources are compared by identity, not by whole strings: a database by engine, host, port and
 * database name (credentials, options and Neon's "-pooler" host suffix do not make another database); a
 * bucket by endpoint, name and key prefix; a cache or queue by host, port, database index and key prefix.
 * Prod's identities come from prod's own variables, computed through the providers when prod exists.
 */
import path from 'node:path';
import { OperationError } from '../errors.js';
import { scrub } from '../scrub.js';
import type { Engine, LoadedSlot } from './context.js';
import { addVariablesGuard } from './switch.js';
import type { ResolvedVariables } from './variables.js';

export const PROD_ENV = 'prod';

export type ResourceKind = 'database' | 'bucket' | 'cache' | 'queue';

export interface ResourceId {
  kind: ResourceKind;
  /** Canonical identity: equal ids are the same resource. */
  id: string;
  /** The variable it came from. */
  key: string;
  /** Human description without credentials: `database "app" on db.internal:5432`. */
  label: string;
}

export interface Collision {
  key: string;
  prodKey: string;
  kind: ResourceKind;
  label: string;
}

const DATABASE_SCHEMES: Record<string, { family: string; port?: number }> = {
  postgres: { family: 'postgres', port: 5432 },
  postgresql: { family: 'postgres', port: 5432 },
  cockroachdb: { family: 'postgres', port: 26257 },
  mysql: { family: 'mysql', port: 3306 },
  mysql2: { family: 'mysql', port: 3306 },
  mariadb: { family: 'mysql', port: 3306 },
  libsql: { family: 'libsql' },
  mongodb: { family: 'mongodb', port: 27017 },
  'mongodb+srv': { family: 'mongodb' },
  sqlserver: { family: 'sqlserver', port: 1433 },
};
const REDIS_SCHEMES: Record<string, number> = { redis: 6379, rediss: 6379, valkey: 6379, valkeys: 6379 };
/** Hosts shared by many tenants, where the user name selects the database (PlanetScale, Supabase pooler). */
const TENANT_BY_USER = [/\.psdb\.cloud$/, /\.pooler\.supabase\.com$/];

function parseUrl(value: string): URL | undefined {
  if (!/^[a-z][a-z0-9+.-]*:/i.test(value)) return undefined;
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

function hostOf(url: URL): string {
  // Neon's pooled and direct endpoints are the same compute: ep-x-pooler.… and ep-x.….
  return url.hostname.toLowerCase().replace(/^(ep-[a-z0-9-]+?)-pooler\./, '$1.');
}

function fileIdentity(value: string, root: string): string {
  const rest = value.replace(/^(file|sqlite3?):(\/\/(?=\/))?/i, '').split('?')[0] ?? '';
  const decoded = decodeURIComponent(rest);
  return path.resolve(root, decoded);
}

function databaseId(key: string, value: string, root: string): ResourceId | undefined {
  if (/^(file|sqlite3?):/i.test(value)) {
    const file = fileIdentity(value, root);
    return { kind: 'database', id: `file:${file}`, key, label: `SQLite file ${file}` };
  }
  const url = parseUrl(value);
  const scheme = url?.protocol.slice(0, -1).toLowerCase();
  const known = scheme ? DATABASE_SCHEMES[scheme] : undefined;
  if (!url || !known) return undefined;
  const host = hostOf(url);
  const port = url.port || (known.port ? String(known.port) : '');
  const database = decodeURIComponent(url.pathname.replace(/^\//, '').split('/')[0] ?? '') || url.searchParams.get('database') || '';
  const tenant = TENANT_BY_USER.some((re) => re.test(host)) ? decodeURIComponent(url.username) : '';
  const where = `${host}${port ? `:${port}` : ''}`;
  return {
    kind: 'database',
    id: `${known.family}://${tenant ? `${tenant}@` : ''}${where}/${database}`,
    key,
    label: database ? `database "${database}" on ${where}` : `database on ${where}`,
  };
}

function redisId(key: string, value: string, prefix: string, kind: ResourceKind): ResourceId | undefined {
  const url = parseUrl(value);
  const scheme = url?.protocol.slice(0, -1).toLowerCase();
  if (!url || !scheme || !(scheme in REDIS_SCHEMES)) return undefined;
  const where = `${url.hostname.toLowerCase()}:${url.port || REDIS_SCHEMES[scheme]}`;
  const db = url.pathname.replace(/^\//, '') || '0';
  return {
    kind,
    id: `redis://${where}/${db}#${prefix}`,
    key,
    label: `${kind === 'queue' ? 'queue' : 'cache'} ${where}/${db}${prefix ? ` with prefix "${prefix}"` : ''}`,
  };
}

/** A URL without credentials, query or fragment: what a queue/cache endpoint is, not who calls it. */
function endpointOf(value: string): string {
  const url = parseUrl(value);
  if (!url) return value.trim();
  return `${url.protocol}//${url.host.toLowerCase()}${url.pathname.replace(/\/$/, '')}`;
}

/** Every resource identity in a set of variables. `root` resolves relative SQLite paths. */
export function resourceIdentifiers(values: Readonly<Record<string, string>>, root: string): ResourceId[] {
  const ids: ResourceId[] = [];
  const endpoint = values.AWS_ENDPOINT_URL_S3 ? endpointOf(values.AWS_ENDPOINT_URL_S3) : 's3';
  for (const [key, value] of Object.entries(values)) {
    if (!value) continue;
    const db = databaseId(key, value, root);
    if (db) {
      ids.push(db);
      continue;
    }
    const isQueue = /^QUEUE_/.test(key);
    const prefix = isQueue ? (values.QUEUE_PREFIX ?? '') : key === 'CACHE_URL' || key === 'REDIS_URL' ? (values.CACHE_KEY_PREFIX ?? '') : '';
    const redis = redisId(key, value, prefix, isQueue ? 'queue' : 'cache');
    if (redis) {
      ids.push(redis);
      continue;
    }
    if (key === 'QUEUE_URL' || key === 'CACHE_URL') {
      const kind: ResourceKind = key === 'QUEUE_URL' ? 'queue' : 'cache';
      const ep = endpointOf(value);
      ids.push({ kind, id: `${kind}:${ep}#${prefix}`, key, label: `${kind} ${ep}${prefix ? ` with prefix "${prefix}"` : ''}` });
    } else if (key === 'INNGEST_ENV') {
      ids.push({ kind: 'queue', id: `inngest:${value}`, key, label: `Inngest environment "${value}"` });
    } else if (/^BUCKET_[A-Z0-9_]+$/.test(key) && !key.endsWith('_KEY_PREFIX')) {
      const bucketPrefix = values[key === 'BUCKET_NAME' ? 'BUCKET_KEY_PREFIX' : `${key}_KEY_PREFIX`] ?? '';
      ids.push({
        kind: 'bucket',
        id: `bucket:${endpoint}/${value}#${bucketPrefix}`,
        key,
        label: `bucket "${value}"${bucketPrefix ? ` under prefix "${bucketPrefix}"` : ''}`,
      });
    }
  }
  return ids;
}

/** Keys of `env` that name one of prod's resources. */
export function findCollisions(envIds: readonly ResourceId[], prodIds: readonly ResourceId[]): Collision[] {
  const byId = new Map(prodIds.map((p) => [p.id, p]));
  const out: Collision[] = [];
  for (const id of envIds) {
    const prod = byId.get(id.id);
    if (prod && !out.some((c) => c.key === id.key)) out.push({ key: id.key, prodKey: prod.key, kind: id.kind, label: id.label });
  }
  return out;
}

/** Prod's variables from every slot where prod exists; slots that cannot be read are reported. */
async function prodVariables(slots: readonly LoadedSlot[]): Promise<{ values: Record<string, string>; unreadable: string[] }> {
  const values: Record<string, string> = {};
  const unreadable: string[] = [];
  await Promise.all(
    slots.map(async (slot) => {
      try {
        if (!(await slot.provider.find(slot.ctx, PROD_ENV))) return;
        // identity() when the provider has it: reading prod's variables may mint a token on prod.
        const read = slot.provider.identity ?? slot.provider.variables;
        Object.assign(values, await read.call(slot.provider, slot.ctx, PROD_ENV));
      } catch (error) {
        unreadable.push(`${slot.config.id} (${slot.provider.name}): ${scrub(error instanceof Error ? error.message : String(error))}`);
      }
    }),
  );
  return { values, unreadable };
}

/** Slots whose naming gives `env` prod's very resource (a `names` override pointing at prod's). */
function sharedNames(slots: readonly LoadedSlot[], env: string): string[] {
  return slots.flatMap((slot) => {
    if (slot.config.kind === 'secrets') return [];
    try {
      const mine = slot.provider.resourceName(slot.ctx, env);
      return mine === slot.provider.resourceName(slot.ctx, PROD_ENV) ? [`${slot.config.id} (${slot.provider.name}): "${env}" and "${PROD_ENV}" both use ${mine}`] : [];
    } catch {
      return [];
    }
  });
}

export async function prodSafetyGuard(engine: Engine, resolved: ResolvedVariables): Promise<void> {
  if (resolved.env === PROD_ENV) return;
  const slots = await engine.slots();
  const problems = sharedNames(slots, resolved.env);
  const { values, unreadable } = await prodVariables(slots);
  if (unreadable.length > 0) {
    engine.reporter.warn(`could not read prod's variables to check "${resolved.env}" against them: ${unreadable.join('; ')}`);
  }
  const root = engine.config.root;
  const collisions = findCollisions(resourceIdentifiers(resolved.values, root), resourceIdentifiers(values, root));
  problems.push(...collisions.map((c) => `${c.key} points at prod's ${c.label}${c.prodKey === c.key ? '' : ` (prod's ${c.prodKey})`}`));
  if (problems.length === 0) return;
  const first = collisions[0]?.key;
  throw new OperationError(`refusing to use "${resolved.env}": it would point at prod's resources`, {
    details: problems,
    hint: first
      ? `No variables file or .env.local was written. Give ${first} a non-prod value (fork-stack secrets set ${first} --env ${resolved.env}) or remove it (fork-stack secrets unset ${first} --env ${resolved.env}), and keep it from being copied with exclude = ["${first}"] in [secrets]; then run the command again.`
        : `No variables file or .env.local was written. Fix the names override in ${path.basename(engine.config.file)} so that "${resolved.env}" gets its own resource, then run the command again.`,
  });
}

addVariablesGuard(prodSafetyGuard);

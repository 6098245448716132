/**
 * The prod-safety guard: an environment that is not `prod` must never point at prod's database, buckets,
 * cache or queue — through a copied secret (a DATABASE_URL from prod's Doppler config), a misnamed
 * override (`names = { alice = "myapp" }`), or a hand-written value. It runs on the resolved variables
 * before create or switch write any file (engine/switch.ts: runVariablesGuards) and refuses with
 * the offending key, never its value.
 *
 * Resources are compared by canonical identity (core/resource-identity), not by strings: a database by
 * engine, server (every spelling of this machine is one host, default ports filled in, libpq keyword
 * strings and query parameters read as libpq does) and database name — credentials, options and Neon's
 * "-pooler" host suffix do not make another database, another name on a shared server does; a SQLite
 * file or fs bucket by its real path (and inode); an S3 bucket by endpoint, name and key prefix; a cache or
 * queue by server, database index and key prefix. Prod's identities come from prod's own variables,
 * computed through the providers when prod exists, and only from values that are resources; every value
 * of the candidate environment, whatever its key, is read every way it could reach one of them.
 */
import path from 'node:path';
import { OperationError } from '../core/errors.js';
import {
  databaseIdentity,
  directoryIdentities,
  endpointOf,
  pathIdentities,
  redisServer,
  resolvePath,
  type Identity,
} from '../core/resource-identity/index.js';
import { scrub } from '../core/scrub.js';
import type { Engine, LoadedSlot } from './context.js';
import type { ResolvedVariables } from './variables.js';

export const PROD_ENV = 'prod';

export type ResourceKind = 'database' | 'bucket' | 'cache' | 'queue';

export interface ResourceId {
  kind: ResourceKind;
  /** Canonical identities (core/resource-identity): sharing one means the same resource. */
  ids: string[];
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

/** The S3 endpoint of a set of variables: the SDK reads AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL. */
function s3Endpoint(values: Readonly<Record<string, string>>): string {
  const url = values.AWS_ENDPOINT_URL_S3 || values.AWS_ENDPOINT_URL;
  return url ? endpointOf(url) : 's3';
}

const trimSlashes = (prefix: string): string => prefix.replace(/^\/+|\/+$/g, '');

function bucketId(endpoint: string, name: string, prefix: string): string {
  return `bucket:${endpoint}/${name}#${trimSlashes(prefix)}`;
}

/** A candidate's bucket ids: its prefix and each enclosing one, since `prod/x/` is inside prod's `prod/`. */
function bucketIds(endpoint: string, name: string, prefix: string): string[] {
  const parts = trimSlashes(prefix).split('/').filter(Boolean);
  return parts.map((_, i) => bucketId(endpoint, name, parts.slice(0, i + 1).join('/'))).concat(bucketId(endpoint, name, ''));
}

/** A bucket's key prefix, by the key naming the bucket. */
function bucketPrefix(values: Readonly<Record<string, string>>, key: string): string {
  return values[key === 'BUCKET_NAME' ? 'BUCKET_KEY_PREFIX' : `${key}_KEY_PREFIX`] ?? '';
}

/** The key prefix that goes with a Redis URL under `key` (the cache's and the queue's own variables). */
function redisPrefix(values: Readonly<Record<string, string>>, key: string): string {
  if (/^QUEUE_/.test(key)) return values.QUEUE_PREFIX ?? '';
  return key === 'CACHE_URL' || key === 'REDIS_URL' ? (values.CACHE_KEY_PREFIX ?? '') : '';
}

/**
 * The resources a set of variables names, by their keys' meaning where a key says what it is (buckets,
 * QUEUE_URL/CACHE_URL endpoints, INNGEST_ENV) and by the value wherever a value says it (database and
 * Redis URLs, libpq strings, SQLite `file:` URLs, under any key). This is the protected side of the
 * comparison: only values that are resources count, so a shared Sentry DSN or S3 endpoint is none.
 * `root` resolves relative paths.
 */
export function resourceIdentifiers(values: Readonly<Record<string, string>>, root: string): ResourceId[] {
  const ids: ResourceId[] = [];
  const endpoint = s3Endpoint(values);
  const add = (kind: ResourceKind, key: string, identity: Identity): void => {
    ids.push({ kind, key, ids: identity.ids, label: identity.label });
  };
  for (const [key, value] of Object.entries(values)) {
    if (!value) continue;
    const db = databaseIdentity(value, root);
    if (db) {
      add('database', key, db);
      continue;
    }
    const isQueue = /^QUEUE_/.test(key);
    const prefix = redisPrefix(values, key);
    const redis = redisServer(value);
    if (redis) {
      const kind: ResourceKind = isQueue ? 'queue' : 'cache';
      add(kind, key, {
        ids: [`redis://${redis.where}/${redis.db}#${prefix}`],
        label: `${kind} ${redis.where}/${redis.db}${prefix ? ` with prefix "${prefix}"` : ''}`,
      });
      continue;
    }
    if (key === 'QUEUE_URL' || key === 'CACHE_URL') {
      const kind: ResourceKind = key === 'QUEUE_URL' ? 'queue' : 'cache';
      const ep = endpointOf(value);
      add(kind, key, { ids: [`${kind}:${ep}#${prefix}`], label: `${kind} ${ep}${prefix ? ` with prefix "${prefix}"` : ''}` });
    } else if (key === 'INNGEST_ENV') {
      add('queue', key, { ids: [`inngest:${value}`], label: `Inngest environment "${value}"` });
    } else if (/^BUCKET_[A-Z0-9_]+$/.test(key) && !key.endsWith('_KEY_PREFIX')) {
      // The fs provider's buckets are directories: the directory and everything under it.
      if (path.isAbsolute(value)) {
        add('bucket', key, { ids: directoryIdentities(value), label: `bucket directory ${path.resolve(value)}` });
        continue;
      }
      const bucketPre = bucketPrefix(values, key);
      add('bucket', key, { ids: [bucketId(endpoint, value, bucketPre)], label: `bucket "${value}"${bucketPre ? ` under prefix "${bucketPre}"` : ''}` });
    }
  }
  return ids;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Every resource a candidate environment's variables could reach, whatever the key: on top of
 * resourceIdentifiers, any value read as a path (relative to `root`, through symlinks), any http(s)/ws(s)
 * URL as a libSQL database, any bucket-shaped name or `s3://bucket/prefix` as a bucket on the
 * environment's S3 endpoint (with the key's prefix when it has one). Only equality with a protected
 * identity matters, so reading a value in several ways cannot make a collision out of nothing.
 */
export function candidateIdentifiers(values: Readonly<Record<string, string>>, root: string): ResourceId[] {
  const ids = resourceIdentifiers(values, root);
  const endpoint = s3Endpoint(values);
  for (const [key, value] of Object.entries(values)) {
    if (!value) continue;
    const extra: string[] = [];
    let kind: ResourceKind = 'database';
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase();
    if (!scheme) {
      const file = resolvePath(value, root);
      if (file) extra.push(...pathIdentities(file));
      if (BUCKET_NAME.test(value)) extra.push(...bucketIds(endpoint, value, bucketPrefix(values, key)));
    } else if (scheme === 's3' || scheme === 's3a') {
      const m = /^s3a?:\/\/([^/?#]+)\/?([^?#]*)/i.exec(value);
      if (m?.[1]) extra.push(...bucketIds(endpoint, m[1], m[2] ?? ''));
      kind = 'bucket';
    } else if (['http', 'https', 'ws', 'wss'].includes(scheme)) {
      extra.push(...(databaseIdentity(value, root, { httpAsLibsql: true })?.ids ?? []));
    }
    if (extra.length > 0) ids.push({ kind, key, ids: extra, label: 'resource' });
  }
  return ids;
}

/** Keys of `env` that name one of prod's resources (a candidate id equal to a protected one). */
export function findCollisions(envIds: readonly ResourceId[], prodIds: readonly ResourceId[]): Collision[] {
  const byId = new Map<string, ResourceId>();
  for (const p of prodIds) for (const id of p.ids) if (!byId.has(id)) byId.set(id, p);
  const out: Collision[] = [];
  for (const candidate of envIds) {
    const prod = candidate.ids.map((id) => byId.get(id)).find((p) => p !== undefined);
    if (prod && !out.some((c) => c.key === candidate.key)) out.push({ key: candidate.key, prodKey: prod.key, kind: prod.kind, label: prod.label });
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
  const collisions = findCollisions(candidateIdentifiers(resolved.values, root), resourceIdentifiers(values, root));
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

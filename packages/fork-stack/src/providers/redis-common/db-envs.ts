/**
 * Environments isolated by logical database (SELECT n) on one server: `isolation = "db"` of the redis /
 * valkey cache. Each fork gets the lowest free, empty database number; the environment → number map is
 * the hash `__fork_stack__:cache:databases` in database 0, where every teammate (and every project using
 * the server) sees it. Database 0 is never handed out (it holds the map), nor a root's database.
 *
 * Roots are adopted: a root uses database 0 unless `names = { <root> = "<n>" }` gives it another one.
 * The URL's own database path is ignored in this mode, because REDIS_URL in a shell may well be an
 * environment's URL (…/3) written by fork-stack itself.
 * Allocation is one Lua script (HGETALL, DBSIZE of each candidate, HSET), so two creates at the same time
 * can never get the same number. Delete is FLUSHDB of the environment's database, then the map entry.
 */
import { OperationError, UsageError } from '../../core/errors.js';
import { envNameProblem } from '../../core/names.js';
import type { Redis as RedisClient } from 'ioredis';
import type { ForkRequest, ProviderContext, Resource } from '../types.js';
import { clientUrl, withRedis, type ConnectionOptions, type RedisTarget } from './connection.js';
import { copyByPrefix, startsWith } from './keyspace.js';
import { newEntry, Registry, REGISTRY_KEYS, RESERVED_PREFIX, type RegistryEntry } from './registry.js';
import { serverInfo, supportsCopy } from './server-info.js';

export interface DbEnvOptions extends ConnectionOptions {
  names: Record<string, string>;
  databases?: number;
  batch_size: number;
}

type Ctx = ProviderContext<DbEnvOptions>;

const MAP_DB = 0;
const MAP_KEY = REGISTRY_KEYS.cacheDatabases;
const RESERVED = Buffer.from(RESERVED_PREFIX);

const ALLOCATE = `
local entries = redis.call('HGETALL', KEYS[1])
for i = 1, #entries, 2 do
  local ok, e = pcall(cjson.decode, entries[i + 1])
  if ok and type(e) == 'table' and e.project == ARGV[1] and e.env == ARGV[2] then return tonumber(entries[i]) end
end
for i = 5, #ARGV do
  local index = ARGV[i]
  if redis.call('HEXISTS', KEYS[1], index) == 0 then
    redis.call('SELECT', tonumber(index))
    local size = redis.call('DBSIZE')
    redis.call('SELECT', tonumber(ARGV[3]))
    if size == 0 then
      redis.call('HSET', KEYS[1], index, ARGV[4])
      return tonumber(index)
    end
  end
end
return -1
`;

export function dbEnvs(provider: string) {
  const explicitDb = (ctx: Ctx, env: string): number | undefined => {
    const value = ctx.options.names[env];
    return value === undefined ? undefined : Number(value);
  };
  const rootDb = (ctx: Ctx, env: string) => explicitDb(ctx, env) ?? MAP_DB;
  const rootDbs = (ctx: Ctx) => new Set(ctx.roots.map((root) => rootDb(ctx, root)));

  const resourceName = (ctx: Ctx, env: string) => `${ctx.project}:${env}`;

  function checkName(ctx: Ctx, env: string): string | undefined {
    const nameProblem = envNameProblem(env);
    if (nameProblem) return `invalid environment name "${env}": ${nameProblem}`;
    for (const [name, value] of Object.entries(ctx.options.names)) {
      if (!/^\d+$/.test(value)) return `names.${name} = "${value}": with isolation = "db" a name is a database number, e.g. "2"`;
    }
    const explicit = explicitDb(ctx, env);
    if (ctx.roots.includes(env)) {
      const sharing = ctx.roots.filter((other) => other !== env && rootDb(ctx, other) === rootDb(ctx, env));
      if (sharing.length > 0) {
        return `roots "${env}" and "${sharing.join('", "')}" would share database ${rootDb(ctx, env)}; give each root its own with names = { ${sharing[0]} = "<n>" }`;
      }
    } else if (explicit !== undefined && (explicit === MAP_DB || rootDbs(ctx).has(explicit))) {
      return `names.${env} = "${explicit}" is database 0 or a root's database; a fork needs a database of its own`;
    }
    return undefined;
  }

  const assertSafe = (ctx: Ctx, env: string) => {
    const problem = checkName(ctx, env);
    if (problem) throw new UsageError(`${provider}: ${problem}`, { hint: `Fix names in [${ctx.slot}].` });
  };

  const ours = (ctx: Ctx, entry: RegistryEntry, env: string) => entry.project === ctx.project && entry.env === env;

  async function lookup(ctx: Ctx, registry: Registry, env: string): Promise<{ db: number; entry?: RegistryEntry } | undefined> {
    if (ctx.roots.includes(env)) return { db: rootDb(ctx, env) };
    for (const [field, entry] of await registry.all()) if (ours(ctx, entry, env)) return { db: Number(field), entry };
    return undefined;
  }

  const resource = (ctx: Ctx, target: RedisTarget, env: string, db: number, entry?: RegistryEntry): Resource => ({
    env,
    name: resourceName(ctx, env),
    state: entry && entry.status !== 'ready' ? 'creating' : 'ready',
    owned: entry !== undefined,
    parent: entry?.parent,
    createdAt: entry?.createdAt || undefined,
    details: { server: target.display, db, ...(entry?.createdBy ? { createdBy: entry.createdBy } : {}) },
  });

  const onMap = <T>(ctx: Ctx, use: (client: RedisClient, target: RedisTarget, registry: Registry) => Promise<T>) =>
    withRedis(ctx, provider, (client, target) => use(client, target, new Registry(client, MAP_KEY)), { db: MAP_DB });

  async function databaseCount(ctx: Ctx, client: RedisClient): Promise<number> {
    if (ctx.options.databases) return ctx.options.databases;
    try {
      const reply = (await client.config('GET', 'databases')) as string[];
      const n = Number(reply[1]);
      if (Number.isInteger(n) && n > 0) return n;
    } catch {
      // CONFIG is often disabled on managed servers; 16 is the server default.
    }
    return 16;
  }

  /**
   * What occupies the database `names` pins `env` to when no record of (project, env) exists: a record of
   * another project or environment, or keys fork-stack did not put there. Without an explicit number
   * nothing can sit under the environment's name: its database is only ever found through its record.
   */
  async function occupant(ctx: Ctx, target: RedisTarget, registry: Registry, env: string): Promise<{ db: number; entry?: RegistryEntry } | undefined> {
    const db = explicitDb(ctx, env);
    if (db === undefined) return undefined;
    const entry = await registry.get(String(db));
    if (entry) return { db, entry };
    const size = await withRedis(ctx, provider, (other) => other.dbsize(), { db, target });
    return size > 0 ? { db } : undefined;
  }

  const foreign = (ctx: Ctx, target: RedisTarget, env: string, db: number, entry?: RegistryEntry): Resource => ({
    env,
    name: resourceName(ctx, env),
    state: 'ready',
    owned: false,
    ...(entry ? { markedFor: { project: entry.project, env: entry.env } } : {}),
    details: { server: target.display, db, ...(entry ? {} : { unrecordedKeys: true }) },
  });

  const refuseForeign = (ctx: Ctx, env: string, held: { db: number; entry?: RegistryEntry }, action: string) =>
    new OperationError(
      held.entry
        ? `${provider}: refusing to ${action} "${env}": database ${held.db} (names.${env}) is recorded for project "${held.entry.project}", environment "${held.entry.env}"; it was left untouched`
        : `${provider}: refusing to ${action} "${env}": database ${held.db} (names.${env}) holds keys that fork-stack did not put there (no record of this project and environment); it was left untouched`,
      { hint: `Empty it yourself if the keys are leftovers, or give "${env}" another database with names = { ${env} = "<n>" } in [${ctx.slot}].` },
    );

  async function find(ctx: Ctx, env: string): Promise<Resource | undefined> {
    return onMap(ctx, async (client, target, registry) => {
      const found = await lookup(ctx, registry, env);
      if (!found) {
        const held = await occupant(ctx, target, registry, env);
        return held && foreign(ctx, target, env, held.db, held.entry);
      }
      if (!found.entry) await client.ping();
      return resource(ctx, target, env, found.db, found.entry);
    });
  }

  /** Databases fork-stack may hand out, split into recorded, holding foreign keys, and free. */
  async function occupancy(ctx: Ctx, client: RedisClient, registry: Registry) {
    const total = await databaseCount(ctx, client);
    const entries = await registry.all();
    const nonEmpty = new Set([...(await client.info('keyspace')).matchAll(/^db(\d+):keys=/gm)].map((m) => Number(m[1])));
    const roots = rootDbs(ctx);
    const candidates = range(1, total).filter((n) => !roots.has(n));
    const foreign = candidates.filter((n) => !entries.has(String(n)) && nonEmpty.has(n));
    const free = candidates.filter((n) => !entries.has(String(n)) && !nonEmpty.has(n));
    return { total, entries, foreign, free };
  }

  async function exhausted(ctx: Ctx, client: RedisClient, registry: Registry, env: string, total: number): Promise<OperationError> {
    const { entries, foreign } = await occupancy(ctx, client, registry);
    const used = [...entries].map(([field, e]) => `${field}: ${e.project}/${e.env}`);
    const busy = foreign;
    return new OperationError(`${provider}: no free database for "${env}": the server has ${total} databases and every one that fork-stack may use is taken`, {
      details: [
        `database 0 holds fork-stack's map${[...rootDbs(ctx)].length ? `; roots use ${[...rootDbs(ctx)].join(', ')}` : ''}`,
        ...(used.length ? [`used by environments: ${used.join(', ')}`] : []),
        ...(busy.length ? [`holding keys fork-stack did not put there: ${busy.join(', ')}`] : []),
      ],
      hint: 'Delete an environment you no longer need, raise "databases" in the server config (and the databases option), or use isolation = "prefix", which has no such limit.',
    });
  }

  async function fork(ctx: Ctx, request: ForkRequest, copy: boolean): Promise<Resource> {
    const { env, parent } = request;
    assertSafe(ctx, env);
    if (ctx.roots.includes(env)) throw new UsageError(`${provider}: "${env}" is a root environment; it is adopted, never forked`);
    return onMap(ctx, async (client, target, registry) => {
      const existing = await lookup(ctx, registry, env);
      if (existing?.entry?.status === 'ready') return resource(ctx, target, env, existing.db, existing.entry);
      const from = await lookup(ctx, registry, parent);
      if (!from || (from.entry && from.entry.status !== 'ready')) {
        throw new OperationError(`${provider}: parent environment "${parent}" does not exist on ${target.display}`, {
          hint: `Run "fork-stack list" to see the environments, or create "${parent}" first.`,
        });
      }
      let db = existing?.db;
      let entry = existing?.entry ?? newEntry(ctx.project, env, parent, ctx.now());
      if (db === undefined) {
        const total = await databaseCount(ctx, client);
        const explicit = explicitDb(ctx, env);
        if (explicit !== undefined && explicit >= total) {
          throw new UsageError(`${provider}: names.${env} = "${explicit}" but the server has databases 0–${total - 1}`);
        }
        const taken = rootDbs(ctx);
        const candidates = explicit !== undefined ? [explicit] : range(1, total).filter((n) => !taken.has(n));
        const allocated = Number(await client.eval(ALLOCATE, 1, MAP_KEY, ctx.project, env, String(MAP_DB), JSON.stringify(entry), ...candidates.map(String)));
        if (allocated < 0) {
          if (explicit !== undefined) {
            const held = await occupant(ctx, target, registry, env);
            if (held) throw refuseForeign(ctx, env, held, 'create');
            throw new OperationError(`${provider}: database ${explicit} (names.${env}) is taken or holds keys fork-stack did not put there`, {
              hint: `Empty it, or drop names.${env} so that a free database is chosen.`,
            });
          }
          throw await exhausted(ctx, client, registry, env, total);
        }
        db = allocated;
        entry = (await registry.get(String(db))) ?? entry;
      }
      // Ctrl-C stops between the steps: after the allocation (recorded, so a rollback frees it) and the copy.
      ctx.signal.throwIfAborted();
      if (copy) await copyDatabase(ctx, target, from.db, db);
      ctx.signal.throwIfAborted();
      const ready: RegistryEntry = { ...entry, status: 'ready' };
      await registry.put(String(db), ready);
      return resource(ctx, target, env, db, ready);
    });
  }

  async function copyDatabase(ctx: Ctx, target: RedisTarget, fromDb: number, toDb: number): Promise<void> {
    ctx.progress({ message: `copying keys of database ${fromDb}` });
    await withRedis(
      ctx,
      provider,
      async (source) => {
        const method = supportsCopy(await serverInfo(source)) ? 'copy' : 'dump';
        const options = {
          method,
          targetDb: toDb,
          batch: ctx.options.batch_size,
          signal: ctx.signal,
          // Database 0 also holds fork-stack's own records; they are not the environment's data.
          skip: (key: Buffer) => startsWith(key, RESERVED),
          onProgress: (done: number) => ctx.progress({ message: 'copying keys', done, unit: 'keys' }),
        } as const;
        if (method === 'copy') return copyByPrefix(source, '', '', options);
        return withRedis(ctx, provider, (destination) => copyByPrefix(source, '', '', { ...options, target: destination }), { db: toDb, target });
      },
      { db: fromDb, target },
    );
  }

  async function remove(ctx: Ctx, env: string): Promise<void> {
    if (ctx.roots.includes(env)) throw new UsageError(`${provider}: "${env}" is a root environment; fork-stack never flushes its database`);
    assertSafe(ctx, env);
    await onMap(ctx, async (_client, target, registry) => {
      const found = await lookup(ctx, registry, env);
      if (!found?.entry) {
        // Gone already is success; a pinned database holding someone else's keys or record is refused.
        const held = await occupant(ctx, target, registry, env);
        if (held) throw refuseForeign(ctx, env, held, 'delete');
        return;
      }
      if (found.db === MAP_DB || rootDbs(ctx).has(found.db)) {
        throw new OperationError(`${provider}: "${env}" is recorded with database ${found.db}, which is database 0 or a root's; not flushing it`, {
          hint: `Remove the field ${found.db} from ${MAP_KEY} by hand if the record is wrong.`,
        });
      }
      await withRedis(ctx, provider, (client) => client.flushdb('ASYNC'), { db: found.db, target });
      await registry.drop(String(found.db));
    });
  }

  async function list(ctx: Ctx): Promise<Resource[]> {
    return onMap(ctx, async (_client, target, registry) => {
      const out = ctx.roots.map((root) => resource(ctx, target, root, rootDb(ctx, root)));
      const pinnedTo = new Map(Object.keys(ctx.options.names).map((env) => [String(explicitDb(ctx, env)), env]));
      for (const [field, entry] of await registry.all()) {
        if (entry.project !== ctx.project || ctx.roots.includes(entry.env)) continue;
        // A record the configuration contradicts (names pins that database to another environment, or
        // this environment to another database) is listed as nobody's: gc and delete leave it alone.
        const pinned = pinnedTo.get(field);
        const own = explicitDb(ctx, entry.env);
        if ((pinned !== undefined && pinned !== entry.env) || (own !== undefined && String(own) !== field)) {
          ctx.warn(`the server records "${entry.env}" in database ${field}, which names in [${ctx.slot}] ${pinned !== undefined && pinned !== entry.env ? `gives to "${pinned}"` : `does not give it`}; its keys are left alone`);
          continue;
        }
        out.push(resource(ctx, target, entry.env, Number(field), entry));
      }
      return out;
    });
  }

  async function url(ctx: Ctx, env: string): Promise<string> {
    return onMap(ctx, async (_client, target, registry) => {
      const found = await lookup(ctx, registry, env);
      if (!found) {
        throw new OperationError(`${provider}: "${env}" has no database on ${target.display}`, { hint: `Create it with "fork-stack create ${env}".` });
      }
      return clientUrl(target, found.db);
    });
  }

  async function usage(ctx: Ctx): Promise<{ total: number; used: number; foreign: number; free: number }> {
    return onMap(ctx, async (client, _target, registry) => {
      const { total, entries, foreign, free } = await occupancy(ctx, client, registry);
      return { total, used: entries.size, foreign: foreign.length, free: free.length };
    });
  }

  /** How many keys the environment's database holds (for `fork-stack diff`). */
  async function countKeys(ctx: Ctx, env: string): Promise<number> {
    return onMap(ctx, async (_client, _target, registry) => {
      const found = await lookup(ctx, registry, env);
      if (!found) throw new OperationError(`${provider}: "${env}" has no database`, { hint: `Create it with "fork-stack create ${env}".` });
      return withRedis(ctx, provider, (client) => client.dbsize(), { db: found.db });
    });
  }

  return { resourceName, checkName, find, fork, remove, list, url, usage, countKeys };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}

/**
 * Environments isolated by key prefix on one shared server: the lifecycle shared by the redis/valkey
 * cache (prefix mode) and the BullMQ queue.
 *
 *  - find: roots are adopted (they exist whenever the server answers); any other environment is ours when
 *    the server's registry (see registry.ts) records its prefix for this project and this environment.
 *    A prefix recorded for another project or environment, or holding keys with no record at all, is
 *    reported as found but not owned (with `markedFor` when recorded), so that the engine refuses it.
 *  - fork: refuses a prefix that already holds keys fork-stack did not record (someone else's data, which
 *    a rollback would otherwise delete), records the prefix as "creating", optionally copies the parent's
 *    keys, then marks it "ready". A re-run after a crash finishes the same steps.
 *  - remove: SCAN + UNLINK of exactly the environment's prefix, then the record. Only prefixes recorded
 *    for this project and environment are deleted; roots never; a foreign prefix is refused untouched.
 */
import { OperationError, UsageError } from '../../core/errors.js';
import type { ForkRequest, ProviderContext, Resource } from '../types.js';
import { withRedis, type ConnectionOptions, type RedisTarget } from './connection.js';
import { copyByPrefix, deleteByPrefix, hasKeys, scanPrefix } from './keyspace.js';
import { keyspaceOf, prefixProblem, prefixScheme, type PrefixScheme } from './prefix.js';
import { newEntry, Registry, REGISTRY_KEYS, type RegistryEntry } from './registry.js';
import { serverInfo, supportsCopy } from './server-info.js';

export interface PrefixEnvOptions extends ConnectionOptions {
  prefix: string;
  names: Record<string, string>;
  batch_size: number;
}

export interface PrefixSpec {
  /** Provider name in messages: "redis", "valkey", "bullmq". */
  provider: string;
  /** The registry hash, in the same database as the prefixes. */
  registryKey: string;
  /** What the library appends after the prefix: "" (cache keys are `<prefix><key>`), ":" for BullMQ. */
  separator: string;
  /** The config section's option that sets the pattern, for hints: "prefix in [cache]". */
  optionHint: string;
}

type Ctx = ProviderContext<PrefixEnvOptions>;

export function prefixEnvs(spec: PrefixSpec) {
  const scheme = (ctx: Ctx): PrefixScheme => prefixScheme(ctx.options.prefix, ctx.options.names, ctx.project, spec.separator);
  /** Where the environment's keys start, the library's separator included. */
  const keyspace = (ctx: Ctx, env: string) => keyspaceOf(scheme(ctx), env);
  /** The prefix as the app passes it to its library (CACHE_KEY_PREFIX, QUEUE_PREFIX). */
  const prefixOf = (ctx: Ctx, env: string) => keyspace(ctx, env).slice(0, keyspace(ctx, env).length - spec.separator.length);

  const checkName = (ctx: Ctx, env: string) => prefixProblem(scheme(ctx), env, Object.values(REGISTRY_KEYS));
  const assertSafe = (ctx: Ctx, env: string) => {
    const problem = checkName(ctx, env);
    if (problem) throw new UsageError(`${spec.provider}: ${problem}`, { hint: `Fix ${spec.optionHint} or names in [${ctx.slot}].` });
  };

  const resource = (ctx: Ctx, target: RedisTarget, env: string, entry?: RegistryEntry): Resource => ({
    env,
    name: prefixOf(ctx, env),
    state: entry && entry.status !== 'ready' ? 'creating' : 'ready',
    owned: entry !== undefined,
    parent: entry?.parent,
    createdAt: entry?.createdAt || undefined,
    details: { server: target.display, ...(entry?.createdBy ? { createdBy: entry.createdBy } : {}) },
  });

  const ours = (ctx: Ctx, entry: RegistryEntry | undefined, env: string) => entry !== undefined && entry.project === ctx.project && entry.env === env;

  /** Something under the prefix that fork-stack cannot prove it made for (project, env). */
  const foreign = (ctx: Ctx, target: RedisTarget, env: string, entry?: RegistryEntry): Resource => ({
    env,
    name: prefixOf(ctx, env),
    state: 'ready',
    owned: false,
    ...(entry ? { markedFor: { project: entry.project, env: entry.env } } : {}),
    details: { server: target.display, ...(entry ? {} : { unrecordedKeys: true }) },
  });

  const unrecorded = (env: string, field: string, target: RedisTarget, action: string) =>
    new OperationError(`${spec.provider}: refusing to ${action} "${env}": its key prefix "${field}" holds keys that fork-stack did not create on ${target.display} (no record of this project and environment); they were left untouched`, {
      hint: `Another app may use this prefix. If they are leftovers, delete them yourself (redis-cli --scan --pattern '${field}*'); otherwise change ${spec.optionHint}.`,
    });

  const conflict = (ctx: Ctx, env: string, field: string, entry: RegistryEntry) =>
    new OperationError(`${spec.provider}: the key prefix "${field}" of "${env}" is recorded for project "${entry.project}", environment "${entry.env}"`, {
      hint: `Two projects or environments resolve to the same prefix on this server; include {project} and {env} in ${spec.optionHint}.`,
    });

  async function find(ctx: Ctx, env: string): Promise<Resource | undefined> {
    return withRedis(ctx, spec.provider, async (client, target) => {
      if (ctx.roots.includes(env)) {
        await client.ping();
        return resource(ctx, target, env);
      }
      const field = keyspace(ctx, env);
      const entry = await new Registry(client, spec.registryKey).get(field);
      if (entry) return ours(ctx, entry, env) ? resource(ctx, target, env, entry) : foreign(ctx, target, env, entry);
      // Keys under the prefix with no record: someone else's data, never taken for an environment.
      return (await hasKeys(client, field, { batch: ctx.options.batch_size, signal: ctx.signal })) ? foreign(ctx, target, env) : undefined;
    });
  }

  async function fork(ctx: Ctx, request: ForkRequest, copy: boolean): Promise<Resource> {
    const { env, parent } = request;
    assertSafe(ctx, env);
    assertSafe(ctx, parent);
    if (ctx.roots.includes(env)) throw new UsageError(`${spec.provider}: "${env}" is a root environment; it is adopted, never forked`);
    const field = keyspace(ctx, env);
    return withRedis(ctx, spec.provider, async (client, target) => {
      const registry = new Registry(client, spec.registryKey);
      let entry = await registry.get(field);
      if (entry && !ours(ctx, entry, env)) throw conflict(ctx, env, field, entry);
      if (entry?.status === 'ready') return resource(ctx, target, env, entry);
      if (!ctx.roots.includes(parent)) {
        const parentEntry = await registry.get(keyspace(ctx, parent));
        if (!ours(ctx, parentEntry, parent) || parentEntry?.status !== 'ready') {
          throw new OperationError(`${spec.provider}: parent environment "${parent}" does not exist on ${target.display}`, {
            hint: `Run "fork-stack list" to see the environments, or create "${parent}" first.`,
          });
        }
      }
      if (!entry) {
        if (await hasKeys(client, field, { batch: ctx.options.batch_size, signal: ctx.signal })) throw unrecorded(env, field, target, 'create');
        const claim = await registry.claim(field, newEntry(ctx.project, env, parent, ctx.now()));
        if (!claim.claimed && !ours(ctx, claim.entry, env)) throw conflict(ctx, env, field, claim.entry as RegistryEntry);
        entry = claim.entry as RegistryEntry;
      }
      if (copy) {
        ctx.progress({ message: `copying keys of ${parent}` });
        const method = supportsCopy(await serverInfo(client)) ? 'copy' : 'dump';
        const copied = await copyByPrefix(client, keyspace(ctx, parent), field, {
          method,
          batch: ctx.options.batch_size,
          signal: ctx.signal,
          onProgress: (done) => ctx.progress({ message: 'copying keys', done, unit: 'keys' }),
        });
        ctx.progress({ message: `copied ${copied} keys`, done: copied, unit: 'keys' });
      }
      const ready: RegistryEntry = { ...entry, status: 'ready' };
      await registry.put(field, ready);
      return resource(ctx, target, env, ready);
    });
  }

  async function remove(ctx: Ctx, env: string): Promise<number> {
    if (ctx.roots.includes(env)) throw new UsageError(`${spec.provider}: "${env}" is a root environment; fork-stack never deletes its keys`);
    assertSafe(ctx, env);
    const field = keyspace(ctx, env);
    return withRedis(ctx, spec.provider, async (client, target) => {
      const registry = new Registry(client, spec.registryKey);
      const entry = await registry.get(field);
      if (!entry) {
        // Gone already is success, but keys with no record are not ours to delete (nor to roll back).
        if (await hasKeys(client, field, { batch: ctx.options.batch_size, signal: ctx.signal })) throw unrecorded(env, field, target, 'delete');
        return 0;
      }
      if (!ours(ctx, entry, env)) throw conflict(ctx, env, field, entry);
      const deleted = await deleteByPrefix(client, field, {
        batch: ctx.options.batch_size,
        signal: ctx.signal,
        onProgress: (done) => ctx.progress({ message: 'deleting keys', done, unit: 'keys' }),
      });
      // The record goes last: a delete interrupted before this line is finished by running it again.
      await registry.drop(field);
      return deleted;
    });
  }

  async function list(ctx: Ctx): Promise<Resource[]> {
    return withRedis(ctx, spec.provider, async (client, target) => {
      const entries = await new Registry(client, spec.registryKey).all();
      const out = ctx.roots.map((root) => resource(ctx, target, root));
      for (const [field, entry] of entries) {
        if (entry.project !== ctx.project || ctx.roots.includes(entry.env)) continue;
        if (keyspace(ctx, entry.env) !== field) {
          ctx.warn(`the server records "${entry.env}" under the prefix "${field}", which ${spec.optionHint} no longer gives it; its keys are left alone`);
          continue;
        }
        out.push(resource(ctx, target, entry.env, entry));
      }
      return out;
    });
  }

  /** How many keys the environment holds (for `fork-stack diff`). */
  async function countKeys(ctx: Ctx, env: string): Promise<number> {
    return withRedis(ctx, spec.provider, async (client) => {
      let count = 0;
      for await (const keys of scanPrefix(client, keyspace(ctx, env), { batch: ctx.options.batch_size, signal: ctx.signal })) count += keys.length;
      return count;
    });
  }

  return { scheme, keyspace, prefixOf, checkName, find, fork, remove, list, countKeys };
}

export type PrefixEnvs = ReturnType<typeof prefixEnvs>;

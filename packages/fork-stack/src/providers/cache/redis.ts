/**
 * A cache on any Redis-protocol server the team already runs, isolated per environment by key prefix
 * (CACHE_KEY_PREFIX, the default) or by logical database (`isolation = "db"`). Nothing is provisioned:
 * an environment is a prefix or a database number, recorded on the server so that every teammate's
 * `list` sees it (redis-common/registry.ts). The same module serves `valkey` (see valkey.ts).
 *
 * Variables: CACHE_URL and REDIS_URL (the same URL, with its password, masked when printed), and
 * CACHE_KEY_PREFIX (public; "" with database isolation).
 */
import type { Check, Provider, ProviderContext } from '../types.js';
import { clientUrl, redisTarget, withRedis } from '../redis-common/connection.js';
import { dbEnvs } from '../redis-common/db-envs.js';
import { prefixEnvs } from '../redis-common/prefix-envs.js';
import { REGISTRY_KEYS } from '../redis-common/registry.js';
import { serverChecks, serverInfo, supportsCopy } from '../redis-common/server-info.js';
import type { RedisOptions } from './redis.schema.js';

type Ctx = ProviderContext<RedisOptions>;

export function redisCache(name: 'redis' | 'valkey') {
  const byPrefix = prefixEnvs({ provider: name, registryKey: REGISTRY_KEYS.cachePrefixes, separator: '', optionHint: 'prefix in [cache]' });
  const byDb = dbEnvs(name);
  const isDb = (ctx: Ctx) => ctx.options.isolation === 'db';

  async function check(ctx: Ctx): Promise<Check[]> {
    let target;
    try {
      target = redisTarget(ctx);
    } catch (error) {
      return [{ name: 'server URL', status: 'fail', message: (error as Error).message, fix: (error as { hint?: string }).hint }];
    }
    let info;
    try {
      info = await withRedis(ctx, name, (client) => serverInfo(client), { target });
    } catch (error) {
      return [{ name: 'connection', status: 'fail', message: (error as Error).message, fix: (error as { hint?: string }).hint }];
    }
    const checks: Check[] = [{ name: 'connection', status: 'ok', message: `connected to ${target.display} (from ${target.source}), credentials accepted` }];
    checks.push(
      ...serverChecks(info, {
        minimum: '4.0.0',
        eviction: {
          bad: (policy) => policy.startsWith('allkeys-'),
          why: "the server may evict fork-stack's record of environments along with cached keys; environments would then vanish from list",
          fix: 'Use a volatile-* policy (keys with a TTL are evicted, the record is not) or noeviction.',
        },
      }),
    );
    if (name === 'valkey' && info.flavour !== 'Valkey') {
      checks.push({ name: 'server kind', status: 'ok', message: `the server is ${info.flavour}; the valkey provider works with any Redis-protocol server` });
    }
    if (ctx.options.copy) {
      checks.push({
        name: 'fork copy',
        status: 'ok',
        message: supportsCopy(info) ? 'forks copy keys server-side with COPY' : 'forks copy keys with DUMP/RESTORE (COPY needs Redis 6.2)',
      });
    }
    if (isDb(ctx)) {
      const usage = await byDb.usage(ctx);
      checks.push({
        name: 'databases',
        status: usage.free > 0 ? 'ok' : 'warn',
        message: `${usage.total} databases; ${usage.used} used by fork-stack environments, ${usage.foreign ? `${usage.foreign} holding other keys, ` : ''}${usage.free} free for new ones`,
        fix: usage.free > 0 ? undefined : 'Delete unused environments, raise "databases" in the server config, or use isolation = "prefix".',
      });
    }
    return checks;
  }

  return {
    kind: 'cache',
    name,
    publicVariables: ['CACHE_KEY_PREFIX'],

    resourceName: (ctx, env) => (isDb(ctx) ? byDb.resourceName(ctx, env) : byPrefix.prefixOf(ctx, env)),
    checkName: (ctx, env) => (isDb(ctx) ? byDb.checkName(ctx, env) : byPrefix.checkName(ctx, env)),
    find: (ctx, env) => (isDb(ctx) ? byDb.find(ctx, env) : byPrefix.find(ctx, env)),
    fork: (ctx, request) => (isDb(ctx) ? byDb.fork(ctx, request, ctx.options.copy) : byPrefix.fork(ctx, request, ctx.options.copy)),

    async remove(ctx, { env }) {
      if (isDb(ctx)) await byDb.remove(ctx, env);
      else await byPrefix.remove(ctx, env);
    },

    list: (ctx) => (isDb(ctx) ? byDb.list(ctx) : byPrefix.list(ctx)),

    async variables(ctx, env) {
      const url = isDb(ctx) ? await byDb.url(ctx, env) : clientUrl(redisTarget(ctx));
      return { CACHE_URL: url, REDIS_URL: url, CACHE_KEY_PREFIX: isDb(ctx) ? '' : byPrefix.prefixOf(ctx, env) };
    },

    check,

    async describe(ctx, env) {
      return { keys: { count: await (isDb(ctx) ? byDb.countKeys(ctx, env) : byPrefix.countKeys(ctx, env)) } };
    },
  } satisfies Provider<RedisOptions>;
}

export const provider = redisCache('redis');

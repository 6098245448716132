/**
 * BullMQ queues isolated per environment by BullMQ's own `prefix` option on one shared Redis server: an
 * environment's queues live under `<QUEUE_PREFIX>:<queue>:…`. The app passes QUEUE_PREFIX as `prefix` to
 * every Queue, Worker, QueueEvents and FlowProducer (a component without it silently uses "bull" and
 * talks to no environment's queues).
 *
 * A fork starts with no jobs: jobs are work with side effects (an email, a charge), so a copy would run
 * them twice, and job locks, repeat schedules and flow links point at the parent's workers.
 * Delete removes every key under `<QUEUE_PREFIX>:` with SCAN + UNLINK rather than Queue.obliterate() per
 * queue: it needs no list of queue names, also removes keys obliterate leaves (schedulers, keys of
 * queues whose meta was never written, keys of newer BullMQ versions), and cannot reach another
 * environment's keys, whose prefixes are proven disjoint (redis-common/prefix.ts).
 */
import type { Check, Provider, ProviderContext } from '../types.js';
import { clientUrl, redisTarget, withRedis } from '../redis-common/connection.js';
import { prefixEnvs } from '../redis-common/prefix-envs.js';
import { REGISTRY_KEYS } from '../redis-common/registry.js';
import { serverChecks, serverInfo } from '../redis-common/server-info.js';
import type { BullmqOptions } from './bullmq.schema.js';

type Ctx = ProviderContext<BullmqOptions>;

const envs = prefixEnvs({ provider: 'bullmq', registryKey: REGISTRY_KEYS.bullmqPrefixes, separator: ':', optionHint: 'prefix in [queue]' });

async function check(ctx: Ctx): Promise<Check[]> {
  let target;
  try {
    target = redisTarget(ctx);
  } catch (error) {
    return [{ name: 'server URL', status: 'fail', message: (error as Error).message, fix: (error as { hint?: string }).hint }];
  }
  try {
    const info = await withRedis(ctx, 'bullmq', (client) => serverInfo(client), { target });
    return [
      { name: 'connection', status: 'ok', message: `connected to ${target.display} (from ${target.source}), credentials accepted` },
      ...serverChecks(info, {
        // BullMQ's own minimum and recommendation (RedisConnection.minimumVersion / recommendedMinimumVersion).
        minimum: '5.0.0',
        recommended: '6.2.0',
        eviction: {
          bad: (policy) => policy !== 'noeviction',
          why: 'BullMQ needs noeviction: an evicted job or lock key corrupts a queue',
          fix: 'Set maxmemory-policy noeviction on the server (or use a separate server for queues).',
        },
      }),
    ];
  } catch (error) {
    return [{ name: 'connection', status: 'fail', message: (error as Error).message, fix: (error as { hint?: string }).hint }];
  }
}

export const provider = {
  kind: 'queue',
  name: 'bullmq',
  publicVariables: ['QUEUE_PREFIX'],

  resourceName: (ctx, env) => envs.prefixOf(ctx, env),
  checkName: (ctx, env) => envs.checkName(ctx, env),
  find: (ctx, env) => envs.find(ctx, env),
  fork: (ctx, request) => envs.fork(ctx, request, false),

  async remove(ctx, { env }) {
    await envs.remove(ctx, env);
  },

  list: (ctx) => envs.list(ctx),

  async variables(ctx, env) {
    return { QUEUE_URL: clientUrl(redisTarget(ctx)), QUEUE_PREFIX: envs.prefixOf(ctx, env) };
  },

  check,

  async describe(ctx, env) {
    return { keys: { count: await envs.countKeys(ctx, env) } };
  },
} satisfies Provider<BullmqOptions>;

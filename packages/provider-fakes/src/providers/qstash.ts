import { bearerToken } from '../core/auth.js';
import { HttpError, notFound } from '../core/http-error.js';
import type { Handler, ProviderDefinition, SeedContext } from '../core/provider.js';
import { loadSpec } from '../core/spec-files.js';

export interface QStashQueue {
  name: string;
  parallelism: number;
  paused: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface QStashState {
  queues: Map<string, QStashQueue>;
  /** The plan's limits; exceeding them is answered with 412 as QStash documents. */
  limits: { maxQueues: number; maxParallelism: number };
}

export interface QStashSeed {
  queue(name: string, parallelism?: number): QStashQueue;
  limits(limits: Partial<QStashState['limits']>): void;
}

const NAME = /^[A-Za-z0-9._-]{1,100}$/;

const view = (q: QStashQueue) => ({ name: q.name, createdAt: q.createdAt, updatedAt: q.updatedAt, parallelism: q.parallelism, paused: q.paused, lag: 0 });

const handlers: Record<string, Handler<QStashState>> = {
  // Upsert: creates the queue, or updates the parallelism of an existing one.
  'POST /v2/queues': (ctx) => {
    const body = ctx.body as { queueName: string; parallelism: number };
    if (!NAME.test(body.queueName)) throw new HttpError(400, 'queue name can only contain alphanumeric characters, hyphens, underscores and periods');
    const existing = ctx.state.queues.get(body.queueName);
    if (body.parallelism > ctx.state.limits.maxParallelism) {
      throw new HttpError(412, `parallelism ${body.parallelism} exceeds the plan's limit of ${ctx.state.limits.maxParallelism}`);
    }
    if (!existing && ctx.state.queues.size >= ctx.state.limits.maxQueues) {
      throw new HttpError(412, `queue limit of ${ctx.state.limits.maxQueues} reached`);
    }
    const now = Date.now();
    ctx.state.queues.set(body.queueName, existing
      ? { ...existing, parallelism: body.parallelism, updatedAt: now }
      : { name: body.queueName, parallelism: body.parallelism, paused: false, createdAt: now, updatedAt: now });
    return { status: 200 };
  },
  'GET /v2/queues': (ctx) => ({ body: [...ctx.state.queues.values()].map(view) }),
  'GET /v2/queues/{queueName}': (ctx) => {
    const found = ctx.state.queues.get(ctx.params.queueName!);
    if (!found) throw notFound(`queue ${ctx.params.queueName} not found`);
    return { body: view(found) };
  },
  'DELETE /v2/queues/{queueName}': (ctx) => {
    ctx.state.queues.delete(ctx.params.queueName!);
    return { status: 200 };
  },
};

function seeder(state: QStashState, _ctx: SeedContext): QStashSeed {
  return {
    queue(name, parallelism = 1) {
      const created = { name, parallelism, paused: false, createdAt: Date.now(), updatedAt: Date.now() };
      state.queues.set(name, created);
      return created;
    },
    limits(limits) {
      Object.assign(state.limits, limits);
    },
  };
}

/**
 * Upstash QStash v2, queues (https://upstash.com/docs/qstash/api/queues/upsert). Base URL
 * https://qstash.upstash.io; `Authorization: Bearer <QSTASH_TOKEN>` (or `?qstash_token=`).
 */
export const qstash: ProviderDefinition<QStashState, QStashSeed> = {
  name: 'qstash',
  title: 'QStash API',
  spec: loadSpec('qstash.json'),
  basePath: '',
  urlVariable: 'FORK_STACK_QSTASH_API_URL',
  credentials: { QSTASH_TOKEN: 'eyJfakeqstashtoken' },
  credentialKey: (env) => env.QSTASH_TOKEN ?? '',
  credentialOf: (headers, query) => bearerToken(headers) ?? query.get('qstash_token') ?? undefined,
  authError: (failure) => failure === 'read-only'
    ? { status: 403, body: { error: 'the token does not allow this operation' } }
    : { status: 401, body: { error: failure === 'missing' ? 'authorization header or qstash_token query parameter is missing' : 'invalid token' } },
  error: (status, message) => ({ status, body: { error: message } }),
  createState: () => ({ queues: new Map(), limits: { maxQueues: 100, maxParallelism: 100 } }),
  resource: (state, name) => state.queues.get(name),
  seeder,
  seed(seed, scenario) {
    if (scenario?.limits) seed.limits(scenario.limits as Partial<QStashState['limits']>);
    const queues = (scenario?.queues as { name: string; parallelism?: number }[] | undefined) ?? [{ name: 'myapp-emails', parallelism: 2 }];
    for (const q of queues) seed.queue(q.name, q.parallelism);
  },
  handlers,
};

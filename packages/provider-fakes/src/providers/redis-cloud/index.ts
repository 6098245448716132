import { header } from '../../core/auth.js';
import { notFound } from '../../core/http-error.js';
import type { Progress } from '../../core/progress.js';
import type { Handler, HandlerContext, ProviderDefinition, SeedContext } from '../../core/provider.js';
import { redisCloudSpec } from './spec.js';
import { some } from '../../core/fingerprint.js';

export interface RedisCloudDatabase {
  databaseId: number;
  subscriptionId: number;
  name: string;
  port: number;
  password: string;
  datasetSizeInGb: number;
  protocol: string;
  /** Provisioning after the create task completed: `pending` until done, then `active`. */
  provisioning?: Progress;
  deleting: boolean;
}

export interface RedisCloudTask {
  taskId: string;
  commandType: 'databaseCreateRequest' | 'databaseDeleteRequest';
  subscriptionId: number;
  progress: Progress;
  timestamp: string;
  /** What completing the task does: create or delete the database, or fail with this error. */
  outcome: { create: Omit<RedisCloudDatabase, 'databaseId'> } | { delete: number } | { error: { type: string; status: string; description: string } } | { dryRun: true };
  resourceId?: number;
}

export interface RedisCloudState {
  accountId: number;
  subscriptions: Map<number, { id: number; name: string; region: string }>;
  databases: Map<number, RedisCloudDatabase>;
  tasks: Map<string, RedisCloudTask>;
}

export interface RedisCloudSeed {
  subscription(id: number, name?: string): void;
  database(subscriptionId: number, name: string): RedisCloudDatabase;
}

type Ctx = HandlerContext<RedisCloudState>;
const NAME = /^[A-Za-z0-9-]{1,40}$/;

function subscription(ctx: Ctx) {
  const found = ctx.state.subscriptions.get(Number(ctx.params.subscriptionId));
  if (!found) throw notFound(`Subscription ${ctx.params.subscriptionId} not found`, 'SUBSCRIPTION_NOT_FOUND');
  return found;
}

function database(ctx: Ctx): RedisCloudDatabase {
  const sub = subscription(ctx);
  const found = ctx.state.databases.get(Number(ctx.params.databaseId));
  if (!found || found.subscriptionId !== sub.id) throw notFound(`Database ${ctx.params.databaseId} not found`, 'DATABASE_NOT_FOUND');
  return found;
}

function databaseView(state: RedisCloudState, db: RedisCloudDatabase) {
  const region = state.subscriptions.get(db.subscriptionId)?.region ?? 'us-east-1';
  const host = `redis-${db.port}.c${db.subscriptionId}.${region}-1.ec2.redns.redis-cloud.com`;
  return {
    databaseId: db.databaseId, name: db.name, protocol: db.protocol, provider: 'AWS', region, redisVersion: '7.4', respVersion: 'resp3',
    status: db.deleting ? 'deleting' : db.provisioning && !db.provisioning.poll() ? 'pending' : 'active',
    datasetSizeInGb: db.datasetSizeInGb, memoryStorage: 'ram', publicEndpoint: `${host}:${db.port}`, privateEndpoint: `internal.${host}:${db.port}`,
    security: { enableDefaultUser: true, password: db.password, enableTls: false, sourceIps: ['0.0.0.0/0'] }, links: [],
  };
}

/** Reading a task advances it; on completion its outcome is applied (the database appears or goes). */
function taskView(ctx: Ctx, task: RedisCloudTask, observe: boolean) {
  const done = observe ? task.progress.poll() : task.progress.done;
  if (done && task.resourceId === undefined && !('error' in task.outcome)) {
    if ('create' in task.outcome) {
      const databaseId = ctx.nextId('database') + 10_000_000;
      ctx.state.databases.set(databaseId, { ...task.outcome.create, databaseId, provisioning: ctx.progress() });
      task.resourceId = databaseId;
    } else if ('delete' in task.outcome) {
      ctx.state.databases.delete(task.outcome.delete);
      task.resourceId = task.outcome.delete;
    } else {
      task.resourceId = 0;
    }
  }
  const failed = done && 'error' in task.outcome;
  return {
    taskId: task.taskId, commandType: task.commandType,
    status: !observe && !done ? 'received' : !done ? 'processing-in-progress' : failed ? 'processing-error' : 'processing-completed',
    description: failed ? 'Task request failed during processing. See error information for failure details.' : done ? 'Request processing completed successfully and its resources are now being provisioned / de-provisioned.' : 'Task request received and is being queued for processing.',
    timestamp: task.timestamp,
    ...(done ? { response: 'error' in task.outcome ? { error: task.outcome.error } : task.resourceId ? { resourceId: task.resourceId } : {} } : {}),
    links: [{ rel: 'task', type: 'GET', href: `${ctx.baseUrl}/tasks/${task.taskId}` }],
  };
}

function newTask(ctx: Ctx, commandType: RedisCloudTask['commandType'], outcome: RedisCloudTask['outcome']) {
  const task: RedisCloudTask = {
    taskId: `00000000-0000-4000-c000-${ctx.nextId('task').toString(16).padStart(12, '0')}`, commandType, subscriptionId: Number(ctx.params.subscriptionId),
    progress: ctx.progress(), timestamp: ctx.now(), outcome,
  };
  ctx.state.tasks.set(task.taskId, task);
  return { status: 202, body: taskView(ctx, task, false) };
}

const handlers: Record<string, Handler<RedisCloudState>> = {
  'GET /subscriptions': (ctx) => ({
    body: { accountId: ctx.state.accountId, subscriptions: [...ctx.state.subscriptions.values()].map((s) => ({ id: s.id, name: s.name, status: 'active' })) },
  }),
  'GET /subscriptions/{subscriptionId}': (ctx) => {
    const sub = subscription(ctx);
    return { body: { id: sub.id, name: sub.name, status: 'active', numberOfDatabases: [...ctx.state.databases.values()].filter((d) => d.subscriptionId === sub.id).length } };
  },
  'GET /subscriptions/{subscriptionId}/databases': (ctx) => {
    const sub = subscription(ctx);
    const all = [...ctx.state.databases.values()].filter((d) => d.subscriptionId === sub.id).sort((a, b) => a.databaseId - b.databaseId);
    const offset = (ctx.query.offset as number | undefined) ?? 0;
    const limit = ctx.defaultPageSize(ctx.query.limit as number | undefined, 100);
    return {
      body: {
        accountId: ctx.state.accountId,
        subscription: [{ subscriptionId: sub.id, numberOfDatabases: all.length, databases: all.slice(offset, offset + limit).map((d) => databaseView(ctx.state, d)) }],
        links: [],
      },
    };
  },
  // Documented: validation that needs the account's state (a taken name) fails the task, not the request.
  'POST /subscriptions/{subscriptionId}/databases': (ctx) => {
    const sub = subscription(ctx);
    const body = ctx.body as { name: string; dryRun?: boolean; password?: string; datasetSizeInGb?: number; memoryLimitInGb?: number; protocol?: string; port?: number };
    const taken = [...ctx.state.databases.values()].some((d) => d.subscriptionId === sub.id && d.name === body.name)
      || [...ctx.state.tasks.values()].some((t) => t.subscriptionId === sub.id && 'create' in t.outcome && t.outcome.create.name === body.name && !t.progress.done);
    if (!NAME.test(body.name)) {
      return newTask(ctx, 'databaseCreateRequest', { error: { type: 'DATABASE_NAME_INVALID', status: '400 BAD_REQUEST', description: 'Database name can only contain letters, digits and hyphens (at most 40)' } });
    }
    if (taken) {
      return newTask(ctx, 'databaseCreateRequest', { error: { type: 'DATABASE_NAME_ALREADY_IN_USE', status: '409 CONFLICT', description: `Database name '${body.name}' is already in use in this subscription` } });
    }
    if (body.dryRun) return newTask(ctx, 'databaseCreateRequest', { dryRun: true });
    const n = ctx.nextId('port');
    return newTask(ctx, 'databaseCreateRequest', {
      create: {
        subscriptionId: sub.id, name: body.name, port: body.port ?? 10000 + n, password: body.password ?? `fake-redis-password-${n}`,
        datasetSizeInGb: body.datasetSizeInGb ?? body.memoryLimitInGb ?? 1, protocol: body.protocol ?? 'redis', deleting: false,
      },
    });
  },
  'GET /subscriptions/{subscriptionId}/databases/{databaseId}': (ctx) => ({ body: databaseView(ctx.state, database(ctx)) }),
  'DELETE /subscriptions/{subscriptionId}/databases/{databaseId}': (ctx) => {
    const found = database(ctx);
    found.deleting = true;
    return newTask(ctx, 'databaseDeleteRequest', { delete: found.databaseId });
  },
  'GET /tasks': (ctx) => ({ body: [...ctx.state.tasks.values()].map((t) => taskView(ctx, t, false)) }),
  'GET /tasks/{taskId}': (ctx) => {
    const task = ctx.state.tasks.get(ctx.params.taskId!);
    if (!task) throw notFound(`Task ${ctx.params.taskId} not found`, 'TASK_NOT_FOUND');
    return { body: taskView(ctx, task, true) };
  },
};

function seeder(state: RedisCloudState, ctx: SeedContext): RedisCloudSeed {
  return {
    subscription(id, name = `subscription-${id}`) {
      state.subscriptions.set(id, { id, name, region: 'us-east-1' });
    },
    database(subscriptionId, name) {
      const n = ctx.nextId('port');
      const created: RedisCloudDatabase = {
        databaseId: ctx.nextId('database') + 10_000_000, subscriptionId, name, port: 10000 + n, password: `fake-redis-password-${n}`,
        datasetSizeInGb: 1, protocol: 'redis', deleting: false,
      };
      state.databases.set(created.databaseId, created);
      return created;
    },
  };
}

const error = (status: number, message: string, code?: string) => ({
  status, body: { timestamp: new Date().toISOString(), status, error: code ?? (status === 401 ? 'Unauthorized' : status === 404 ? 'Not Found' : 'Error'), message },
});

/**
 * Redis Cloud REST API (https://redis.io/docs/latest/operate/rc/api/). Base URL
 * https://api.redislabs.com/v1; headers `x-api-key` (account key) and `x-api-secret-key` (user key).
 */
export const redisCloud: ProviderDefinition<RedisCloudState, RedisCloudSeed> = {
  name: 'redis-cloud',
  title: 'Redis Cloud REST API',
  spec: redisCloudSpec,
  basePath: '/v1',
  urlVariable: 'FORK_STACK_REDIS_CLOUD_API_URL',
  credentials: { REDIS_CLOUD_API_KEY: 'fake-account-key', REDIS_CLOUD_API_SECRET_KEY: 'fake-secret-key' },
  credentialKey: (env) => `${env.REDIS_CLOUD_API_KEY ?? ''}:${env.REDIS_CLOUD_API_SECRET_KEY ?? ''}`,
  credentialOf: (headers) => {
    const key = header(headers, 'x-api-key');
    const secret = header(headers, 'x-api-secret-key');
    return key && secret ? `${key}:${secret}` : undefined;
  },
  authError: (failure) => failure === 'read-only'
    ? error(403, 'The API key does not allow this operation', 'Forbidden')
    : error(401, failure === 'missing' ? 'Send both x-api-key and x-api-secret-key' : 'Invalid API key or secret key'),
  error,
  createState: () => ({ accountId: 1001, subscriptions: new Map(), databases: new Map(), tasks: new Map() }),
  resource: (state, name) => some([...state.databases.values()].filter((db) => db.name === name)),
  seeder,
  seed(seed, scenario) {
    const subscriptions = (scenario?.subscriptions as { id: number; name?: string; databases?: string[] }[] | undefined)
      ?? [{ id: 100001, name: 'myapp', databases: ['myapp-cache'] }];
    for (const sub of subscriptions) {
      seed.subscription(sub.id, sub.name);
      for (const name of sub.databases ?? []) seed.database(sub.id, name);
    }
  },
  handlers,
};

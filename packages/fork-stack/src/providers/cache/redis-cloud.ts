/**
 * Redis Cloud: a database per environment inside one existing Pro subscription, through the Redis Cloud
 * REST API (https://api.redislabs.com/v1, headers x-api-key / x-api-secret-key).
 *
 * Every create and delete is an asynchronous task: the call answers `{ taskId }` and the work happens
 * later; GET /tasks/{taskId} moves through received / processing-in-progress to processing-completed
 * (with `response.resourceId`, the new database's id) or processing-error (with `response.error`). A task
 * can be unknown to the task service for a moment after it is returned, so a few 404s are tolerated.
 * After its task completes, a new database is waited for until its status is `active`.
 *
 * A fork starts empty. A name proves nothing: roots are adopted by name and never created, forked over or
 * deleted, and a fork is fork-stack's only when this checkout's ownership record
 * (cloud/checkout-record.ts) names its database id. Anything else under the environment's name is
 * refused untouched.
 */
import { apiBaseUrl, requireEnv } from '../../core/credentials.js';
import { OperationError } from '../../core/errors.js';
import { ProviderHttpError, type HttpClient } from '../../core/http.js';
import { registerSecret } from '../../core/scrub.js';
import { providerHttp } from '../cloud/http.js';
import { Naming } from '../cloud/naming.js';
import { pollUntil } from '../cloud/poll.js';
import type { Check, Provider, ProviderContext, Resource } from '../types.js';
import { untilRecorded } from '../cloud/until-recorded.js';
import { dropLedger, readLedger, writeLedger, type LedgerEntry } from '../cloud/checkout-record.js';
import { DatabasePerEnv } from './database-per-env.js';
import { BASE_URL_ENV, DEFAULT_BASE_URL, type RedisCloudOptions } from './redis-cloud.schema.js';

type Ctx = ProviderContext<RedisCloudOptions>;

const HOW_TO_GET_KEYS = 'Create an API key in the Redis Cloud console (Access Management → API Keys) and enable API access for the account.';
const PAGE = 100;
/** Task-service 404s swallowed right after a task id is returned. */
const MAX_TASK_404 = 5;

interface CloudDatabase {
  databaseId: number;
  name: string;
  status?: string;
  publicEndpoint?: string;
  privateEndpoint?: string;
  region?: string;
  provider?: string;
  activatedOn?: string;
  security?: { password?: string; enableTls?: boolean; enableDefaultUser?: boolean };
}

interface Task {
  taskId: string;
  status?: string;
  description?: string;
  response?: { resourceId?: number; error?: { type?: string; status?: string; description?: string } };
}

const naming = new Naming({}, {
  noun: 'Redis Cloud database',
  maxLength: 40,
  pattern: /^[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/,
  patternText: 'letters, digits and "-", starting with a letter and ending with a letter or digit',
});
const databases = new DatabasePerEnv<CloudDatabase>({
  label: 'redis-cloud',
  naming,
  nameOf: (db) => db.name,
  idOf: (db) => String(db.databaseId),
  unmarked: 'Redis Cloud databases carry no fork-stack marker',
  byHand: '',
  where: (ctx) => ` in subscription ${(ctx as Ctx).options.subscription_id}`,
});

function api(ctx: Ctx): HttpClient {
  const key = requireEnv(ctx, 'REDIS_CLOUD_API_KEY', HOW_TO_GET_KEYS);
  const secret = requireEnv(ctx, 'REDIS_CLOUD_API_SECRET_KEY', HOW_TO_GET_KEYS);
  return providerHttp(ctx, 'redis-cloud', apiBaseUrl(ctx, BASE_URL_ENV, DEFAULT_BASE_URL), { 'x-api-key': key, 'x-api-secret-key': secret });
}

const databasesPath = (ctx: Ctx) => `/subscriptions/${ctx.options.subscription_id}/databases`;

/** Every database of the subscription, page by page (offset/limit) until numberOfDatabases are read. */
async function listDatabases(ctx: Ctx, http: HttpClient): Promise<CloudDatabase[]> {
  const all: CloudDatabase[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const { status, body } = await http.request<{ subscription?: { subscriptionId?: number; numberOfDatabases?: number; databases?: CloudDatabase[] }[] }>({
      path: databasesPath(ctx),
      query: { offset, limit: PAGE },
      what: `list the databases of subscription ${ctx.options.subscription_id}`,
      // The API answers 404 for a page past the end of a subscription with databases, and for a subscription that does not exist.
      expect: [404],
      signal: ctx.signal,
    });
    if (status === 404) {
      if (offset === 0) {
        throw new OperationError(`redis-cloud: subscription ${ctx.options.subscription_id} was not found`, {
          hint: 'Check subscription_id in [cache] (a Pro subscription of the account the API key belongs to).',
        });
      }
      break;
    }
    const entry = body.subscription?.find((s) => s.subscriptionId === undefined || s.subscriptionId === ctx.options.subscription_id);
    const page = entry?.databases ?? [];
    all.push(...page);
    // numberOfDatabases is the subscription's total; without it, a short page is the last one.
    if (page.length === 0 || (entry?.numberOfDatabases !== undefined ? all.length >= entry.numberOfDatabases : page.length < PAGE)) break;
  }
  return all;
}

async function getDatabase(ctx: Ctx, http: HttpClient, id: number): Promise<CloudDatabase | undefined> {
  const { status, body } = await http.request<CloudDatabase>({ path: `${databasesPath(ctx)}/${id}`, what: `read database ${id}`, expect: [404], signal: ctx.signal });
  return status === 404 ? undefined : body;
}

async function findDatabase(ctx: Ctx, http: HttpClient, env: string): Promise<CloudDatabase | undefined> {
  const name = naming.nameOf(ctx, env);
  return (await listDatabases(ctx, http)).find((db) => db.name === name);
}

/** Wait for an asynchronous task; the resource id it reports when it completes. */
async function waitForTask(ctx: Ctx, http: HttpClient, taskId: string, what: string): Promise<number | undefined> {
  let missing = 0;
  return pollUntil(
    ctx,
    { what, timeoutMs: ctx.options.wait_timeout_seconds * 1000, hint: 'Raise wait_timeout_seconds in [cache], or look at the task in the Redis Cloud console.' },
    async () => {
      const { status, body } = await http.request<Task>({ path: `/tasks/${encodeURIComponent(taskId)}`, what: `read task ${taskId}`, expect: [404], signal: ctx.signal });
      if (status === 404) {
        missing++;
        if (missing > MAX_TASK_404) return { failed: `redis-cloud: task ${taskId} (${what}) is unknown to the API` };
        return { done: false, state: 'not yet known' };
      }
      if (body.status === 'processing-completed') return { done: true, value: body.response?.resourceId };
      if (body.status === 'processing-error' || body.response?.error) {
        const e = body.response?.error;
        return { failed: `redis-cloud: ${what} failed: ${e?.description ?? body.description ?? 'processing-error'}${e?.type ? ` (${e.type})` : ''}` };
      }
      return { done: false, state: body.status };
    },
  );
}

async function waitActive(ctx: Ctx, http: HttpClient, id: number, name: string): Promise<CloudDatabase> {
  return pollUntil(
    ctx,
    { what: `database "${name}" to become active`, timeoutMs: ctx.options.wait_timeout_seconds * 1000, hint: 'Raise wait_timeout_seconds in [cache].' },
    async () => {
      const db = await getDatabase(ctx, http, id);
      if (!db) return { done: false, state: 'not yet visible' };
      if (db.status === 'error') return { failed: `redis-cloud: database "${name}" is in status error` };
      return db.status === 'active' ? { done: true, value: db } : { done: false, state: db.status };
    },
  );
}

function resource(ctx: Ctx, env: string, db: CloudDatabase, entry: LedgerEntry | undefined): Resource {
  return {
    env,
    name: db.name,
    id: String(db.databaseId),
    state: db.status === undefined || db.status === 'active' ? 'ready' : 'creating',
    ...databases.ownership(ctx, env, db, entry),
    createdAt: db.activatedOn,
    details: {
      ...(db.publicEndpoint ? { endpoint: db.publicEndpoint } : {}),
      ...(db.region ? { region: db.region } : {}),
      ...(db.status && db.status !== 'active' ? { status: db.status } : {}),
    },
  };
}

async function taskOf(ctx: Ctx, call: Promise<{ body: { taskId?: string } }>, what: string): Promise<string> {
  const { body } = await call;
  if (!body?.taskId) throw new OperationError(`redis-cloud: ${what}: the API answered without a taskId`);
  return body.taskId;
}

export const provider = {
  kind: 'cache',
  name: 'redis-cloud',

  resourceName: (ctx, env) => naming.nameOf(ctx, env),
  checkName: (ctx, env) => naming.check(ctx, env),

  async find(ctx, env) {
    const db = await findDatabase(ctx, api(ctx), env);
    return db && resource(ctx, env, db, await readLedger(ctx, env));
  },

  async fork(ctx, { env, parent }) {
    databases.checkForkable(ctx, env);
    const http = api(ctx);
    const all = await listDatabases(ctx, http);
    const name = naming.nameOf(ctx, env);
    const existing = await databases.existing(ctx, env, all);
    if (existing) {
      const { db, entry } = existing;
      return resource(ctx, env, db.status === 'active' ? db : await waitActive(ctx, http, db.databaseId, name), entry);
    }
    databases.parentOf(ctx, parent, all);
    const { options } = ctx;
    ctx.progress({ message: `creating database ${name}` });
    const what = `create database ${name}`;
    const taskId = await taskOf(
      ctx,
      http.request<{ taskId?: string }>({
        method: 'POST',
        path: databasesPath(ctx),
        body: {
          name,
          protocol: 'redis',
          datasetSizeInGb: options.dataset_size_gb,
          dataPersistence: options.data_persistence,
          replication: options.replication,
          ...(options.eviction_policy ? { dataEvictionPolicy: options.eviction_policy } : {}),
          ...(options.tls !== undefined ? { enableTls: options.tls } : {}),
        },
        what,
        // Not cancelled by Ctrl-C: only this run's own task names the database it made, so the request and
        // the task run to their end (bounded by timeouts) and the database is recorded; then the fork stops.
        signal: untilRecorded(ctx).signal,
      }),
      what,
    );
    const settled = untilRecorded(ctx);
    const id = (await waitForTask(settled, http, taskId, `the task creating database "${name}"`)) ?? (await findDatabase(settled, http, env))?.databaseId;
    if (id === undefined) throw new OperationError(`redis-cloud: the task creating database "${name}" completed, but the database is not listed`);
    // Recorded as soon as this run's own task names the database: a rollback may now delete it.
    await writeLedger(ctx, env, 'redis-cloud', [String(id)]);
    ctx.signal.throwIfAborted();
    return resource(ctx, env, await waitActive(ctx, http, id, name), await readLedger(ctx, env));
  },

  async remove(ctx, { env }) {
    databases.refuseAdoptedRemove(ctx, env);
    const http = api(ctx);
    const db = await findDatabase(ctx, http, env);
    if (!db) return dropLedger(ctx, env);
    await databases.checkRemovable(ctx, env, db);
    ctx.progress({ message: `deleting database ${db.name}` });
    const what = `delete database ${db.name}`;
    const response = await http.request<{ taskId?: string }>({ method: 'DELETE', path: `${databasesPath(ctx)}/${db.databaseId}`, what, expect: [404], signal: ctx.signal });
    if (response.status !== 404) {
      const taskId = await taskOf(ctx, Promise.resolve(response), what);
      await waitForTask(ctx, http, taskId, `the task deleting database "${db.name}"`);
    }
    await dropLedger(ctx, env);
  },

  async list(ctx) {
    return databases.listed(ctx, await listDatabases(ctx, api(ctx)), (env, db, entry) => resource(ctx, env, db, entry));
  },

  async variables(ctx, env) {
    const http = api(ctx);
    const found = await findDatabase(ctx, http, env);
    const db = found && (await getDatabase(ctx, http, found.databaseId));
    if (!db) throw new OperationError(`redis-cloud: "${env}" has no database "${naming.nameOf(ctx, env)}"`, { hint: `Create it with "fork-stack create ${env}".` });
    if (!db.publicEndpoint) throw new OperationError(`redis-cloud: database "${db.name}" has no public endpoint yet (status ${db.status ?? 'unknown'})`);
    const password = db.security?.password;
    if (!password) {
      throw new OperationError(`redis-cloud: the API returned no password for database "${db.name}"`, {
        hint: 'fork-stack connects as the default user: keep "default user" enabled on the database.',
      });
    }
    registerSecret(password);
    const url = `${db.security?.enableTls ? 'rediss' : 'redis'}://default:${encodeURIComponent(password)}@${db.publicEndpoint}`;
    return { CACHE_URL: url, REDIS_URL: url };
  },

  async check(ctx): Promise<Check[]> {
    try {
      const all = await listDatabases(ctx, api(ctx));
      return [
        { name: 'credentials', status: 'ok', message: `the API key works; subscription ${ctx.options.subscription_id} has ${all.length} databases` },
        ...databases.rootChecks(ctx, all, (root) => `Set names = { ${root} = "<existing database>" } in [${ctx.slot}].`),
      ];
    } catch (error) {
      const status = error instanceof ProviderHttpError ? error.status : 0;
      return [{ name: 'credentials', status: 'fail', message: (error as Error).message, fix: status === 401 || status === 403 ? HOW_TO_GET_KEYS : (error as { hint?: string }).hint }];
    }
  },
} satisfies Provider<RedisCloudOptions>;

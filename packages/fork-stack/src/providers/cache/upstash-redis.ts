/**
 * Upstash Redis: a database per environment through the Upstash Developer API
 * (https://api.upstash.com/v2, HTTP Basic UPSTASH_EMAIL:UPSTASH_API_KEY).
 *
 *  - fork: POST /redis/database, then wait until GET /redis/database/{id} says `active`. With
 *    `copy = true` the parent is backed up (POST /redis/create-backup/{parent}, waited for in
 *    GET /redis/list-backup/{parent}), the backup is restored into the new database
 *    (POST /redis/restore-backup/{child}; Upstash restores "to any database in your account or team"),
 *    and the backup is deleted again.
 *  - remove: DELETE /redis/database/{id}; gone already is success.
 *  - list: GET /redis/databases, names mapped back to environments through the naming pattern.
 * Upstash databases carry no labels or description, so a name proves nothing: roots are adopted by name
 * and never created, forked over or deleted, and a fork is fork-stack's only when this checkout's
 * ownership record (cloud/checkout-record.ts) names its database id. Anything else under the
 * environment's name is refused untouched.
 */
import { apiBaseUrl, requireEnv } from '../../core/credentials.js';
import { OperationError } from '../../core/errors.js';
import type { HttpClient } from '../../core/http.js';
import { registerSecret } from '../../core/scrub.js';
import { providerHttp } from '../cloud/http.js';
import { Naming } from '../cloud/naming.js';
import { pollUntil } from '../cloud/poll.js';
import type { Check, Provider, ProviderContext, Resource } from '../types.js';
import { untilRecorded } from '../cloud/until-recorded.js';
import { dropLedger, readLedger, writeLedger, type LedgerEntry } from '../cloud/checkout-record.js';
import { DatabasePerEnv } from './database-per-env.js';
import { BASE_URL_ENV, DEFAULT_BASE_URL, type UpstashRedisOptions } from './upstash-redis.schema.js';

type Ctx = ProviderContext<UpstashRedisOptions>;

const HOW_TO_GET_KEY = 'Create a Developer API key in the Upstash Console (Account → Management API).';

interface UpstashDatabase {
  database_id: string;
  database_name: string;
  endpoint: string;
  port?: number;
  state?: string;
  tls?: boolean;
  creation_time?: number;
  primary_region?: string;
  modifying_state?: string;
  password?: string;
  rest_token?: string;
}

interface UpstashBackup {
  backup_id: string;
  name: string;
  state?: 'pending' | 'completed' | 'failed';
}

const naming = new Naming({}, { noun: 'Upstash database', maxLength: 64, pattern: /^[A-Za-z0-9_-]+$/, patternText: 'letters, digits, "-" and "_" only' });
const databases = new DatabasePerEnv<UpstashDatabase>({
  label: 'upstash',
  naming,
  nameOf: (db) => db.database_name,
  idOf: (db) => db.database_id,
  unmarked: 'Upstash databases carry no labels',
  byHand: ' in the Upstash Console',
  where: () => '',
});

function api(ctx: Ctx): HttpClient {
  const email = requireEnv(ctx, 'UPSTASH_EMAIL', 'The e-mail address of your Upstash account.');
  const key = requireEnv(ctx, 'UPSTASH_API_KEY', HOW_TO_GET_KEY);
  const basic = Buffer.from(`${email}:${key}`).toString('base64');
  registerSecret(basic);
  return providerHttp(ctx, 'upstash', apiBaseUrl(ctx, BASE_URL_ENV, DEFAULT_BASE_URL), { authorization: `Basic ${basic}` });
}

async function listDatabases(ctx: Ctx, http: HttpClient): Promise<UpstashDatabase[]> {
  const { body } = await http.request<UpstashDatabase[]>({ path: '/redis/databases', what: 'list databases', signal: ctx.signal });
  return Array.isArray(body) ? body : [];
}

async function findDatabase(ctx: Ctx, http: HttpClient, env: string): Promise<UpstashDatabase | undefined> {
  const name = naming.nameOf(ctx, env);
  return (await listDatabases(ctx, http)).find((db) => db.database_name === name);
}

async function getDatabase(ctx: Ctx, http: HttpClient, id: string): Promise<UpstashDatabase | undefined> {
  const { status, body } = await http.request<UpstashDatabase>({ path: `/redis/database/${encodeURIComponent(id)}`, what: `read database ${id}`, expect: [404], signal: ctx.signal });
  return status === 404 ? undefined : body;
}

/** The endpoint is documented as a slug ("beloved-stallion-58500") or a full host name. */
function host(db: UpstashDatabase): string {
  return db.endpoint.includes('.') ? db.endpoint : `${db.endpoint}.upstash.io`;
}

function resource(ctx: Ctx, env: string, db: UpstashDatabase, entry: LedgerEntry | undefined): Resource {
  return {
    env,
    name: db.database_name,
    id: db.database_id,
    state: db.state === undefined || db.state === 'active' ? 'ready' : 'creating',
    ...databases.ownership(ctx, env, db, entry),
    createdAt: db.creation_time ? new Date(db.creation_time * 1000).toISOString() : undefined,
    details: { host: host(db), ...(db.primary_region ? { region: db.primary_region } : {}), ...(db.state && db.state !== 'active' ? { upstashState: db.state } : {}) },
  };
}

async function waitActive(ctx: Ctx, http: HttpClient, db: UpstashDatabase, what: string): Promise<UpstashDatabase> {
  const settled = (d: UpstashDatabase) => (d.state === undefined || d.state === 'active') && !d.modifying_state;
  if (settled(db)) return db;
  return pollUntil(
    ctx,
    { what: `database "${db.database_name}" ${what}`, timeoutMs: ctx.options.wait_timeout_seconds * 1000, hint: 'Raise wait_timeout_seconds in [cache], or check the database in the Upstash Console.' },
    async () => {
      const current = await getDatabase(ctx, http, db.database_id);
      if (!current) return { failed: `upstash: database "${db.database_name}" disappeared while waiting for it` };
      if (current.state === 'suspended') return { failed: `upstash: database "${db.database_name}" is suspended` };
      return settled(current) ? { done: true, value: current } : { done: false, state: current.modifying_state || current.state };
    },
  );
}

/** Back up the parent, restore the backup into the child, delete the backup. */
async function copyParent(ctx: Ctx, http: HttpClient, parent: UpstashDatabase, child: UpstashDatabase): Promise<UpstashDatabase> {
  const backupName = `fork-stack-${child.database_name}-${ctx.now().getTime()}`.slice(0, 120);
  ctx.progress({ message: `backing up ${parent.database_name}` });
  await http.request({
    method: 'POST',
    path: `/redis/create-backup/${encodeURIComponent(parent.database_id)}`,
    body: { name: backupName },
    what: `back up database ${parent.database_name}`,
    signal: ctx.signal,
  });
  const backup = await pollUntil(
    ctx,
    { what: `the backup of "${parent.database_name}"`, timeoutMs: ctx.options.wait_timeout_seconds * 1000, hint: 'Raise wait_timeout_seconds in [cache].' },
    async () => {
      const { body } = await http.request<UpstashBackup[]>({ path: `/redis/list-backup/${encodeURIComponent(parent.database_id)}`, what: `list backups of ${parent.database_name}`, signal: ctx.signal });
      const found = (Array.isArray(body) ? body : []).find((b) => b.name === backupName);
      if (!found) return { done: false, state: 'requested' };
      if (found.state === 'failed') return { failed: `upstash: the backup of "${parent.database_name}" failed` };
      return found.state === 'completed' || found.state === undefined ? { done: true, value: found } : { done: false, state: found.state };
    },
  );
  try {
    ctx.progress({ message: `restoring into ${child.database_name}` });
    await http.request({
      method: 'POST',
      path: `/redis/restore-backup/${encodeURIComponent(child.database_id)}`,
      body: { backup_id: backup.backup_id },
      what: `restore the backup of ${parent.database_name} into ${child.database_name}`,
      signal: ctx.signal,
    });
    return await waitActive(ctx, http, child, 'to finish the restore');
  } finally {
    await http
      .request({
        method: 'DELETE',
        path: `/redis/delete-backup/${encodeURIComponent(parent.database_id)}/${encodeURIComponent(backup.backup_id)}`,
        what: `delete backup ${backupName}`,
        expect: [404],
        signal: ctx.signal,
      })
      .catch((error: unknown) => ctx.warn(`the temporary backup "${backupName}" of ${parent.database_name} could not be deleted (${(error as Error).message}); delete it in the Upstash Console`));
  }
}

export const provider = {
  kind: 'cache',
  name: 'upstash-redis',
  publicVariables: ['UPSTASH_REDIS_REST_URL'],

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
    if (existing) return resource(ctx, env, await waitActive(ctx, http, existing.db, 'to become active'), existing.entry);
    const parentDb = databases.parentOf(ctx, parent, all);
    const { options } = ctx;
    ctx.progress({ message: `creating database ${name}` });
    const { body: created } = await http.request<UpstashDatabase>({
      method: 'POST',
      path: '/redis/database',
      body: {
        database_name: name,
        platform: options.platform,
        primary_region: options.primary_region,
        ...(options.read_regions.length ? { read_regions: options.read_regions } : {}),
        ...(options.plan ? { plan: options.plan } : {}),
        ...(options.budget !== undefined ? { budget: options.budget } : {}),
        ...(options.eviction !== undefined ? { eviction: options.eviction } : {}),
        tls: true,
      },
      what: `create database ${name}`,
      // Not cancelled by Ctrl-C: the answer is the only proof that this run made the database, so the
      // request runs to its answer (bounded by the client's timeout) and is recorded; then the fork stops.
      signal: untilRecorded(ctx).signal,
    });
    // Recorded at once: the answer proves this run made it, and a rollback may now delete it.
    await writeLedger(ctx, env, 'upstash-redis', [created.database_id]);
    ctx.signal.throwIfAborted();
    let db = await waitActive(ctx, http, created, 'to become active');
    if (options.copy) db = await copyParent(ctx, http, parentDb, db);
    return resource(ctx, env, db, await readLedger(ctx, env));
  },

  async remove(ctx, { env }) {
    databases.refuseAdoptedRemove(ctx, env);
    const http = api(ctx);
    const db = await findDatabase(ctx, http, env);
    if (!db) return dropLedger(ctx, env);
    await databases.checkRemovable(ctx, env, db);
    ctx.progress({ message: `deleting database ${db.database_name}` });
    await http.request({ method: 'DELETE', path: `/redis/database/${encodeURIComponent(db.database_id)}`, what: `delete database ${db.database_name}`, expect: [404], signal: ctx.signal });
    await dropLedger(ctx, env);
  },

  async list(ctx) {
    return databases.listed(ctx, await listDatabases(ctx, api(ctx)), (env, db, entry) => resource(ctx, env, db, entry));
  },

  async variables(ctx, env) {
    const http = api(ctx);
    const found = await findDatabase(ctx, http, env);
    const db = found && (await getDatabase(ctx, http, found.database_id));
    if (!db) throw new OperationError(`upstash: "${env}" has no database "${naming.nameOf(ctx, env)}"`, { hint: `Create it with "fork-stack create ${env}".` });
    if (!db.password || !db.rest_token) {
      throw new OperationError(`upstash: the API returned no credentials for database "${db.database_name}"`, {
        hint: 'Use a Developer API key of the account or team that owns the database.',
      });
    }
    registerSecret(db.password);
    registerSecret(db.rest_token);
    const scheme = db.tls === false ? 'redis' : 'rediss';
    const url = `${scheme}://default:${encodeURIComponent(db.password)}@${host(db)}:${db.port ?? 6379}`;
    return { CACHE_URL: url, REDIS_URL: url, UPSTASH_REDIS_REST_URL: `https://${host(db)}`, UPSTASH_REDIS_REST_TOKEN: db.rest_token };
  },

  async check(ctx): Promise<Check[]> {
    try {
      const all = await listDatabases(ctx, api(ctx));
      return [
        { name: 'credentials', status: 'ok', message: `the Developer API key works; ${all.length} databases in the account` },
        ...databases.rootChecks(ctx, all, (root) => `Create it in the Upstash Console, or set names = { ${root} = "<existing database>" } in [${ctx.slot}].`),
      ];
    } catch (error) {
      return [{ name: 'credentials', status: 'fail', message: (error as Error).message, fix: (error as { hint?: string }).hint ?? HOW_TO_GET_KEY }];
    }
  },
} satisfies Provider<UpstashRedisOptions>;

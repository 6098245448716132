/**
 * Upstash QStash queues, named per environment. QStash has no notion of environments (one token, one
 * namespace of queues per account), so each environment gets its own queues: `queues = ["emails"]` gives
 * alice `shop-alice-emails`, created with the configured parallelism through `POST /v2/queues` (an
 * upsert). The app enqueues to QSTASH_QUEUE_<NAME> (or QSTASH_QUEUE_PREFIX + name).
 *
 * Messages are never copied: they are deliveries with side effects. Delete removes exactly the configured
 * queue names of the environment — never by prefix, because "shop-alice-" is also the start of
 * "shop-alice-2-emails". Roots are adopted: their queues exist whenever the app uses them (QStash creates a
 * queue on first enqueue), and they are never created, changed or deleted.
 *
 * The QStash token is the account's, not the environment's: it is not written into environment files
 * unless `pass_credentials = true`.
 *
 * Ownership: QStash queues carry no labels, so a queue name proves nothing. fork-stack records each queue
 * it creates (name and QStash's creation time) in this checkout's ownership record
 * (cloud/checkout-record.ts) right after creating it; an environment is owned only when every one of its
 * queues that exists is recorded, and fork, delete and rollback refuse (touching nothing) when any queue
 * under the environment's names is not.
 */
import { apiBaseUrl, requireEnv } from '../../core/credentials.js';
import { OperationError, UsageError } from '../../core/errors.js';
import { ProviderHttpError } from '../../core/http.js';
import { envFromName, envNameProblem, renderPattern, resourceNameFor } from '../../core/names.js';
import { providerHttp } from '../cloud/http.js';
import type { Check, Provider, ProviderContext, Resource } from '../types.js';
import { untilRecorded } from '../cloud/until-recorded.js';
import { dropLedger, ledgerMarkedFor, readLedger, writeLedger, type LedgerEntry } from '../cloud/checkout-record.js';
import { QUEUE_NAME, type QstashOptions } from './upstash-qstash.schema.js';

type Ctx = ProviderContext<QstashOptions>;

const TOKEN_ENV = 'QSTASH_TOKEN';
const BASE_URL_ENV = 'FORK_STACK_QSTASH_API_URL';
const DEFAULT_BASE_URL = 'https://qstash.upstash.io';
const HOW_TO_GET_TOKEN = 'Copy the QStash token from the Upstash Console (QStash → Request builder / .env tab).';
const PASS_THROUGH = ['QSTASH_URL', 'QSTASH_CURRENT_SIGNING_KEY', 'QSTASH_NEXT_SIGNING_KEY'];

interface QueueInfo {
  name: string;
  parallelism?: number;
  paused?: boolean;
  lag?: number;
  createdAt?: number;
}

interface ConfiguredQueue {
  /** The config name: "emails". */
  key: string;
  parallelism: number;
}

function configured(ctx: Ctx): ConfiguredQueue[] {
  return ctx.options.queues.map((q) =>
    typeof q === 'string' ? { key: q, parallelism: ctx.options.parallelism } : { key: q.name, parallelism: q.parallelism ?? ctx.options.parallelism },
  );
}

function queueName(ctx: Ctx, env: string, key: string): string {
  return resourceNameFor(ctx.options.name, { project: ctx.project, queue: key }, env, ctx.options.names);
}

/** QSTASH_QUEUE_EMAILS for "emails", QSTASH_QUEUE_DAILY_REPORTS for "daily-reports". */
export function queueVariable(key: string): string {
  return `QSTASH_QUEUE_${key.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

function client(ctx: Ctx) {
  const token = requireEnv(ctx, TOKEN_ENV, HOW_TO_GET_TOKEN);
  const fallback = (ctx.options.url ?? ctx.env.QSTASH_URL?.trim()) || DEFAULT_BASE_URL;
  return providerHttp(ctx, 'qstash', apiBaseUrl(ctx, BASE_URL_ENV, fallback.replace(/\/$/, '')), { authorization: `Bearer ${token}` });
}

async function listQueues(ctx: Ctx): Promise<QueueInfo[]> {
  const { body } = await client(ctx).request<QueueInfo[]>({ path: '/v2/queues', what: 'list queues', signal: ctx.signal });
  return Array.isArray(body) ? body : [];
}

const resourceName = (ctx: Ctx, env: string) => queueName(ctx, env, '*');

function checkName(ctx: Ctx, env: string): string | undefined {
  const problem = envNameProblem(env);
  if (problem) return `invalid environment name "${env}": ${problem}`;
  const names = configured(ctx).map((q) => queueName(ctx, env, q.key));
  const bad = names.find((name) => !QUEUE_NAME.test(name));
  if (bad) return `QStash queue name "${bad}" may contain only letters, digits, ".", "_" and "-"`;
  if (new Set(names).size !== names.length) return `the queue names of "${env}" collide (${names.join(', ')}): put {queue} in the name pattern`;
  return undefined;
}

/** A queue's identity in the ownership record: a queue deleted and made again under its name differs. */
const identity = (q: QueueInfo) => `${q.name}@${q.createdAt ?? ''}`;

/** Whether this checkout's record proves every one of `found` fork-stack's for (project, env). */
function recorded(ctx: Ctx, env: string, entry: LedgerEntry | undefined, found: QueueInfo[]): boolean {
  return entry !== undefined && entry.project === ctx.project && entry.env === env && found.every((q) => entry.ids.includes(identity(q)));
}

function resource(ctx: Ctx, env: string, found: QueueInfo[], adopted: boolean, entry?: LedgerEntry): Resource {
  const createdAt = found.map((q) => q.createdAt).filter((t): t is number => typeof t === 'number').sort()[0];
  const owned = !adopted && recorded(ctx, env, entry, found);
  const markedFor = owned || adopted ? undefined : ledgerMarkedFor(ctx, env, entry);
  return {
    env,
    name: resourceName(ctx, env),
    state: adopted || configured(ctx).length === found.length ? 'ready' : 'partial',
    owned,
    ...(markedFor ? { markedFor } : {}),
    createdAt: createdAt ? new Date(createdAt).toISOString() : undefined,
    details: {
      queues: found.map((q) => q.name).join(', ') || 'none yet (created on first enqueue)',
      lag: found.reduce((sum, q) => sum + (q.lag ?? 0), 0),
      ...(found.some((q) => q.paused) ? { paused: true } : {}),
    },
  };
}

/** The environment's configured queues that exist now (possibly not all of them). */
function present(ctx: Ctx, env: string, all: QueueInfo[]): QueueInfo[] {
  const names = new Set(configured(ctx).map((q) => queueName(ctx, env, q.key)));
  return all.filter((q) => names.has(q.name));
}

function notOurs(ctx: Ctx, env: string, queues: QueueInfo[], action: string): OperationError {
  return new OperationError(`qstash: refusing to ${action} "${env}": queue${queues.length === 1 ? '' : 's'} ${queues.map((q) => q.name).join(', ')} ${queues.length === 1 ? 'was' : 'were'} not created by fork-stack for this project and environment (no record in this checkout); nothing was changed`, {
    hint: `QStash queues carry no labels, so fork-stack only touches the queues it created here. Delete them yourself, or give "${env}" other queue names with names = { ${env} = "…" } in [${ctx.slot}].`,
  });
}

/** The environment's queues as they exist now, or undefined when any configured queue is missing. */
function complete(ctx: Ctx, env: string, all: QueueInfo[]): QueueInfo[] | undefined {
  const byName = new Map(all.map((q) => [q.name, q]));
  const found = configured(ctx).map((q) => byName.get(queueName(ctx, env, q.key)));
  return found.every((q): q is QueueInfo => q !== undefined) ? found : undefined;
}

const adoptedEnv = (ctx: Ctx, env: string) => ctx.roots.includes(env);

function explain(error: unknown, env: string): never {
  if (error instanceof ProviderHttpError && error.status === 412) {
    throw new OperationError(`qstash: cannot create the queues of "${env}": the account's limit on queues or on parallelism per queue is reached`, {
      hint: 'Delete environments you no longer need, lower parallelism, or raise the QStash plan.',
      cause: error,
    });
  }
  throw error;
}

export const provider = {
  kind: 'queue',
  name: 'upstash-qstash',
  publicVariables: ['QSTASH_QUEUE_*'],

  resourceName,
  checkName,

  async find(ctx, env) {
    const all = await listQueues(ctx);
    if (adoptedEnv(ctx, env)) {
      const names = new Set(configured(ctx).map((q) => queueName(ctx, env, q.key)));
      return resource(ctx, env, all.filter((q) => names.has(q.name)), true);
    }
    // Any queue under the environment's names counts: a lone foreign one must be refused, not ignored.
    const found = present(ctx, env, all);
    return found.length > 0 ? resource(ctx, env, found, false, await readLedger(ctx, env)) : undefined;
  },

  async fork(ctx, { env, parent }) {
    const problem = checkName(ctx, env);
    if (problem) throw new UsageError(`qstash: ${problem}`);
    if (adoptedEnv(ctx, env)) throw new UsageError(`qstash: "${env}" is a root environment; its queues are adopted, never created`);
    const all = await listQueues(ctx);
    if (!adoptedEnv(ctx, parent) && !complete(ctx, parent, all)) {
      throw new OperationError(`qstash: parent environment "${parent}" has no queues`, {
        hint: `Run "fork-stack list" to see the environments, or create "${parent}" first.`,
      });
    }
    // POST /v2/queues is an upsert: it would silently take over (and re-configure) a queue someone else
    // made, so every existing queue of the environment must be on record before anything is sent.
    let entry = await readLedger(ctx, env);
    const foreign = present(ctx, env, all).filter((q) => !recorded(ctx, env, entry, [q]));
    if (foreign.length > 0) throw notOurs(ctx, env, foreign, 'create');
    const existing = new Set(all.map((q) => q.name));
    const api = client(ctx);
    for (const q of configured(ctx)) {
      const queueNameValue = queueName(ctx, env, q.key);
      if (existing.has(queueNameValue)) continue;
      ctx.progress({ message: `creating queue ${queueNameValue}` });
      await api
        // Not cancelled by Ctrl-C: the queue is recorded before the fork stops (see until-recorded.ts).
        .request({ method: 'POST', path: '/v2/queues', body: { queueName: queueNameValue, parallelism: q.parallelism }, what: `create queue ${queueNameValue}`, signal: untilRecorded(ctx).signal })
        .catch((error: unknown) => explain(error, env));
      // Recorded one by one, so that a rollback after a later failure can delete the ones made so far.
      const made = present(ctx, env, await listQueues(untilRecorded(ctx))).find((x) => x.name === queueNameValue);
      if (made) {
        const before = recorded(ctx, env, entry, []) ? (entry?.ids ?? []) : [];
        await writeLedger(ctx, env, 'upstash-qstash', [...new Set([...before, identity(made)])]);
        entry = await readLedger(ctx, env);
      }
      ctx.signal.throwIfAborted();
    }
    const found = complete(ctx, env, await listQueues(ctx));
    if (!found) throw new OperationError(`qstash: the queues of "${env}" were created but are not listed by QStash`);
    return resource(ctx, env, found, false, entry);
  },

  async remove(ctx, { env }) {
    if (adoptedEnv(ctx, env)) throw new UsageError(`qstash: "${env}" is a root environment; fork-stack never deletes its queues`);
    const api = client(ctx);
    const found = present(ctx, env, await listQueues(ctx));
    const entry = await readLedger(ctx, env);
    const foreign = found.filter((q) => !recorded(ctx, env, entry, [q]));
    if (foreign.length > 0) throw notOurs(ctx, env, foreign, 'delete');
    for (const { name } of found) {
      ctx.progress({ message: `deleting queue ${name}` });
      await api.request({ method: 'DELETE', path: `/v2/queues/${encodeURIComponent(name)}`, what: `delete queue ${name}`, expect: [404], signal: ctx.signal });
    }
    await dropLedger(ctx, env);
  },

  async list(ctx) {
    const all = await listQueues(ctx);
    const out: Resource[] = ctx.roots.map((root) => {
      const names = new Set(configured(ctx).map((q) => queueName(ctx, root, q.key)));
      return resource(ctx, root, all.filter((q) => names.has(q.name)), true);
    });
    // Environment candidates from any configured queue's pattern; kept when all their queues exist.
    const candidates = new Set<string>();
    for (const q of all) {
      for (const { key } of configured(ctx)) {
        const overrides = Object.fromEntries(Object.entries(ctx.options.names).map(([env, p]) => [env, renderPattern(p, { project: ctx.project, env, queue: key })]));
        const env = envFromName(ctx.options.name, { project: ctx.project, queue: key }, q.name, overrides);
        if (env && !adoptedEnv(ctx, env)) candidates.add(env);
      }
    }
    for (const env of [...candidates].sort()) {
      const found = complete(ctx, env, all);
      if (found) out.push(resource(ctx, env, found, false, await readLedger(ctx, env)));
    }
    return out;
  },

  async variables(ctx, env) {
    const vars: Record<string, string> = {};
    const pattern = ctx.options.names[env] ?? ctx.options.name;
    if (pattern.endsWith('{queue}')) vars.QSTASH_QUEUE_PREFIX = renderPattern(pattern.slice(0, -'{queue}'.length), { project: ctx.project, env });
    for (const { key } of configured(ctx)) vars[queueVariable(key)] = queueName(ctx, env, key);
    if (ctx.options.pass_credentials) {
      vars.QSTASH_TOKEN = requireEnv(ctx, TOKEN_ENV, HOW_TO_GET_TOKEN);
      for (const name of PASS_THROUGH) {
        const value = ctx.env[name]?.trim();
        if (value) vars[name] = name === 'QSTASH_URL' ? value : requireEnv(ctx, name, HOW_TO_GET_TOKEN);
      }
    }
    return vars;
  },

  async check(ctx): Promise<Check[]> {
    try {
      const all = await listQueues(ctx);
      const roots = ctx.roots.map((root) => `${root}: ${configured(ctx).filter((q) => all.some((x) => x.name === queueName(ctx, root, q.key))).length}/${configured(ctx).length} queues`);
      return [
        { name: 'credentials', status: 'ok', message: `${TOKEN_ENV} accepted; ${all.length} queues in the account` },
        { name: 'roots', status: 'ok', message: roots.join('; ') || 'no roots configured' },
      ];
    } catch (error) {
      return [{ name: 'credentials', status: 'fail', message: (error as Error).message, fix: (error as { hint?: string }).hint ?? HOW_TO_GET_TOKEN }];
    }
  },
} satisfies Provider<QstashOptions>;

/**
 * Inngest branch environments. Inngest creates a branch environment itself the first time an app sends
 * an event or syncs with `INNGEST_ENV=<name>`, and archives it on its own some days after the last
 * deploy; there is no public API to create, list or archive one with the event and signing keys an app
 * has. So this provider provisions nothing remotely:
 *
 *  - variables: INNGEST_ENV = the branch name (none for the `production` environments), plus the event
 *    and signing keys when `keys_from_env` (branch environments share them).
 *  - fork/remove: a local record under .fork-stack/inngest/ (what this checkout created); remove says,
 *    as a warning, that Inngest archives the branch environment itself.
 *  - find/list: roots and production environments always; other environments when this checkout has
 *    their record. A teammate's environment is not visible here until they share it (the limit of having
 *    no API), which `fork-stack create <env>` on this machine repairs by recording it.
 *
 * Ownership: the record is the only marker Inngest allows (it has no API to label a branch environment).
 * It names the project and the environment; a record naming another one (a copied state directory) is
 * reported with `markedFor`, and fork and remove refuse it untouched.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { requireEnv } from '../../core/credentials.js';
import { OperationError, UsageError } from '../../core/errors.js';
import { readFileIfExists, writeFileAtomic } from '../../core/files/atomic.js';
import { envNameProblem, resourceNameFor } from '../../core/names.js';
import type { Check, Provider, ProviderContext, Resource } from '../types.js';
import type { InngestOptions } from './inngest.schema.js';

type Ctx = ProviderContext<InngestOptions>;

interface LocalRecord {
  /** Absent in records written before it was added: they sit in this project's state directory. */
  project?: string;
  env: string;
  branch: string;
  parent?: string;
  createdAt: string;
}

const KEY_HELP = 'Copy it from the Inngest dashboard (Manage → Event Keys / Signing Key of production; branch environments share them).';

const branchName = (ctx: Ctx, env: string) => resourceNameFor(ctx.options.name, { project: ctx.project }, env, ctx.options.names);
const recordFile = (ctx: Ctx, env: string) => path.join(ctx.stateDir, 'inngest', `${env}.json`);
const adopted = (ctx: Ctx, env: string) => ctx.roots.includes(env) || ctx.options.production.includes(env);

async function readRecord(ctx: Ctx, env: string): Promise<LocalRecord | undefined> {
  const text = await readFileIfExists(recordFile(ctx, env));
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as LocalRecord;
  } catch {
    return { env, branch: branchName(ctx, env), createdAt: '' };
  }
}

const ours = (ctx: Ctx, env: string, record: LocalRecord | undefined) => record !== undefined && record.env === env && (record.project ?? ctx.project) === ctx.project;

function notOurs(ctx: Ctx, env: string, record: LocalRecord, action: string): OperationError {
  return new OperationError(`inngest: refusing to ${action} "${env}": its record ${path.relative(ctx.root, recordFile(ctx, env))} was written for project "${record.project ?? ctx.project}", environment "${record.env}"; it was left untouched`, {
    hint: 'It was probably copied from another checkout or project: remove it yourself if it is stale.',
  });
}

function resource(ctx: Ctx, env: string, record?: LocalRecord): Resource {
  const production = ctx.options.production.includes(env);
  const owned = ours(ctx, env, record);
  return {
    env,
    name: production ? 'production' : branchName(ctx, env),
    state: 'ready',
    owned,
    ...(record && !owned ? { markedFor: { project: record.project ?? ctx.project, env: record.env } } : {}),
    parent: record?.parent,
    createdAt: record?.createdAt || undefined,
    details: { kind: production ? 'production environment' : 'branch environment (created by Inngest on first use)' },
  };
}

export const provider = {
  kind: 'queue',
  name: 'inngest',
  publicVariables: ['INNGEST_ENV'],

  resourceName: (ctx, env) => (ctx.options.production.includes(env) ? 'production' : branchName(ctx, env)),

  checkName(ctx, env) {
    const problem = envNameProblem(env);
    if (problem) return `invalid environment name "${env}": ${problem}`;
    return branchName(ctx, env).trim() === '' ? `the Inngest environment name of "${env}" is empty` : undefined;
  },

  async find(ctx, env) {
    if (adopted(ctx, env)) return resource(ctx, env);
    const record = await readRecord(ctx, env);
    return record ? resource(ctx, env, record) : undefined;
  },

  async fork(ctx, { env, parent }) {
    if (adopted(ctx, env)) throw new UsageError(`inngest: "${env}" is a root or production environment; it is adopted, never forked`);
    const existing = await readRecord(ctx, env);
    if (existing && !ours(ctx, env, existing)) throw notOurs(ctx, env, existing, 'create');
    if (existing) return resource(ctx, env, existing);
    if (!adopted(ctx, parent) && !(await readRecord(ctx, parent))) {
      throw new OperationError(`inngest: parent environment "${parent}" is not known here`, {
        hint: `Create "${parent}" first, or fork from a root (${ctx.roots.join(', ') || 'none configured'}).`,
      });
    }
    // Ctrl-C stops before the record is written.
    ctx.signal.throwIfAborted();
    const record: LocalRecord = { project: ctx.project, env, branch: branchName(ctx, env), parent, createdAt: ctx.now().toISOString() };
    await writeFileAtomic(recordFile(ctx, env), `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
    return resource(ctx, env, record);
  },

  async remove(ctx, { env }) {
    if (adopted(ctx, env)) throw new UsageError(`inngest: "${env}" is a root or production environment; fork-stack never removes it`);
    const record = await readRecord(ctx, env);
    if (!record) return;
    if (!ours(ctx, env, record)) throw notOurs(ctx, env, record, 'delete');
    await fs.rm(recordFile(ctx, env), { force: true });
    ctx.warn(
      `Inngest has no API to archive the branch environment "${record.branch}"; Inngest archives it by itself after its last deploy (its events and runs stay in the dashboard until then). Nothing else of "${env}" is left.`,
    );
  },

  async list(ctx) {
    const envs = new Set([...ctx.roots, ...ctx.options.production]);
    const out = [...envs].map((env) => resource(ctx, env));
    let files: string[] = [];
    try {
      files = await fs.readdir(path.join(ctx.stateDir, 'inngest'));
    } catch {
      // No record yet.
    }
    for (const file of files.filter((f) => f.endsWith('.json')).sort()) {
      const env = file.slice(0, -'.json'.length);
      if (envs.has(env) || envNameProblem(env)) continue;
      const record = await readRecord(ctx, env);
      if (record) out.push(resource(ctx, env, record));
    }
    return out;
  },

  async variables(ctx, env) {
    const vars: Record<string, string> = {};
    if (!ctx.options.production.includes(env)) vars.INNGEST_ENV = branchName(ctx, env);
    if (ctx.options.keys_from_env) {
      vars.INNGEST_EVENT_KEY = requireEnv(ctx, 'INNGEST_EVENT_KEY', KEY_HELP);
      vars.INNGEST_SIGNING_KEY = requireEnv(ctx, 'INNGEST_SIGNING_KEY', KEY_HELP);
      const fallback = ctx.env.INNGEST_SIGNING_KEY_FALLBACK;
      if (fallback) vars.INNGEST_SIGNING_KEY_FALLBACK = requireEnv(ctx, 'INNGEST_SIGNING_KEY_FALLBACK', KEY_HELP);
    }
    return vars;
  },

  async check(ctx): Promise<Check[]> {
    const checks: Check[] = [
      {
        name: 'branch environments',
        status: 'ok',
        message: 'nothing to provision: Inngest creates a branch environment when an app first uses INNGEST_ENV (no API to check it)',
      },
    ];
    if (ctx.options.keys_from_env) {
      for (const key of ['INNGEST_EVENT_KEY', 'INNGEST_SIGNING_KEY']) {
        const set = Boolean(ctx.env[key]?.trim());
        checks.push({ name: key, status: set ? 'ok' : 'fail', message: set ? `${key} is set` : `${key} is not set (keys_from_env = true)`, fix: set ? undefined : `export ${key}=… ${KEY_HELP}` });
      }
    }
    return checks;
  },
} satisfies Provider<InngestOptions>;

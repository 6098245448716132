/**
 * PlanetScale: every environment is a branch of one PlanetScale database (MySQL/Vitess or PostgreSQL).
 * A fork creates a development branch from the parent branch (schema; data too with seed_data, or a
 * point in time for PostgreSQL via restore_point), waits until it is ready and mints the credential
 * DATABASE_URL uses (planetscale/credentials.ts). Delete removes the branch and with it its credentials.
 *
 * Ownership: PlanetScale branches carry no labels, so fork-stack's are proven by its ownership record
 * (cloud/checkout-record.ts): the id PlanetScale gave the branch fork-stack created, with the project and
 * environment. A same-named branch made by hand has another id. Production and root branches are never
 * deleted.
 */
import { OperationError, UsageError } from '../../core/errors.js';
import type { HttpClient } from '../../core/http.js';
import type { Check, ForkRequest, Provider, Resource } from '../types.js';
import { cloudChecks } from '../cloud/check.js';
import { listed } from '../cloud/list.js';
import { isAdoptedEnv, Naming } from '../cloud/naming.js';
import { pollUntil } from '../cloud/poll.js';
import { branchPath, databasePath, getBranch, getDatabase, listAll, psClient, type Ctx, type PsBranch, type PsDatabase } from './planetscale/api.js';
import { branchUrl, forgetCredentials } from './planetscale/credentials.js';
import { forgetMade, ownershipOf, ownershipText, readRecord, recordMade, recordPending, type Ownership } from '../cloud/checkout-record.js';
import { BASE_URL_ENV, DEFAULT_NAMES, TOKEN_ENV, TOKEN_ID_ENV, type PlanetScaleOptions } from './planetscale.schema.js';

const naming = new Naming(DEFAULT_NAMES, {
  noun: 'PlanetScale branch',
  maxLength: 63,
  pattern: /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/,
  patternText: 'PlanetScale branch names use lower-case letters, digits and "-", and start and end with a letter or digit',
});

async function ownership(ctx: Ctx, branch: PsBranch, env: string): Promise<Ownership> {
  if (branch.production || isAdoptedEnv(ctx, env)) return { owned: false };
  const parentEnv = (await readRecord(ctx, env))?.parent;
  return ownershipOf(ctx, env, branch.id, {
    name: branch.name,
    createdAt: branch.created_at,
    fromParent: parentEnv !== undefined && branch.parent_branch === naming.nameOf(ctx, parentEnv),
  });
}

function toResource(ctx: Ctx, branch: PsBranch, env: string, own: Ownership): Resource {
  const details: Record<string, string | number | boolean> = {};
  if (branch.kind) details.kind = branch.kind;
  if (branch.production) details.production = true;
  return {
    env,
    name: branch.name,
    id: branch.id,
    parent: branch.parent_branch ? naming.envOf(ctx, branch.parent_branch) : undefined,
    createdAt: branch.created_at,
    state: branch.ready === false ? 'creating' : 'ready',
    owned: own.owned,
    ...(own.markedFor ? { markedFor: own.markedFor } : {}),
    details,
  };
}

async function requireDatabase(ctx: Ctx, http: HttpClient): Promise<PsDatabase> {
  const db = await getDatabase(ctx, http);
  if (!db) {
    throw new UsageError(`planetscale: database "${ctx.options.database}" not found in organization ${ctx.options.organization}`, {
      hint: `Check organization and database in [${ctx.slot}] (pscale database list), and that the service token has access to it.`,
    });
  }
  return db;
}

async function verifyOurs(ctx: Ctx, branch: PsBranch, env: string, parentName: string): Promise<Ownership> {
  const own = await ownership(ctx, branch, env);
  if (!own.owned) {
    throw new OperationError(`planetscale: a branch named "${branch.name}" already exists in database ${ctx.options.database} and was not made by fork-stack for project "${ctx.project}", environment "${env}": ${branch.production ? 'it is a production branch' : ownershipText(ctx, env, own)}; it was left untouched`, {
      hint: `Delete or rename it in PlanetScale, or give "${env}" another name (name = "…" or names = { ${env} = "…" } in [${ctx.slot}]).`,
    });
  }
  if (branch.parent_branch !== parentName) {
    throw new OperationError(`planetscale: branch "${branch.name}" of "${env}" exists already, made from "${branch.parent_branch}", not "${parentName}"`, {
      hint: `Delete "${env}" first to fork it again.`,
    });
  }
  // A create of this checkout whose answer was lost (its pending record): record it for good now.
  const record = await readRecord(ctx, env);
  if (record?.pending) await recordMade(ctx, env, { provider: 'planetscale', id: branch.id, name: branch.name, parent: record.parent });
  return own;
}

async function waitReady(ctx: Ctx, http: HttpClient, branch: PsBranch): Promise<PsBranch> {
  if (branch.ready) return branch;
  return pollUntil(
    ctx,
    {
      what: `branch "${branch.name}" to become ready`,
      timeoutMs: ctx.options.wait_timeout_seconds * 1000,
      hint: 'PlanetScale is still preparing the branch: check it in the dashboard, or raise wait_timeout_seconds in [database].',
    },
    async () => {
      const current = await getBranch(ctx, http, branch.name, `read branch "${branch.name}"`);
      if (!current) return { failed: `planetscale: branch "${branch.name}" disappeared while it was being created` };
      return current.ready ? { done: true, value: current } : { done: false, state: current.state };
    },
  );
}

async function fork(ctx: Ctx, request: ForkRequest): Promise<Resource> {
  const { env, parent, at } = request;
  const name = naming.nameOf(ctx, env);
  if (isAdoptedEnv(ctx, env)) throw new UsageError(`planetscale: "${env}" is a root or protected environment; its branch "${name}" is adopted, never created or overwritten`);
  const http = psClient(ctx);
  const db = await requireDatabase(ctx, http);
  if (at && db.kind !== 'postgresql') {
    throw new UsageError(`planetscale: --at needs a PostgreSQL database; "${ctx.options.database}" is ${db.kind ?? 'MySQL'}`, {
      hint: 'PlanetScale offers point-in-time branches (restore_point) only for PostgreSQL. Drop --at.',
    });
  }
  const parentName = naming.nameOf(ctx, parent);
  const kind = db.kind ?? 'mysql';
  let branch = await getBranch(ctx, http, name);
  if (branch) {
    await verifyOurs(ctx, branch, env, parentName);
  } else {
    const parentBranch = await getBranch(ctx, http, parentName, `look up parent branch "${parentName}"`);
    if (!parentBranch) {
      throw new OperationError(`planetscale: parent branch "${parentName}" of environment "${parent}" does not exist in database ${ctx.options.database}`, {
        hint: `Create it, or map "${parent}" to an existing branch with names = { ${parent} = "<branch>" } in [${ctx.slot}].`,
      });
    }
    const what = `create branch "${name}" for "${env}" from "${parentName}"`;
    await recordPending(ctx, env, { provider: 'planetscale', name, parent });
    const res = await http.request<PsBranch & { message?: string }>({
      method: 'POST',
      path: databasePath(ctx, '/branches'),
      body: {
        name,
        parent_branch: parentName,
        ...(ctx.options.seed_data ? { seed_data: 'last_successful_backup' } : {}),
        ...(at ? { restore_point: at.toISOString().replace(/\.\d{3}Z$/, 'Z') } : {}),
      },
      what,
      // A name already taken: an earlier attempt, a retried request or a teammate. Verified below.
      expect: [409, 422],
      signal: ctx.signal,
    });
    if (res.status === 409 || res.status === 422) {
      branch = await getBranch(ctx, http, name);
      if (!branch) throw new OperationError(`planetscale: ${what} failed: HTTP ${res.status}${res.body?.message ? ` — ${res.body.message}` : ''}`);
      // Free when this run looked, and announced (pending record): this run's create whose answer was lost.
      const pending = await readRecord(ctx, env);
      if (pending?.pending && pending.name === name && !branch.production && branch.parent_branch === parentName) {
        await recordMade(ctx, env, { provider: 'planetscale', id: branch.id, name, parent });
      } else {
        await verifyOurs(ctx, branch, env, parentName);
      }
    } else if (res.body?.name) {
      branch = res.body;
      await recordMade(ctx, env, { provider: 'planetscale', id: branch.id, name, parent });
    } else {
      throw new OperationError(`planetscale: ${what}: PlanetScale answered without the new branch`, { hint: `Run "fork-stack create ${env}" again to finish it.` });
    }
  }
  const ready = await waitReady(ctx, http, branch);
  // Mint the credential now, while creating, so that switch/env only read the cache.
  await branchUrl(ctx, http, env, ready, ready.kind ?? kind);
  return toResource(ctx, ready, env, { owned: true });
}

async function remove(ctx: Ctx, { env }: { env: string }): Promise<void> {
  const name = naming.nameOf(ctx, env);
  if (isAdoptedEnv(ctx, env)) throw new UsageError(`planetscale: refusing to delete branch "${name}": "${env}" is a root or protected environment`);
  const http = psClient(ctx);
  const branch = await getBranch(ctx, http, name);
  if (branch) {
    const own = await ownership(ctx, branch, env);
    if (!own.owned) {
      throw new OperationError(`planetscale: refusing to delete branch "${name}" of "${env}": ${branch.production ? 'it is a production branch' : ownershipText(ctx, env, own)}; it was left untouched`, {
        hint: 'Delete it in PlanetScale if it really is disposable.',
      });
    }
    await http.request({ method: 'DELETE', path: branchPath(ctx, name), what: `delete branch "${name}" of "${env}"`, expect: [404], signal: ctx.signal });
  }
  await forgetCredentials(ctx, env);
  await forgetMade(ctx, env);
}

async function list(ctx: Ctx): Promise<Resource[]> {
  const http = psClient(ctx);
  const branches = await listAll<PsBranch>(ctx, http, databasePath(ctx, '/branches'), `list branches of database "${ctx.options.database}"`);
  return listed(ctx, naming, branches, {
    nameOf: (branch) => branch.name,
    ownership: (branch, env) => ownership(ctx, branch, env),
    // Development branches (without this checkout's record: a teammate's) are listed too, as not owned.
    isBranch: (branch) => !branch.production && Boolean(branch.parent_branch),
    toResource: (branch, env, own) => toResource(ctx, branch, env, own),
  });
}

async function variables(ctx: Ctx, env: string): Promise<Record<string, string>> {
  const http = psClient(ctx);
  const name = naming.nameOf(ctx, env);
  const branch = await getBranch(ctx, http, name);
  if (!branch) {
    throw new OperationError(`planetscale: branch "${name}" of environment "${env}" does not exist in database ${ctx.options.database}`, {
      hint: `Create it with "fork-stack create ${env}".`,
    });
  }
  const kind = branch.kind ?? (await requireDatabase(ctx, http)).kind ?? 'mysql';
  return { DATABASE_URL: await branchUrl(ctx, http, env, branch, kind) };
}

/**
 * For the prod-safety check: nothing. A PlanetScale URL is identified by its per-password user name,
 * which only a new password would reveal, and making one on prod to compare is exactly what the check
 * must not do. The engine still refuses a names override that gives an environment prod's branch, and
 * fork-stack's own DATABASE_URL always wins over a copied one.
 */
async function identity(): Promise<Record<string, string>> {
  return {};
}

function check(ctx: Ctx): Promise<Check[]> {
  return cloudChecks(ctx, {
    credentials: [TOKEN_ID_ENV, TOKEN_ENV],
    missingFix: `Create a service token in PlanetScale (Settings → Service tokens), then export ${TOKEN_ID_ENV}=… ${TOKEN_ENV}=…`,
    probe: async () => {
      const db = await getDatabase(ctx, psClient(ctx));
      return db
        ? { name: 'database', status: 'ok', message: `database "${db.name}" (${db.kind ?? 'mysql'}) of ${ctx.options.organization} is reachable` }
        : {
            name: 'database',
            status: 'fail',
            message: `database "${ctx.options.database}" not found in organization ${ctx.options.organization} (404)`,
            fix: `Check organization and database in [${ctx.slot}], and the service token's database access.`,
          };
    },
    rejected: { name: 'credentials', message: 'PlanetScale rejected the service token (401)', fix: 'Check both variables; create a new token if needed.' },
    forbidden: {
      name: 'permissions',
      message: `the service token has no access to database "${ctx.options.database}" (403)`,
      fix: 'Grant it read_branch, create_branch, delete_branch, connect_branch and delete_branch_password (create_branch_password for PostgreSQL) on the database (Settings → Service tokens).',
    },
    baseUrlEnv: BASE_URL_ENV,
  });
}

export const provider = {
  kind: 'database',
  name: 'planetscale',
  capabilities: { pointInTime: true },
  publicVariables: [],

  resourceName: (ctx, env) => naming.nameOf(ctx, env),
  checkName: (ctx, env) => naming.check(ctx, env),

  async find(ctx, env) {
    const branch = await getBranch(ctx, psClient(ctx), naming.nameOf(ctx, env), `look up the branch of "${env}"`);
    return branch ? toResource(ctx, branch, env, await ownership(ctx, branch, env)) : undefined;
  },
  fork,
  remove,
  list,
  variables,
  identity,
  check,
} satisfies Provider<PlanetScaleOptions>;

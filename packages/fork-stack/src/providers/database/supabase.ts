/**
 * Supabase: every environment is a preview branch of one Supabase project (Management API branching).
 * Supabase makes each branch a separate Postgres instance created from the project's default branch,
 * with its data when `with_data`. A fork waits for ACTIVE_HEALTHY; DATABASE_URL comes from the branch's
 * config (db_host, db_port, db_user, db_pass).
 *
 * Delete removes one branch with DELETE /v1/branches/{branch_ref}. Never DELETE /v1/projects/{ref}/branches:
 * that disables branching and removes every branch of the project.
 *
 * Ownership: branches carry no label fork-stack could write, so fork-stack's are proven by its ownership
 * record (cloud/checkout-record.ts): the id Supabase gave the branch fork-stack created, with the project and
 * environment. A same-named branch made in the dashboard has another id. The default branch is never
 * deleted or forked over.
 */
import { apiBaseUrl, requireEnv } from '../../core/credentials.js';
import { OperationError, UsageError } from '../../core/errors.js';
import { ProviderHttpError, type HttpClient } from '../../core/http.js';
import { registerSecret } from '../../core/scrub.js';
import type { Check, ForkRequest, Provider, ProviderContext, Resource } from '../types.js';
import { cloudChecks } from '../cloud/check.js';
import { listed } from '../cloud/list.js';
import { providerHttp } from '../cloud/http.js';
import { isAdoptedEnv, Naming } from '../cloud/naming.js';
import { pollUntil } from '../cloud/poll.js';
import { forgetMade, ownershipOf, ownershipText, readRecord, recordMade, recordPending, type Ownership } from '../cloud/checkout-record.js';
import { BASE_URL_ENV, DEFAULT_BASE_URL, DEFAULT_NAMES, TOKEN_ENV, type SupabaseOptions } from './supabase.schema.js';

type Ctx = ProviderContext<SupabaseOptions>;

interface SupabaseBranch {
  id: string;
  name: string;
  /** The branch's own project ref (for the default branch: the project's). */
  project_ref: string;
  parent_project_ref: string;
  is_default: boolean;
  created_at?: string;
  preview_project_status?: string;
  with_data?: boolean;
}

interface BranchConfig {
  ref: string;
  status: string;
  db_host: string;
  db_port: number;
  db_user?: string;
  db_pass?: string;
}

const naming = new Naming(DEFAULT_NAMES, {
  noun: 'Supabase branch',
  maxLength: 63,
  pattern: /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/,
  patternText: 'fork-stack keeps Supabase branch names to lower-case letters, digits and "-"',
});

/** Statuses a new branch passes through on its way to ACTIVE_HEALTHY. */
const TRANSIENT = new Set(['COMING_UP', 'UNKNOWN', 'RESTORING', 'UPGRADING', 'RESTARTING', 'RESIZING', 'ACTIVE_UNHEALTHY']);

const HOW_TO_GET_TOKEN = 'Create a personal access token at https://supabase.com/dashboard/account/tokens.';

function api(ctx: Ctx): HttpClient {
  const token = requireEnv(ctx, TOKEN_ENV, HOW_TO_GET_TOKEN);
  return providerHttp(ctx, 'supabase', apiBaseUrl(ctx, BASE_URL_ENV, DEFAULT_BASE_URL), { authorization: `Bearer ${token}` });
}

function projectPath(ctx: Ctx, rest = ''): string {
  return `/v1/projects/${encodeURIComponent(ctx.options.project_ref)}${rest}`;
}

function branchRefPath(ref: string): string {
  return `/v1/branches/${encodeURIComponent(ref)}`;
}

async function findBranch(ctx: Ctx, http: HttpClient, name: string, what = `look up branch "${name}"`): Promise<SupabaseBranch | undefined> {
  const res = await http.request<SupabaseBranch>({ path: projectPath(ctx, `/branches/${encodeURIComponent(name)}`), what, expect: [404], signal: ctx.signal });
  return res.status === 404 ? undefined : res.body;
}

async function ownership(ctx: Ctx, branch: SupabaseBranch, env: string): Promise<Ownership> {
  if (branch.is_default || isAdoptedEnv(ctx, env)) return { owned: false };
  // Supabase makes every branch from the default branch: any preview branch is "from the parent".
  return ownershipOf(ctx, env, branch.id, { name: branch.name, createdAt: branch.created_at, fromParent: true });
}

function toResource(ctx: Ctx, branch: SupabaseBranch, env: string, own: Ownership): Resource {
  const status = branch.preview_project_status;
  const details: Record<string, string | number | boolean> = { ref: branch.project_ref };
  if (status) details.status = status;
  if (branch.is_default) details.default = true;
  return {
    env,
    name: branch.name,
    id: branch.project_ref,
    createdAt: branch.created_at,
    state: !status || status === 'ACTIVE_HEALTHY' ? 'ready' : TRANSIENT.has(status) ? 'creating' : 'unknown',
    owned: own.owned,
    ...(own.markedFor ? { markedFor: own.markedFor } : {}),
    details,
  };
}

async function verifyOurs(ctx: Ctx, branch: SupabaseBranch, env: string): Promise<Ownership> {
  const own = await ownership(ctx, branch, env);
  if (!own.owned) {
    throw new OperationError(
      `supabase: branch "${branch.name}" of project ${ctx.options.project_ref} exists and was not made by fork-stack for project "${ctx.project}", environment "${env}": ${branch.is_default ? 'it is the default branch' : ownershipText(ctx, env, own)}; it was left untouched`,
      { hint: `Delete it in the Supabase dashboard if it really is disposable, or give "${env}" another name (name = "…" or names = { ${env} = "…" } in [${ctx.slot}]).` },
    );
  }
  // A create of this checkout whose answer was lost (its pending record): record it for good now.
  const record = await readRecord(ctx, env);
  if (record?.pending) await recordMade(ctx, env, { provider: 'supabase', id: branch.id, name: branch.name, parent: record.parent });
  return own;
}

async function readConfig(ctx: Ctx, http: HttpClient, branch: SupabaseBranch, expect: number[] = []): Promise<BranchConfig | undefined> {
  const res = await http.request<BranchConfig>({ path: branchRefPath(branch.project_ref), what: `read the config of branch "${branch.name}"`, expect, signal: ctx.signal });
  return expect.includes(res.status) ? undefined : res.body;
}

async function waitHealthy(ctx: Ctx, http: HttpClient, branch: SupabaseBranch): Promise<void> {
  await pollUntil(
    ctx,
    {
      what: `branch "${branch.name}" to become ACTIVE_HEALTHY`,
      timeoutMs: ctx.options.wait_timeout_seconds * 1000,
      maxIntervalMs: 10_000,
      hint: 'Supabase is still provisioning the branch: check it in the dashboard, or raise wait_timeout_seconds in [database].',
    },
    async () => {
      // A branch just created may not have its config yet: 404 means "not provisioned so far".
      const config = await readConfig(ctx, http, branch, [404]);
      if (!config) return { done: false, state: 'provisioning' };
      if (config.status === 'ACTIVE_HEALTHY') return { done: true, value: undefined };
      if (TRANSIENT.has(config.status)) return { done: false, state: config.status };
      return { failed: `supabase: branch "${branch.name}" did not come up: its status is ${config.status}` };
    },
  );
}

function conflict(error: unknown): boolean {
  return error instanceof ProviderHttpError && (error.status === 409 || ([400, 422].includes(error.status) && /already exists|already in use|taken/i.test(error.message)));
}

async function fork(ctx: Ctx, request: ForkRequest): Promise<Resource> {
  const { env, parent } = request;
  const name = naming.nameOf(ctx, env);
  if (isAdoptedEnv(ctx, env)) throw new UsageError(`supabase: "${env}" is a root or protected environment; its branch "${name}" is adopted, never created or overwritten`);
  const http = api(ctx);
  const parentName = naming.nameOf(ctx, parent);
  let branch = await findBranch(ctx, http, name);
  if (branch) {
    await verifyOurs(ctx, branch, env);
  } else {
    const parentBranch = await findBranch(ctx, http, parentName, `look up parent branch "${parentName}"`);
    if (!parentBranch) {
      throw new OperationError(`supabase: parent branch "${parentName}" of environment "${parent}" does not exist in project ${ctx.options.project_ref}`, {
        hint: `Map "${parent}" to the project's default branch with names = { ${parent} = "<branch>" } in [${ctx.slot}].`,
      });
    }
    if (!parentBranch.is_default) {
      throw new UsageError(`supabase: cannot fork "${env}" from "${parent}": Supabase creates every branch from the project's default branch, and "${parentName}" is a preview branch`, {
        hint: 'Fork from the environment mapped to the default branch instead (e.g. --from prod).',
      });
    }
    const what = `create branch "${name}" for "${env}"`;
    await recordPending(ctx, env, { provider: 'supabase', name, parent });
    try {
      const res = await http.request<SupabaseBranch>({
        method: 'POST',
        path: projectPath(ctx, '/branches'),
        body: { branch_name: name, with_data: ctx.options.with_data, persistent: ctx.options.persistent },
        what,
        signal: ctx.signal,
      });
      branch = res.body;
      if (branch?.id) await recordMade(ctx, env, { provider: 'supabase', id: branch.id, name, parent });
    } catch (error) {
      if (!conflict(error)) throw error;
      // An earlier attempt, a retried request or a teammate made it: find and verify it.
      branch = await findBranch(ctx, http, name);
      if (!branch) throw error;
      // Free when this run looked, and announced (pending record): this run's create whose answer was lost.
      const pending = await readRecord(ctx, env);
      if (pending?.pending && pending.name === name && !branch.is_default) await recordMade(ctx, env, { provider: 'supabase', id: branch.id, name, parent });
      else await verifyOurs(ctx, branch, env);
    }
    if (!branch?.project_ref) throw new OperationError(`supabase: ${what}: Supabase answered without the new branch's ref`, { hint: `Run "fork-stack create ${env}" again to finish it.` });
  }
  await waitHealthy(ctx, http, branch);
  return toResource(ctx, { ...branch, preview_project_status: 'ACTIVE_HEALTHY' }, env, { owned: true });
}

async function remove(ctx: Ctx, { env }: { env: string }): Promise<void> {
  const name = naming.nameOf(ctx, env);
  if (isAdoptedEnv(ctx, env)) throw new UsageError(`supabase: refusing to delete branch "${name}": "${env}" is a root or protected environment`);
  const http = api(ctx);
  const branch = await findBranch(ctx, http, name);
  if (!branch) {
    await forgetMade(ctx, env);
    return;
  }
  const own = await ownership(ctx, branch, env);
  if (!own.owned) {
    throw new OperationError(`supabase: refusing to delete branch "${name}" of "${env}": ${branch.is_default ? "it is the project's default branch" : ownershipText(ctx, env, own)}; it was left untouched`, {
      hint: 'Delete it in the Supabase dashboard if it really is disposable.',
    });
  }
  // The single branch, by its own ref: never the project-wide DELETE that disables branching.
  await http.request({ method: 'DELETE', path: branchRefPath(branch.project_ref), what: `delete branch "${name}" of "${env}"`, expect: [404], signal: ctx.signal });
  await forgetMade(ctx, env);
}

async function list(ctx: Ctx): Promise<Resource[]> {
  // Supabase's branch list is not paginated: one call returns every branch of the project.
  const res = await api(ctx).request<SupabaseBranch[]>({ path: projectPath(ctx, '/branches'), what: 'list branches', signal: ctx.signal });
  return listed(ctx, naming, res.body ?? [], {
    nameOf: (branch) => branch.name,
    ownership: (branch, env) => ownership(ctx, branch, env),
    // Preview branches (without this checkout's record: a teammate's) are listed too, as not owned.
    isBranch: (branch) => !branch.is_default,
    toResource: (branch, env, own) => toResource(ctx, branch, env, own),
  });
}

async function variables(ctx: Ctx, env: string): Promise<Record<string, string>> {
  const http = api(ctx);
  const name = naming.nameOf(ctx, env);
  const branch = await findBranch(ctx, http, name);
  if (!branch) {
    throw new OperationError(`supabase: branch "${name}" of environment "${env}" does not exist in project ${ctx.options.project_ref}`, {
      hint: `Create it with "fork-stack create ${env}".`,
    });
  }
  const config = (await readConfig(ctx, http, branch)) as BranchConfig;
  if (!config.db_pass) {
    throw new OperationError(`supabase: the config of branch "${name}" carries no database password`, {
      hint: `Check that the user behind ${TOKEN_ENV} may manage the project's database, or read the password in the dashboard (Project Settings → Database).`,
    });
  }
  registerSecret(config.db_pass);
  const user = encodeURIComponent(config.db_user ?? 'postgres');
  return { DATABASE_URL: `postgresql://${user}:${encodeURIComponent(config.db_pass)}@${config.db_host}:${config.db_port}/${encodeURIComponent(ctx.options.database)}` };
}

function check(ctx: Ctx): Promise<Check[]> {
  return cloudChecks(ctx, {
    credentials: [TOKEN_ENV],
    missingFix: `${HOW_TO_GET_TOKEN} Then: export ${TOKEN_ENV}=…`,
    probe: async () => {
      const res = await api(ctx).request<{ name?: string; status?: string }>({ path: projectPath(ctx), what: `read project ${ctx.options.project_ref}`, signal: ctx.signal });
      return { name: 'project', status: 'ok', message: `project "${res.body?.name ?? ctx.options.project_ref}" is reachable${res.body?.status ? ` (${res.body.status})` : ''}` };
    },
    rejected: { name: 'credentials', message: `Supabase rejected ${TOKEN_ENV} (401)`, fix: HOW_TO_GET_TOKEN },
    forbidden: { name: 'permissions', message: `the token has no access to project ${ctx.options.project_ref} (403)`, fix: "Use a token of a member of the project's organization." },
    notFound: { name: 'project', message: `project ${ctx.options.project_ref} not found (404)`, fix: `Check project_ref in [${ctx.slot}].` },
    baseUrlEnv: BASE_URL_ENV,
  });
}

export const provider = {
  kind: 'database',
  name: 'supabase',
  publicVariables: [],

  resourceName: (ctx, env) => naming.nameOf(ctx, env),
  checkName: (ctx, env) => naming.check(ctx, env),

  async find(ctx, env) {
    const branch = await findBranch(ctx, api(ctx), naming.nameOf(ctx, env), `look up the branch of "${env}"`);
    return branch ? toResource(ctx, branch, env, await ownership(ctx, branch, env)) : undefined;
  },
  fork,
  remove,
  list,
  variables,

  async describe(ctx, env) {
    const { describePostgresUrl } = await import('./pg-url-describe.js');
    return describePostgresUrl('supabase', env, (await variables(ctx, env)).DATABASE_URL);
  },
  check,
} satisfies Provider<SupabaseOptions>;

/**
 * Neon: every environment is a branch of one Neon project, with its own read-write compute endpoint.
 * A fork is Neon's copy-on-write branch of the parent branch (optionally at a point in time); delete
 * removes the branch and its computes. Roots (e.g. prod → "main") are adopted by name, never created,
 * deleted or forked over. Branches fork-stack creates carry an ownership annotation (neon/branches.ts).
 */
import type { BranchCreateRequest, AnnotationCreateValueRequest, EndpointType } from '@neondatabase/api-client';
import { OperationError, UsageError } from '../../core/errors.js';
import { ProviderHttpError } from '../../core/http.js';
import type { Check, ForkRequest, Provider, ProviderContext, RemoveRequest, Resource } from '../types.js';
import { accessFailure as cloudAccessFailure, credentialCheck } from '../cloud/check.js';
import { isAdoptedEnv, Naming } from '../cloud/naming.js';
import { pollUntil } from '../cloud/poll.js';
import { neonClient, type NeonClient } from './neon/api.js';
import { branchOperations, branchResource, endedInFailure, ENV_KEY, OWNER_KEY, findBranch, isOurs, listBranches, markedFor, ownerAnnotation, ownerText, PARENT_KEY, RUN_KEY, waitForOperations, type FoundBranch } from './neon/branches.js';
import { checkConnectionChoice } from './neon/connection.js';
import { connectionUri, rememberConnectionUris } from './neon/connection.js';
import { API_KEY_ENV, DEFAULT_NAMES, type NeonOptions } from './neon.schema.js';

type Ctx = ProviderContext<NeonOptions>;

const naming = new Naming(DEFAULT_NAMES, { noun: 'Neon branch', maxLength: 256 });
/** Neon accepts expires_at at most 30 days ahead. */
const MAX_TTL_MS = 30 * 24 * 3600 * 1000;

function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function envResource(ctx: Ctx, found: FoundBranch, env: string): Resource {
  return branchResource(found, env, isOurs(found, ctx.project, env), undefined, markedFor(found, ctx.project, env));
}

/**
 * Wait until the branch is ready. With `orFailed`, also stop when its operations have ended and one of
 * them failed: such a branch never becomes ready, but it can (and must) still be deleted.
 */
async function waitUntilReady(ctx: Ctx, api: NeonClient, found: FoundBranch, orFailed = false): Promise<FoundBranch> {
  if (found.branch.current_state === 'ready') return found;
  const branch = await pollUntil(
    ctx,
    { what: `branch "${found.branch.name}" to become ready`, timeoutMs: ctx.options.wait_timeout_seconds * 1000 },
    async () => {
      const { data } = await api.call(`read branch "${found.branch.name}"`, (p) => api.sdk.getProjectBranch(api.projectId, found.branch.id, p));
      const current = data?.branch;
      if (!current) return { failed: `neon: branch "${found.branch.name}" disappeared while waiting for it` };
      if (current.current_state === 'ready') return { done: true, value: current };
      if (orFailed && endedInFailure(await branchOperations(api, current.id))) return { done: true, value: current };
      return { done: false, state: current.current_state };
    },
  );
  return { ...found, branch };
}

/** A branch that already carries the environment's name: ours (an earlier or concurrent create) or a stranger's. */
async function adoptExisting(ctx: Ctx, api: NeonClient, found: FoundBranch, request: ForkRequest, raced: boolean): Promise<Resource> {
  const { env, parent } = request;
  if (!isOurs(found, ctx.project, env)) {
    throw new OperationError(`neon: a branch named "${found.branch.name}" already exists in project ${ctx.options.project_id} and was not made by fork-stack for project "${ctx.project}", environment "${env}": ${ownerText(found, ctx.project, env)}; it was left untouched`, {
      hint: `Rename or delete that branch in the Neon Console, or give "${env}" another name (name = "…" or names = { ${env} = "…" } in [${ctx.slot}]).`,
    });
  }
  const recordedParent = found.annotation?.[PARENT_KEY];
  if (recordedParent && recordedParent !== parent) {
    throw new OperationError(`neon: branch "${found.branch.name}" of "${env}" exists already, forked from "${recordedParent}", not "${parent}"`, {
      hint: `Delete "${env}" first to fork it again from "${parent}".`,
    });
  }
  const ready = await waitUntilReady(ctx, api, found);
  const createdByRun = found.annotation?.[RUN_KEY];
  return { ...branchResource(ready, env, true, recordedParent ?? parent), ...(raced ? { adopted: true } : {}), ...(createdByRun ? { createdByRun } : {}) };
}

function createBody(ctx: Ctx, request: ForkRequest, name: string, parentId: string, expiresAt?: Date): BranchCreateRequest & AnnotationCreateValueRequest {
  return {
    branch: {
      parent_id: parentId,
      name,
      ...(request.at ? { parent_timestamp: rfc3339(request.at) } : {}),
      ...(expiresAt ? { expires_at: rfc3339(expiresAt) } : {}),
    },
    endpoints: [{ type: 'read_write' as EndpointType }],
    annotation_value: ownerAnnotation(ctx.project, request.env, request.parent, request.runId),
  };
}

/** A 4xx that says the account cannot set expires_at (an Early Access feature): retried without it. */
function rejectedExpiry(error: unknown): boolean {
  return error instanceof ProviderHttpError && [400, 403, 422].includes(error.status) && /expir/i.test(error.message);
}

async function fork(ctx: Ctx, request: ForkRequest): Promise<Resource> {
  const { env, parent } = request;
  const name = naming.nameOf(ctx, env);
  if (isAdoptedEnv(ctx, env)) {
    throw new UsageError(`neon: "${env}" is a root or protected environment; its branch "${name}" is adopted, never created or overwritten`);
  }
  if (request.at && request.at.getTime() > ctx.now().getTime()) {
    throw new UsageError(`neon: --at ${request.at.toISOString()} is in the future`, { hint: 'Give a time in the past, within the project\'s history retention window.' });
  }
  let expiresAt = request.expiresAt;
  if (expiresAt && expiresAt.getTime() - ctx.now().getTime() > MAX_TTL_MS) {
    throw new UsageError(`neon: a branch can expire at most 30 days ahead; ${expiresAt.toISOString()} is later`, { hint: 'Use a shorter TTL.' });
  }
  const api = await neonClient(ctx);
  const existing = await findBranch(api, name);
  if (existing) return adoptExisting(ctx, api, existing, request, false);

  const parentName = naming.nameOf(ctx, parent);
  const parentBranch = await findBranch(api, parentName);
  if (!parentBranch) {
    throw new OperationError(`neon: parent branch "${parentName}" of environment "${parent}" does not exist in project ${ctx.options.project_id}`, {
      hint: `Create it, or map "${parent}" to an existing branch with names = { ${parent} = "<branch>" } in [${ctx.slot}].`,
    });
  }
  // The branch inherits the parent's roles and databases: when DATABASE_URL could not choose among them,
  // say so now, before anything is created (the hint names the setting to add).
  await checkConnectionChoice(ctx, api, parentBranch.branch);
  const what = `create branch "${name}" for "${env}" from "${parentName}"`;
  let created;
  try {
    created = await api.call(what, (p) => api.sdk.createProjectBranch(api.projectId, createBody(ctx, request, name, parentBranch.branch.id, expiresAt), p), { expect: [409] });
  } catch (error) {
    if (!expiresAt || !rejectedExpiry(error)) throw error;
    ctx.warn(`Neon refused an expiry for branch "${name}" (expires_at is an Early Access feature); the branch is created without one: ${(error as Error).message}`);
    expiresAt = undefined;
    created = await api.call(what, (p) => api.sdk.createProjectBranch(api.projectId, createBody(ctx, request, name, parentBranch.branch.id), p), { expect: [409] });
  }
  if (created.status === 409 || !created.data) {
    // Someone (a retried request, a teammate) created it between our lookup and our create.
    const raced = await findBranch(api, name);
    if (!raced) throw new OperationError(`neon: ${what} failed: Neon reported a conflict but no branch "${name}" exists`);
    return adoptExisting(ctx, api, raced, request, true);
  }
  const { branch, operations, connection_uris: uris } = created.data;
  rememberConnectionUris(api, branch.id, uris);
  await waitForOperations(ctx, api, operations ?? [], `branch "${name}" to be created`);
  const resource = branchResource({ branch: { ...branch, current_state: 'ready' }, annotation: ownerAnnotation(ctx.project, env, parent) }, env, true, parent);
  return request.runId ? { ...resource, createdByRun: request.runId } : resource;
}

async function remove(ctx: Ctx, { env }: RemoveRequest): Promise<void> {
  const name = naming.nameOf(ctx, env);
  if (isAdoptedEnv(ctx, env)) {
    throw new UsageError(`neon: refusing to delete branch "${name}": "${env}" is a root or protected environment`);
  }
  const api = await neonClient(ctx);
  const found = await findBranch(api, name);
  if (!found) return;
  if (!isOurs(found, ctx.project, env)) {
    throw new OperationError(`neon: refusing to delete branch "${name}" of "${env}": ${ownerText(found, ctx.project, env)}; it was left untouched`, {
      hint: 'Delete it in the Neon Console if it really is disposable.',
    });
  }
  if (found.branch.default || !found.branch.parent_id) {
    throw new OperationError(`neon: refusing to delete branch "${name}": it is the project's ${found.branch.default ? 'default' : 'root'} branch`);
  }
  // A branch still being created (a create killed or rolled back mid-way) answers DELETE with 423 until
  // its operations finish: wait for it like fork does, rather than spending the retry budget on 423s.
  // A branch whose create failed never becomes ready: it is deleted as soon as its operations have ended.
  await waitUntilReady(ctx, api, found, true);
  const deleted = await api.call(`delete branch "${name}" of "${env}"`, (p) => api.sdk.deleteProjectBranch({ projectId: api.projectId, branchId: found.branch.id }, p), {
    expect: [404],
  });
  if (deleted.status === 200 && deleted.data?.operations) {
    await waitForOperations(ctx, api, deleted.data.operations, `branch "${name}" to be deleted`);
  }
}

/**
 * Native reset: Neon's "restore from parent" (POST …/branches/{id}/restore with the parent branch as
 * source) makes the branch its parent's current state again while keeping its id, endpoint and
 * connection string. Refused for branches fork-stack did not make.
 */
async function reset(ctx: Ctx, request: ForkRequest): Promise<Resource> {
  const { env, parent } = request;
  const name = naming.nameOf(ctx, env);
  if (isAdoptedEnv(ctx, env)) throw new UsageError(`neon: "${env}" is a root or protected environment; its branch is never reset`);
  const api = await neonClient(ctx);
  const found = await findBranch(api, name);
  if (!found) throw new OperationError(`neon: branch "${name}" of "${env}" does not exist`, { hint: `Create it with "fork-stack create ${env}".` });
  if (!isOurs(found, ctx.project, env)) throw new OperationError(`neon: refusing to reset branch "${name}" of "${env}": ${ownerText(found, ctx.project, env)}; it was left untouched`);
  const parentName = naming.nameOf(ctx, parent);
  const parentBranch = await findBranch(api, parentName);
  if (!parentBranch) throw new OperationError(`neon: parent branch "${parentName}" of environment "${parent}" does not exist`);
  // Neon restores a branch that has children only with preserve_under_name, which moves the children
  // onto a new branch holding the old state: a branch fork-stack would neither own nor know. Refuse,
  // naming the children, rather than leave such a branch behind.
  const children = (await listBranches(api, `list the child branches of "${name}"`)).filter((b) => b.branch.parent_id === found.branch.id);
  if (children.length > 0) {
    const names = children.map((c) => `"${c.branch.name}"${c.annotation?.[ENV_KEY] ? ` (environment ${c.annotation[ENV_KEY]})` : ''}`);
    throw new OperationError(`neon: cannot reset branch "${name}" of "${env}": it has ${children.length} child branch${children.length === 1 ? '' : 'es'}: ${names.join(', ')}`, {
      hint: `Neon resets a branch with children only by moving them to a copy of its old state. Delete the child environments first (fork-stack delete <env>), or delete "${env}" and create it again.`,
    });
  }
  await waitUntilReady(ctx, api, found);
  const restored = await api.call(`reset branch "${name}" from "${parentName}"`, (p) =>
    api.sdk.restoreProjectBranch(api.projectId, found.branch.id, { source_branch_id: parentBranch.branch.id }, p),
  );
  await waitForOperations(ctx, api, restored.data?.operations ?? [], `branch "${name}" to be reset`);
  return branchResource(found, env, true, parent);
}

async function list(ctx: Ctx): Promise<Resource[]> {
  const api = await neonClient(ctx);
  const all = await listBranches(api, 'list branches');
  const out: Resource[] = [];
  for (const found of all) {
    const byName = naming.envOf(ctx, found.branch.name);
    const annotated = found.annotation?.[ENV_KEY];
    if (found.annotation?.[OWNER_KEY] === ctx.project && annotated && (byName === undefined || byName === annotated)) {
      out.push(branchResource(found, annotated, true));
    } else if (byName && (naming.isExplicit(ctx, byName) || isAdoptedEnv(ctx, byName) || markedFor(found, ctx.project, byName))) {
      out.push(branchResource(found, byName, false, undefined, markedFor(found, ctx.project, byName)));
    }
  }
  return out;
}

async function check(ctx: Ctx): Promise<Check[]> {
  const credentials = credentialCheck(ctx, [API_KEY_ENV], `Create an API key in the Neon Console (Account settings → API keys), then export ${API_KEY_ENV}=…`);
  if (!credentials.ok) return [credentials.check];
  const checks: Check[] = [credentials.check];
  const api = await neonClient(ctx);
  try {
    const { data } = await api.call(`read project ${ctx.options.project_id}`, (p) => api.sdk.getProject(api.projectId, p));
    checks.push({ name: 'project', status: 'ok', message: `project "${data?.project.name}" (${ctx.options.project_id}) is reachable` });
  } catch (error) {
    checks.push(accessFailure(ctx, error));
    return checks;
  }
  // Forks inherit the roots' roles and databases: several of either, with none chosen in the config,
  // would make every create fail after the fact. Report it here, with the setting to add.
  for (const root of ctx.roots) {
    const name = naming.nameOf(ctx, root);
    const found = await findBranch(api, name).catch(() => undefined);
    if (!found) continue;
    try {
      await checkConnectionChoice(ctx, api, found.branch);
      checks.push({ name: `connection of "${root}"`, status: 'ok', message: `DATABASE_URL of forks of "${root}" (branch "${name}") uses one role and one database` });
    } catch (error) {
      const e = error as Error & { hint?: string };
      checks.push({ name: `connection of "${root}"`, status: 'fail', message: e.message, ...(e.hint ? { fix: e.hint } : {}) });
    }
  }
  return checks;
}

function accessFailure(ctx: Ctx, error: unknown): Check {
  return cloudAccessFailure(error, {
    rejected: { name: 'credentials', message: `Neon rejected ${API_KEY_ENV} (401)`, fix: `Create a new API key and export ${API_KEY_ENV}.` },
    forbidden: { name: 'permissions', message: `the key has no access to project ${ctx.options.project_id} (403)`, fix: "Use a key of the project's organization." },
    notFound: { name: 'project', message: `project ${ctx.options.project_id} not found (404)`, fix: `Check project_id in [${ctx.slot}] (Neon Console → project settings).` },
    baseUrlEnv: 'FORK_STACK_NEON_API_URL',
  });
}

async function variables(ctx: Ctx, env: string): Promise<Record<string, string>> {
  const api = await neonClient(ctx);
  const name = naming.nameOf(ctx, env);
  const found = await findBranch(api, name);
  if (!found) {
    throw new OperationError(`neon: branch "${name}" of environment "${env}" does not exist in project ${ctx.options.project_id}`, {
      hint: `Create it with "fork-stack create ${env}".`,
    });
  }
  return { DATABASE_URL: await connectionUri(ctx, api, found.branch) };
}

export const provider = {
  kind: 'database',
  name: 'neon',
  capabilities: { pointInTime: true, reset: true, recordsRun: true },
  publicVariables: [],

  resourceName: (ctx, env) => naming.nameOf(ctx, env),
  checkName: (ctx, env) => naming.check(ctx, env),

  async find(ctx, env) {
    const api = await neonClient(ctx);
    const found = await findBranch(api, naming.nameOf(ctx, env));
    return found ? envResource(ctx, found, env) : undefined;
  },
  fork,
  remove,
  list,
  reset,

  variables,

  async describe(ctx, env) {
    const { describePostgresUrl } = await import('./pg-url-describe.js');
    return describePostgresUrl('neon', env, (await variables(ctx, env)).DATABASE_URL);
  },

  check,
} satisfies Provider<NeonOptions>;

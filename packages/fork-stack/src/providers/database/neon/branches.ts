/**
 * Neon branches: lookup by name, the paginated list, ownership annotations and waiting for operations.
 *
 * Ownership: every branch fork-stack creates carries the annotation { "fork-stack-project": <project>,
 * "fork-stack-env": <env>, "fork-stack-parent": <parent env> } (Neon returns annotations with each branch list). Branches without it are
 * someone else's: listed only when adopted by name (roots, `names`), never deleted or forked over.
 */
import type { AnnotationValueData, Branch, Operation } from '@neondatabase/api-client';
import { OperationError } from '../../../core/errors.js';
import type { ProviderContext, Resource } from '../../types.js';
import { pollUntil } from '../../cloud/poll.js';
import type { NeonOptions } from '../neon.schema.js';
import type { NeonClient } from './api.js';

export const OWNER_KEY = 'fork-stack-project';
export const ENV_KEY = 'fork-stack-env';
export const PARENT_KEY = 'fork-stack-parent';
/** The create run that made the branch (see Capabilities.recordsRun). */
export const RUN_KEY = 'fork-stack-run';
export const PAGE_SIZE = 100;

export interface FoundBranch {
  branch: Branch;
  annotation?: AnnotationValueData;
}

export function ownerAnnotation(project: string, env: string, parent: string, runId?: string): AnnotationValueData {
  return { [OWNER_KEY]: project, [ENV_KEY]: env, [PARENT_KEY]: parent, ...(runId ? { [RUN_KEY]: runId } : {}) };
}

/** Fork-stack's annotation for this project and this environment: the only proof a branch is ours. */
export function isOurs(found: FoundBranch, project: string, env: string): boolean {
  return found.annotation?.[OWNER_KEY] === project && found.annotation?.[ENV_KEY] === env;
}

/** Whose the branch is, when it carries fork-stack's annotation for another project or environment. */
export function markedFor(found: FoundBranch, project: string, env: string): { project: string; env: string } | undefined {
  const owner = found.annotation?.[OWNER_KEY];
  if (owner === undefined || isOurs(found, project, env)) return undefined;
  return { project: owner, env: found.annotation?.[ENV_KEY] ?? '(unknown)' };
}

/** "carries no fork-stack annotation" / "belongs to fork-stack project "x", environment "y"". */
export function ownerText(found: FoundBranch, project: string, env: string): string {
  const other = markedFor(found, project, env);
  if (!other) return `it was not made by fork-stack (it carries no fork-stack annotation for project "${project}", environment "${env}")`;
  if (other.project !== project) return `it belongs to another fork-stack project: "${other.project}", environment "${other.env}"`;
  return `it belongs to environment "${other.env}" of this project, not "${env}"`;
}

/**
 * Every branch of the project (or those whose name contains `search`), walking the cursor to the end.
 * Sorted by name so that the cursor is stable while branches are being updated.
 */
export async function listBranches(api: NeonClient, what: string, search?: string): Promise<FoundBranch[]> {
  const out: FoundBranch[] = [];
  let cursor: string | undefined;
  const seen = new Set<string>();
  for (;;) {
    const { data } = await api.call(what, (params) =>
      api.sdk.listProjectBranches({ projectId: api.projectId, search, cursor, limit: PAGE_SIZE, sort_by: 'name' as never, sort_order: 'asc' as never }, params),
    );
    const branches = data?.branches ?? [];
    for (const branch of branches) out.push({ branch, annotation: data?.annotations?.[branch.id]?.value });
    const next = data?.pagination?.next;
    // The cursor is opaque; stop on a short page, a missing cursor, or one already followed.
    if (branches.length < PAGE_SIZE || !next || seen.has(next)) return out;
    seen.add(next);
    cursor = next;
  }
}

export async function findBranch(api: NeonClient, name: string): Promise<FoundBranch | undefined> {
  // `search` matches partial names and ids: filter to the exact name.
  const candidates = await listBranches(api, `look up branch "${name}"`, name);
  return candidates.find((c) => c.branch.name === name);
}

export function branchResource(found: FoundBranch, env: string, owned: boolean, parentEnv?: string, marked?: { project: string; env: string }): Resource {
  const { branch } = found;
  const state = branch.current_state === 'ready' ? 'ready' : branch.current_state === 'init' ? 'creating' : branch.current_state === 'archived' ? 'ready' : 'unknown';
  const details: Record<string, string | number | boolean> = { branch_id: branch.id };
  if (branch.logical_size !== undefined) details.logical_size = branch.logical_size;
  if (branch.expires_at) details.expires_at = branch.expires_at;
  if (branch.default) details.default = true;
  return {
    env,
    name: branch.name,
    id: branch.id,
    parent: parentEnv ?? found.annotation?.[PARENT_KEY],
    createdAt: branch.created_at,
    // Neon deletes the branch itself then; gc sees it too, to remove the environment's other resources.
    ...(branch.expires_at ? { expiresAt: new Date(branch.expires_at).toISOString() } : {}),
    state,
    owned,
    ...(marked ? { markedFor: marked } : {}),
    details,
  };
}

const FAILED = new Set(['failed', 'error', 'cancelled', 'cancelling']);
const DONE = new Set(['finished', 'skipped']);

/** Wait until every operation is finished (or skipped); any failed, errored or cancelled one is an error. */
export async function waitForOperations(ctx: ProviderContext<NeonOptions>, api: NeonClient, operations: readonly Operation[], what: string): Promise<void> {
  let pending = operations.filter((op) => !DONE.has(op.status));
  const failedNow = firstFailure(operations);
  if (failedNow) throw operationFailure(failedNow, what);
  if (pending.length === 0) return;
  await pollUntil(
    ctx,
    {
      what,
      timeoutMs: ctx.options.wait_timeout_seconds * 1000,
      hint: 'Neon is still working on it: check the project in the Neon Console, or raise wait_timeout_seconds in [database].',
    },
    async () => {
      // The operations of one branch run side by side (create_branch, start_compute): read them together.
      const current = await Promise.all(
        pending.map(async (op) => {
          const { data } = await api.call(`read operation ${op.action} (${op.id})`, (params) => api.sdk.getProjectOperation(api.projectId, op.id, params));
          return data?.operation ?? op;
        }),
      );
      const failed = firstFailure(current);
      if (failed) return { failed: operationFailure(failed, what).message };
      pending = current.filter((op) => !DONE.has(op.status));
      if (pending.length === 0) return { done: true, value: undefined };
      return { done: false, state: pending.map((op) => `${op.action}: ${op.status}`).join(', ') };
    },
  );
}

/** The failure to report: a failed or errored operation says why; those cancelled because of it do not. */
function firstFailure(operations: readonly Operation[]): Operation | undefined {
  return operations.find((op) => op.status === 'failed' || op.status === 'error') ?? operations.find((op) => FAILED.has(op.status));
}

/** The operations of one branch, newest first (Neon lists a project's operations; there is no branch filter). */
export async function branchOperations(api: NeonClient, branchId: string): Promise<Operation[]> {
  const { data } = await api.call('list operations', (params) => api.sdk.listProjectOperations({ projectId: api.projectId }, params));
  return (data?.operations ?? []).filter((op) => op.branch_id === branchId);
}

/** True when the branch's work is over and some of it failed: it will never become ready, but can be deleted. */
export function endedInFailure(operations: readonly Operation[]): boolean {
  const ended = new Set(['failed', 'error', 'cancelled']);
  return operations.some((op) => ended.has(op.status)) && operations.every((op) => DONE.has(op.status) || ended.has(op.status));
}

function operationFailure(op: Operation, what: string): OperationError {
  const reason = op.error ? `: ${op.error}` : '';
  return new OperationError(`neon: ${what}: operation ${op.action} ${op.status}${reason}`);
}

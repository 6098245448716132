import { conflict, HttpError, badRequest, notFound } from '../../core/http-error.js';
import { keysetPage } from '../../core/pagination.js';
import type { Progress } from '../../core/progress.js';
import type { Handler, HandlerContext } from '../../core/provider.js';
import {
  branchView, connectionUri, databaseView, endpointView, operationView, projectView, roleView,
  type NeonBranch, type NeonEndpoint, type NeonOperation, type NeonState,
} from './model.js';

type Ctx = HandlerContext<NeonState>;

interface BranchCreateBody {
  branch?: { parent_id?: string; name?: string; parent_lsn?: string; parent_timestamp?: string; protected?: boolean; expires_at?: string };
  annotation_value?: Record<string, string>;
  endpoints?: { type: 'read_write' | 'read_only'; autoscaling_limit_min_cu?: number; autoscaling_limit_max_cu?: number; suspend_timeout_seconds?: number }[];
}

const MAX_EXPIRY_MS = 30 * 24 * 3600 * 1000;
// Neon's documented answer when a dependent call arrives while operations are still running (retry-safe).
const LOCKED = 'project already has running conflicting operations, scheduling of new ones is prohibited';

export const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

function project(ctx: Ctx) {
  const found = ctx.state.projects.get(ctx.params.project_id!);
  if (!found) throw notFound(`project ${ctx.params.project_id} not found`);
  return found;
}

function branch(ctx: Ctx, id = ctx.params.branch_id!): NeonBranch {
  const found = ctx.state.branches.get(id);
  if (!found || found.project_id !== project(ctx).id) throw notFound(`branch ${id} not found`);
  return found;
}

function assertIdle(ctx: Ctx, branchId: string): void {
  for (const operation of ctx.state.operations.values()) {
    if (operation.branch_id === branchId && !operation.progress.done) throw new HttpError(423, LOCKED);
  }
}

function newOperation(ctx: Ctx, branchId: string, action: string, progress: Progress, endpointId?: string): NeonOperation {
  const operation: NeonOperation = {
    id: uuid(ctx.nextId('operation')), project_id: ctx.params.project_id!, branch_id: branchId, action, progress, created_at: ctx.now(),
    ...(endpointId ? { endpoint_id: endpointId } : {}),
  };
  ctx.state.operations.set(operation.id, operation);
  return operation;
}

function checkPointInTime(ctx: Ctx, body: NonNullable<BranchCreateBody['branch']>, retentionSeconds: number): void {
  if (body.parent_lsn && body.parent_timestamp) throw badRequest('specify either parent_lsn or parent_timestamp, not both');
  if (body.parent_timestamp) {
    const at = Date.parse(body.parent_timestamp);
    if (at > Date.now()) throw badRequest(`parent_timestamp ${body.parent_timestamp} is in the future`);
    if (at < Date.now() - retentionSeconds * 1000) {
      throw badRequest(`parent_timestamp ${body.parent_timestamp} is outside the project's history retention window (${retentionSeconds} s)`);
    }
  }
  if (body.expires_at) {
    const at = Date.parse(body.expires_at);
    if (at <= Date.now() || at > Date.now() + MAX_EXPIRY_MS) throw badRequest('expires_at must be in the future and at most 30 days ahead');
  }
}

function annotationView(b: NeonBranch, now: string) {
  return { object: { type: 'console/branch', id: b.id }, value: b.annotation ?? {}, created_at: b.created_at, updated_at: now };
}

const childrenOf = (state: NeonState, branchId: string) => [...state.branches.values()].filter((b) => b.parent_id === branchId);
const rolesOf = (state: NeonState, branchId: string) => state.roles.filter((r) => r.branch_id === branchId);
const databasesOf = (state: NeonState, branchId: string) => state.databases.filter((d) => d.branch_id === branchId);
const endpointsOf = (state: NeonState, branchId: string) => [...state.endpoints.values()].filter((e) => e.branch_id === branchId);

const createBranch: Handler<NeonState> = (ctx) => {
  const proj = project(ctx);
  const body = (ctx.body ?? {}) as BranchCreateBody;
  const options = body.branch ?? {};
  const parent = options.parent_id
    ? branch(ctx, options.parent_id)
    : [...ctx.state.branches.values()].find((b) => b.project_id === proj.id && b.default);
  if (!parent) throw notFound('the project has no default branch to branch from');
  if (options.name && [...ctx.state.branches.values()].some((b) => b.project_id === proj.id && b.name === options.name)) {
    throw conflict(`branch with the provided name "${options.name}" already exists`);
  }
  if ((body.endpoints ?? []).filter((e) => e.type === 'read_write').length > 1) throw conflict('read-write endpoint already exists');
  checkPointInTime(ctx, options, proj.history_retention_seconds);
  assertIdle(ctx, parent.id);
  const id = `br-fork-${ctx.nextId('branch').toString().padStart(6, '0')}`;
  const now = ctx.now();
  const progress = ctx.progress();
  const created: NeonBranch = {
    id, project_id: proj.id, name: options.name ?? id, parent_id: parent.id, default: false, protected: options.protected ?? false,
    created_at: now, updated_at: now, progress,
    ...(options.parent_lsn ? { parent_lsn: options.parent_lsn } : {}),
    ...(options.parent_timestamp ? { parent_timestamp: options.parent_timestamp } : {}),
    ...(options.expires_at ? { expires_at: options.expires_at } : {}),
    ...(body.annotation_value ? { annotation: { ...body.annotation_value } } : {}),
  };
  ctx.state.branches.set(id, created);
  // A branch starts as a copy of its parent's roles (with their passwords) and databases.
  for (const role of rolesOf(ctx.state, parent.id)) ctx.state.roles.push({ ...role, branch_id: id, created_at: now, updated_at: now });
  for (const database of databasesOf(ctx.state, parent.id)) {
    ctx.state.databases.push({ ...database, id: ctx.nextId('database'), branch_id: id, created_at: now, updated_at: now });
  }
  const operations = [newOperation(ctx, id, 'create_branch', progress)];
  const endpoints: NeonEndpoint[] = [];
  for (const request of body.endpoints ?? []) {
    const endpoint: NeonEndpoint = {
      id: `ep-fork-${ctx.nextId('endpoint').toString().padStart(6, '0')}`, project_id: proj.id, branch_id: id, type: request.type,
      region_id: proj.region_id, min_cu: request.autoscaling_limit_min_cu ?? 0.25, max_cu: request.autoscaling_limit_max_cu ?? 2,
      suspend_timeout_seconds: request.suspend_timeout_seconds ?? 0, created_at: now, updated_at: now, progress,
    };
    ctx.state.endpoints.set(endpoint.id, endpoint);
    endpoints.push(endpoint);
    operations.push(newOperation(ctx, id, 'start_compute', progress, endpoint.id));
  }
  const fault = ctx.state.operationFaults.findIndex((f) => f.action === 'create_branch' && (f.branchName === undefined || f.branchName === created.name));
  if (fault >= 0) {
    // The create fails: its work ends (the branch stays `init` for good) and the compute never starts.
    const { error } = ctx.state.operationFaults.splice(fault, 1)[0]!;
    progress.complete();
    created.failed = true;
    operations[0]!.failure = { status: 'failed', error };
    for (const op of operations.slice(1)) op.failure = { status: 'cancelled' };
  }
  const roles = rolesOf(ctx.state, id);
  const databases = databasesOf(ctx.state, id);
  const readWrite = endpoints.find((e) => e.type === 'read_write');
  // Documented: connection_uris only when the branch has exactly one role and one database.
  const uris = readWrite && roles.length === 1 && databases.length === 1
    ? { connection_uris: [{ connection_uri: connectionUri(roles[0]!, databases[0]!, readWrite, false, ctx.state, created), connection_parameters: {
      database: databases[0]!.name, password: roles[0]!.password, role: roles[0]!.name,
      host: endpointView(readWrite).host, pooler_host: endpointView(readWrite).host.replace(readWrite.id, `${readWrite.id}-pooler`),
    } }] }
    : {};
  return {
    status: 201,
    body: {
      branch: branchView(ctx.state, created, false),
      endpoints: endpoints.map(endpointView),
      operations: operations.map((op) => operationView(op, false)),
      roles: roles.map((role) => roleView(role)),
      databases: databases.map(databaseView),
      ...uris,
    },
  };
};

const listBranches: Handler<NeonState> = (ctx) => {
  const proj = project(ctx);
  const search = typeof ctx.query.search === 'string' ? ctx.query.search : undefined;
  const sortBy = (ctx.query.sort_by as 'name' | 'created_at' | 'updated_at' | undefined) ?? 'updated_at';
  const sortOrder = (ctx.query.sort_order as 'asc' | 'desc' | undefined) ?? 'desc';
  const matching = [...ctx.state.branches.values()].filter((b) => b.project_id === proj.id && (!search || b.name.includes(search) || b.id.includes(search)));
  // Unpaginated when the client sends no limit, as the API does; FakeOptions.pageSize forces pages.
  const limit = ctx.pageSize(ctx.query.limit as number | undefined, Number.MAX_SAFE_INTEGER);
  const { page, next } = keysetPage(matching, { key: (b) => [b[sortBy], b.id], cursor: ctx.query.cursor as string | undefined, limit, descending: sortOrder === 'desc' });
  const paginated = limit < Number.MAX_SAFE_INTEGER || ctx.query.cursor !== undefined;
  return {
    body: {
      branches: page.map((b) => branchView(ctx.state, b, true)),
      // Documented: a map from branch id to that branch's annotation, for the branches that have one.
      annotations: Object.fromEntries(page.filter((b) => b.annotation).map((b) => [b.id, annotationView(b, ctx.now())])),
      ...(paginated ? { pagination: { ...(next ? { next } : {}), sort_by: sortBy, sort_order: sortOrder } } : {}),
    },
  };
};

const deleteBranch: Handler<NeonState> = (ctx) => {
  const proj = project(ctx);
  const found = ctx.state.branches.get(ctx.params.branch_id!);
  // Documented: 204 when the branch does not exist or is already deleted.
  if (!found || found.project_id !== proj.id) return { status: 204 };
  if (found.default) throw badRequest('cannot delete the project\'s default branch');
  if (childrenOf(ctx.state, found.id).length > 0) throw badRequest('cannot delete a branch that has child branches');
  if (found.protected) throw badRequest('cannot delete a protected branch');
  assertIdle(ctx, found.id);
  const progress = ctx.progress();
  const operations = [
    ...endpointsOf(ctx.state, found.id).map((e) => newOperation(ctx, found.id, 'suspend_compute', progress, e.id)),
    newOperation(ctx, found.id, 'delete_timeline', progress),
  ];
  for (const endpoint of endpointsOf(ctx.state, found.id)) ctx.state.endpoints.delete(endpoint.id);
  ctx.state.roles = ctx.state.roles.filter((r) => r.branch_id !== found.id);
  ctx.state.databases = ctx.state.databases.filter((d) => d.branch_id !== found.id);
  ctx.state.branches.delete(found.id);
  return { body: { branch: branchView(ctx.state, found, false), operations: operations.map((op) => operationView(op, false)) } };
};

const updateBranch: Handler<NeonState> = (ctx) => {
  const found = branch(ctx);
  const { branch: changes } = ctx.body as { branch: { name?: string; protected?: boolean; expires_at?: string | null } };
  if (changes.name && changes.name !== found.name && [...ctx.state.branches.values()].some((b) => b.project_id === found.project_id && b.name === changes.name)) {
    throw conflict(`branch with the provided name "${changes.name}" already exists`);
  }
  if (changes.name) found.name = changes.name;
  if (changes.protected !== undefined) found.protected = changes.protected;
  if (changes.expires_at === null) delete found.expires_at;
  else if (changes.expires_at) found.expires_at = changes.expires_at;
  found.updated_at = ctx.now();
  return { body: { branch: branchView(ctx.state, found, false), operations: [] } };
};

const restoreBranch: Handler<NeonState> = (ctx) => {
  const target = branch(ctx);
  const body = ctx.body as { source_branch_id: string; source_lsn?: string; source_timestamp?: string; preserve_under_name?: string };
  const source = branch(ctx, body.source_branch_id);
  if (source.id !== target.parent_id && source.id !== target.id) throw badRequest('source_branch_id must be the branch itself or its parent');
  if (source.id === target.id && !body.source_lsn && !body.source_timestamp) throw badRequest('restoring a branch onto itself needs source_lsn or source_timestamp');
  // Documented: "If the branch has children or the source_branch_id is equal to the branch id, this field is required."
  if (!body.preserve_under_name && childrenOf(ctx.state, target.id).length > 0) {
    throw badRequest('a branch with children can only be restored with preserve_under_name');
  }
  if (!body.preserve_under_name && source.id === target.id) {
    throw badRequest('restoring a branch onto itself requires preserve_under_name');
  }
  assertIdle(ctx, target.id);
  assertIdle(ctx, source.id);
  if (body.preserve_under_name) {
    const id = `br-fork-${ctx.nextId('branch').toString().padStart(6, '0')}`;
    ctx.state.branches.set(id, { ...target, id, name: body.preserve_under_name, default: false, progress: target.progress });
  }
  target.last_reset_at = ctx.now();
  target.updated_at = target.last_reset_at;
  const progress = ctx.progress();
  const operations = [newOperation(ctx, target.id, 'create_timeline', progress)];
  return { body: { branch: branchView(ctx.state, target, false), operations: operations.map((op) => operationView(op, false)) } };
};

export const branchHandlers: Record<string, Handler<NeonState>> = {
  'POST /projects/{project_id}/branches': createBranch,
  'GET /projects/{project_id}/branches': listBranches,
  'GET /projects/{project_id}/branches/count': (ctx) => ({
    body: { count: [...ctx.state.branches.values()].filter((b) => b.project_id === project(ctx).id).length },
  }),
  'GET /projects/{project_id}/branches/{branch_id}': (ctx) => ({ body: { branch: branchView(ctx.state, branch(ctx), true), annotation: annotationView(branch(ctx), ctx.now()) } }),
  'DELETE /projects/{project_id}/branches/{branch_id}': deleteBranch,
  'PATCH /projects/{project_id}/branches/{branch_id}': updateBranch,
  'POST /projects/{project_id}/branches/{branch_id}/restore': restoreBranch,
  'GET /projects/{project_id}/branches/{branch_id}/endpoints': (ctx) => ({ body: { endpoints: endpointsOf(ctx.state, branch(ctx).id).map(endpointView) } }),
};

export { assertIdle, branch, databasesOf, endpointsOf, newOperation, project, rolesOf };

import { conflict, notFound } from '../../core/http-error.js';
import { keysetPage } from '../../core/pagination.js';
import type { Handler, HandlerContext } from '../../core/provider.js';
import { assertIdle, branch, databasesOf, endpointsOf, newOperation, project, rolesOf } from './branches.js';
import { connectionUri, databaseView, endpointView, operationView, projectView, roleView, type NeonRole, type NeonState } from './model.js';

type Ctx = HandlerContext<NeonState>;

function role(ctx: Ctx): NeonRole {
  const found = rolesOf(ctx.state, branch(ctx).id).find((r) => r.name === ctx.params.role_name);
  if (!found) throw notFound(`role ${ctx.params.role_name} not found`);
  return found;
}

function password(ctx: Ctx): string {
  return `npg_fake${ctx.nextId('password').toString(36).padStart(8, '0')}`;
}

const connectionUriHandler: Handler<NeonState> = (ctx) => {
  const proj = project(ctx);
  const branchId = (ctx.query.branch_id as string | undefined)
    ?? [...ctx.state.branches.values()].find((b) => b.project_id === proj.id && b.default)?.id;
  if (!branchId) throw notFound('the project has no default branch');
  const target = branch(ctx, branchId);
  const endpoint = ctx.query.endpoint_id
    ? endpointsOf(ctx.state, target.id).find((e) => e.id === ctx.query.endpoint_id)
    : endpointsOf(ctx.state, target.id).find((e) => e.type === 'read_write');
  if (!endpoint) throw notFound(`no ${ctx.query.endpoint_id ? `endpoint ${String(ctx.query.endpoint_id)}` : 'read-write endpoint'} on branch ${target.id}`);
  const foundRole = rolesOf(ctx.state, target.id).find((r) => r.name === ctx.query.role_name);
  if (!foundRole) throw notFound(`role ${String(ctx.query.role_name)} not found`);
  const database = databasesOf(ctx.state, target.id).find((d) => d.name === ctx.query.database_name);
  if (!database) throw notFound(`database ${String(ctx.query.database_name)} not found`);
  return { body: { uri: connectionUri(foundRole, database, endpoint, ctx.query.pooled === true, ctx.state, target) } };
};

const listOperations: Handler<NeonState> = (ctx) => {
  const proj = project(ctx);
  const all = [...ctx.state.operations.values()].filter((op) => op.project_id === proj.id);
  // Documented: all operations are listed when no limit is given.
  const limit = ctx.pageSize(ctx.query.limit as number | undefined, Number.MAX_SAFE_INTEGER);
  const { page } = keysetPage(all, { key: (op) => [op.created_at, op.id], cursor: ctx.query.cursor as string | undefined, limit, descending: true });
  const last = page[page.length - 1];
  return {
    body: {
      operations: page.map((op) => operationView(op, true)),
      // Neon returns the cursor of the last item; a page after the end is empty.
      ...(last ? { pagination: { cursor: Buffer.from(JSON.stringify([last.created_at, last.id])).toString('base64url') } } : {}),
    },
  };
};

const listProjects: Handler<NeonState> = (ctx) => {
  const search = ctx.query.search as string | undefined;
  const all = [...ctx.state.projects.values()].filter((p) => !search || p.name.includes(search) || p.id.includes(search));
  const limit = ctx.pageSize(ctx.query.limit as number | undefined, 10);
  const { page } = keysetPage(all, { key: (p) => [p.created_at, p.id], cursor: ctx.query.cursor as string | undefined, limit });
  const last = page[page.length - 1];
  return {
    body: {
      projects: page.map(projectView),
      applications: {},
      integrations: {},
      ...(last ? { pagination: { cursor: Buffer.from(JSON.stringify([last.created_at, last.id])).toString('base64url') } } : {}),
    },
  };
};

export const resourceHandlers: Record<string, Handler<NeonState>> = {
  'GET /projects': listProjects,
  'GET /projects/{project_id}': (ctx) => {
    const proj = project(ctx);
    const now = ctx.now();
    return {
      body: {
        project: {
          ...projectView(proj), consumption_period_start: proj.created_at, consumption_period_end: now,
          active_time_seconds: 0, compute_time_seconds: 0, written_data_bytes: 0, data_transfer_bytes: 0, data_storage_bytes_hour: 0,
        },
      },
    };
  },
  'GET /projects/{project_id}/operations': listOperations,
  'GET /projects/{project_id}/operations/{operation_id}': (ctx) => {
    const operation = ctx.state.operations.get(ctx.params.operation_id!);
    if (!operation || operation.project_id !== project(ctx).id) throw notFound(`operation ${ctx.params.operation_id} not found`);
    return { body: { operation: operationView(operation, true) } };
  },
  'GET /projects/{project_id}/connection_uri': connectionUriHandler,
  'GET /projects/{project_id}/endpoints': (ctx) => ({
    body: { endpoints: [...ctx.state.endpoints.values()].filter((e) => e.project_id === project(ctx).id).map(endpointView) },
  }),
  'GET /projects/{project_id}/endpoints/{endpoint_id}': (ctx) => {
    const endpoint = ctx.state.endpoints.get(ctx.params.endpoint_id!);
    if (!endpoint || endpoint.project_id !== project(ctx).id) throw notFound(`endpoint ${ctx.params.endpoint_id} not found`);
    return { body: { endpoint: endpointView(endpoint) } };
  },
  'GET /projects/{project_id}/branches/{branch_id}/roles': (ctx) => ({ body: { roles: rolesOf(ctx.state, branch(ctx).id).map((r) => roleView(r)) } }),
  'POST /projects/{project_id}/branches/{branch_id}/roles': (ctx) => {
    const target = branch(ctx);
    const { role: request } = ctx.body as { role: { name: string } };
    if (rolesOf(ctx.state, target.id).some((r) => r.name === request.name)) throw conflict(`role "${request.name}" already exists`);
    assertIdle(ctx, target.id);
    const now = ctx.now();
    const created: NeonRole = { branch_id: target.id, name: request.name, password: password(ctx), protected: false, created_at: now, updated_at: now };
    ctx.state.roles.push(created);
    const operations = endpointsOf(ctx.state, target.id).map((e) => newOperation(ctx, target.id, 'apply_config', ctx.progress(), e.id));
    return { status: 201, body: { role: roleView(created, true), operations: operations.map((op) => operationView(op, false)) } };
  },
  'GET /projects/{project_id}/branches/{branch_id}/roles/{role_name}': (ctx) => ({ body: { role: roleView(role(ctx)) } }),
  'DELETE /projects/{project_id}/branches/{branch_id}/roles/{role_name}': (ctx) => {
    const target = branch(ctx);
    const found = rolesOf(ctx.state, target.id).find((r) => r.name === ctx.params.role_name);
    if (!found) return { status: 204 };
    assertIdle(ctx, target.id);
    ctx.state.roles = ctx.state.roles.filter((r) => r !== found);
    const operations = endpointsOf(ctx.state, target.id).map((e) => newOperation(ctx, target.id, 'apply_config', ctx.progress(), e.id));
    return { body: { role: roleView(found), operations: operations.map((op) => operationView(op, false)) } };
  },
  'GET /projects/{project_id}/branches/{branch_id}/roles/{role_name}/reveal_password': (ctx) => ({ body: { password: role(ctx).password } }),
  'POST /projects/{project_id}/branches/{branch_id}/roles/{role_name}/reset_password': (ctx) => {
    const found = role(ctx);
    assertIdle(ctx, found.branch_id);
    found.password = password(ctx);
    found.updated_at = ctx.now();
    const operations = endpointsOf(ctx.state, found.branch_id).map((e) => newOperation(ctx, found.branch_id, 'apply_config', ctx.progress(), e.id));
    return { body: { role: roleView(found, true), operations: operations.map((op) => operationView(op, false)) } };
  },
  'GET /projects/{project_id}/branches/{branch_id}/databases': (ctx) => ({ body: { databases: databasesOf(ctx.state, branch(ctx).id).map(databaseView) } }),
  'POST /projects/{project_id}/branches/{branch_id}/databases': (ctx) => {
    const target = branch(ctx);
    const { database: request } = ctx.body as { database: { name: string; owner_name: string } };
    if (databasesOf(ctx.state, target.id).some((d) => d.name === request.name)) throw conflict(`database with name "${request.name}" already exists`);
    if (!rolesOf(ctx.state, target.id).some((r) => r.name === request.owner_name)) throw notFound(`role ${request.owner_name} not found`);
    assertIdle(ctx, target.id);
    const now = ctx.now();
    const created = { id: ctx.nextId('database'), branch_id: target.id, name: request.name, owner_name: request.owner_name, created_at: now, updated_at: now };
    ctx.state.databases.push(created);
    const operations = endpointsOf(ctx.state, target.id).map((e) => newOperation(ctx, target.id, 'apply_config', ctx.progress(), e.id));
    return { status: 201, body: { database: databaseView(created), operations: operations.map((op) => operationView(op, false)) } };
  },
  'GET /projects/{project_id}/branches/{branch_id}/databases/{database_name}': (ctx) => {
    const found = databasesOf(ctx.state, branch(ctx).id).find((d) => d.name === ctx.params.database_name);
    if (!found) throw notFound(`database ${ctx.params.database_name} not found`);
    return { body: { database: databaseView(found) } };
  },
  'DELETE /projects/{project_id}/branches/{branch_id}/databases/{database_name}': (ctx) => {
    const target = branch(ctx);
    const found = databasesOf(ctx.state, target.id).find((d) => d.name === ctx.params.database_name);
    if (!found) return { status: 204 };
    assertIdle(ctx, target.id);
    ctx.state.databases = ctx.state.databases.filter((d) => d !== found);
    const operations = endpointsOf(ctx.state, target.id).map((e) => newOperation(ctx, target.id, 'apply_config', ctx.progress(), e.id));
    return { body: { database: databaseView(found), operations: operations.map((op) => operationView(op, false)) } };
  },
  'GET /users/me': (ctx) => ({
    body: {
      active_seconds_limit: 0, id: ctx.state.user.id, email: ctx.state.user.email, login: 'fake', name: ctx.state.user.name, last_name: '',
      image: '', projects_limit: 100, branches_limit: 5000, max_autoscaling_limit: 8, auth_accounts: [], plan: 'launch',
    },
  }),
};

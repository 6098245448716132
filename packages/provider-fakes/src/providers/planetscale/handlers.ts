import { HttpError, notFound } from '../../core/http-error.js';
import { numberedPage } from '../../core/pagination.js';
import type { Handler, HandlerContext } from '../../core/provider.js';
import {
  branchView, databaseView, passwordView, roleView,
  type PlanetScaleBranch, type PlanetScaleDatabase, type PlanetScalePassword, type PlanetScaleRole, type PlanetScaleState,
} from './model.js';

type Ctx = HandlerContext<PlanetScaleState>;

const BRANCH_NAME = /^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]?$/;
// PlanetScale answers validation failures with 422 "unprocessable".
const unprocessable = (message: string) => new HttpError(422, message);

function database(ctx: Ctx): PlanetScaleDatabase {
  if (ctx.params.organization !== ctx.state.organization) throw notFound(`organization ${ctx.params.organization} not found`);
  const found = ctx.state.databases.get(ctx.params.database!);
  if (!found) throw notFound(`database ${ctx.params.database} not found`);
  return found;
}

function branch(ctx: Ctx, name = ctx.params.branch!): PlanetScaleBranch {
  const db = database(ctx);
  const found = ctx.state.branches.find((b) => b.database === db.name && b.name === name);
  if (!found) throw notFound(`branch ${name} not found`);
  return found;
}

function readyBranch(ctx: Ctx): PlanetScaleBranch {
  const found = branch(ctx);
  if (!found.progress.done) throw unprocessable(`branch ${found.name} is not ready yet: wait until it reports "ready": true`);
  return found;
}

const secret = (ctx: Ctx, prefix: string) => `${prefix}_fake${ctx.nextId('secret').toString(36).padStart(10, '0')}`;

/** PlanetScale's page envelope: page/per_page in, current/next/prev page numbers and URLs out. */
function paginate<T, V>(ctx: Ctx, items: T[], view: (item: T) => V) {
  const perPage = ctx.pageSize(ctx.query.per_page as number | undefined, 25);
  const current = Math.max(1, (ctx.query.page as number | undefined) ?? 1);
  const { page, hasNext } = numberedPage(items, current, perPage);
  const url = (n: number) => `${ctx.baseUrl}${ctx.path}?page=${n}&per_page=${perPage}`;
  return {
    type: 'list', current_page: current, per_page: perPage,
    next_page: hasNext ? current + 1 : null, next_page_url: hasNext ? url(current + 1) : null,
    prev_page: current > 1 ? current - 1 : null, prev_page_url: current > 1 ? url(current - 1) : null,
    total_count: items.length, total_pages: Math.max(1, Math.ceil(items.length / perPage)),
    data: page.map(view),
  };
}

const createBranch: Handler<PlanetScaleState> = (ctx) => {
  const db = database(ctx);
  const body = ctx.body as { name: string; parent_branch?: string; seed_data?: string; restore_point?: string; backup_id?: string; deletion_protected?: boolean };
  if (!BRANCH_NAME.test(body.name)) throw unprocessable(`Validation failed: Name "${body.name}" must be lower-case letters, digits and dashes`);
  if (ctx.state.branches.some((b) => b.database === db.name && b.name === body.name)) throw unprocessable('Validation failed: Name has already been taken');
  const parentName = body.parent_branch ?? db.default_branch;
  const parent = ctx.state.branches.find((b) => b.database === db.name && b.name === parentName);
  if (!parent) throw notFound(`parent branch ${parentName} not found`);
  if (!parent.progress.done) throw unprocessable(`parent branch ${parentName} is not ready yet`);
  const now = ctx.now();
  const created: PlanetScaleBranch = {
    id: `fakebr${ctx.nextId('branch').toString().padStart(6, '0')}`, database: db.name, name: body.name, parent_branch: parent.name,
    production: false, deletion_protected: body.deletion_protected ?? false, created_at: now, updated_at: now, progress: ctx.progress(),
    ...(body.seed_data ? { seed_data: body.seed_data } : {}), ...(body.restore_point ? { restore_point: body.restore_point } : {}),
  };
  ctx.state.branches.push(created);
  return { status: 201, body: branchView(ctx.state, db, created, ctx.baseUrl, false) };
};

const deleteBranch: Handler<PlanetScaleState> = (ctx) => {
  const db = database(ctx);
  const found = branch(ctx);
  if (found.production) throw unprocessable(`${found.name} is a production branch: demote it before deleting it`);
  if (found.deletion_protected) throw unprocessable(`${found.name} is deletion protected`);
  const descendants = (name: string): PlanetScaleBranch[] => ctx.state.branches
    .filter((b) => b.database === db.name && b.parent_branch === name)
    .flatMap((child) => [child, ...descendants(child.name)]);
  const below = descendants(found.name);
  if (below.length > 0 && ctx.query.delete_descendants !== true) {
    throw unprocessable(`branch ${found.name} has child branches (${below.map((b) => b.name).join(', ')}): delete them first or pass delete_descendants=true`);
  }
  const gone = new Set([found, ...below]);
  ctx.state.branches = ctx.state.branches.filter((b) => !gone.has(b));
  ctx.state.passwords = ctx.state.passwords.filter((p) => !(p.database === db.name && [...gone].some((b) => b.name === p.branch)));
  ctx.state.roles = ctx.state.roles.filter((r) => !(r.database === db.name && [...gone].some((b) => b.name === r.branch)));
  return { status: 204 };
};

const createPassword: Handler<PlanetScaleState> = (ctx) => {
  const db = database(ctx);
  if (db.kind !== 'mysql') throw unprocessable(`${db.name} is a PostgreSQL database: create roles, not passwords`);
  const target = readyBranch(ctx);
  const body = (ctx.body ?? {}) as { name?: string; role?: PlanetScalePassword['role']; ttl?: number };
  const n = ctx.nextId('password');
  const created: PlanetScalePassword = {
    id: `fakepw${n.toString().padStart(6, '0')}`, database: db.name, branch: target.name, name: body.name ?? `password-${n}`,
    role: body.role ?? 'admin', username: `fakeuser${n.toString(36).padStart(8, '0')}`, plain_text: secret(ctx, 'pscale_pw'),
    ttl_seconds: body.ttl ?? null, created_at: ctx.now(),
  };
  ctx.state.passwords.push(created);
  return { status: 201, body: passwordView(db, target, created, true) };
};

const createRole: Handler<PlanetScaleState> = (ctx) => {
  const db = database(ctx);
  if (db.kind !== 'postgresql') throw unprocessable(`${db.name} is a MySQL database: create passwords, not roles`);
  const target = readyBranch(ctx);
  const body = (ctx.body ?? {}) as { name?: string; ttl?: number; inherited_roles?: string[] };
  const n = ctx.nextId('role');
  const name = body.name ?? `role-${n}`;
  if (ctx.state.roles.some((r) => r.database === db.name && r.branch === target.name && r.name === name)) throw unprocessable('Validation failed: Name has already been taken');
  const created: PlanetScaleRole = {
    id: `fakerole${n.toString().padStart(6, '0')}`, database: db.name, branch: target.name, name, username: `${name}.${target.id}`,
    password: secret(ctx, 'pscale_pw'), inherited_roles: body.inherited_roles ?? ['postgres'], ttl: body.ttl ?? 0, created_at: ctx.now(),
  };
  ctx.state.roles.push(created);
  return { body: roleView(db, target, created, true) };
};

function password(ctx: Ctx): PlanetScalePassword {
  const target = branch(ctx);
  const found = ctx.state.passwords.find((p) => p.database === target.database && p.branch === target.name && p.id === ctx.params.id);
  if (!found) throw notFound(`password ${ctx.params.id} not found`);
  return found;
}

function role(ctx: Ctx): PlanetScaleRole {
  const target = branch(ctx);
  const found = ctx.state.roles.find((r) => r.database === target.database && r.branch === target.name && r.id === ctx.params.id);
  if (!found) throw notFound(`role ${ctx.params.id} not found`);
  return found;
}

const DB = '/organizations/{organization}/databases/{database}';
const BRANCH = `${DB}/branches/{branch}`;

export const handlers: Record<string, Handler<PlanetScaleState>> = {
  'GET /organizations/{organization}': (ctx) => {
    if (ctx.params.organization !== ctx.state.organization) throw notFound(`organization ${ctx.params.organization} not found`);
    return {
      body: {
        id: 'fake-org-id', name: ctx.state.organization, billing_email: 'billing@example.com', created_at: '2024-01-01T00:00:00.000Z',
        updated_at: '2024-01-01T00:00:00.000Z', plan: 'scaler_pro', valid_billing_info: true, sso: false, sso_directory: false,
        single_tenancy: false, managed_tenancy: false, has_past_due_invoices: false, database_count: ctx.state.databases.size,
        sso_portal_url: null, features: {}, idp_managed_roles: false, invoice_budget_amount: 0, keyspace_shard_limit: 32,
        has_card: true, payment_info_required: false,
      },
    };
  },
  'GET /organizations/{organization}/databases': (ctx) => {
    if (ctx.params.organization !== ctx.state.organization) throw notFound(`organization ${ctx.params.organization} not found`);
    const q = ctx.query.q as string | undefined;
    const all = [...ctx.state.databases.values()].filter((db) => !q || db.name.includes(q));
    return { body: paginate(ctx, all, (db) => databaseView(ctx.state, db, ctx.baseUrl, false)) };
  },
  [`GET ${DB}`]: (ctx) => ({ body: databaseView(ctx.state, database(ctx), ctx.baseUrl, true) }),
  [`GET ${DB}/branches`]: (ctx) => {
    const db = database(ctx);
    const q = ctx.query.q as string | undefined;
    const production = ctx.query.production as boolean | undefined;
    const all = ctx.state.branches
      .filter((b) => b.database === db.name && (!q || b.name.includes(q)) && (production === undefined || b.production === production))
      .sort((a, b) => (ctx.query.order === 'desc' ? -1 : 1) * (a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id)));
    return { body: paginate(ctx, all, (b) => branchView(ctx.state, db, b, ctx.baseUrl, true)) };
  },
  [`POST ${DB}/branches`]: createBranch,
  [`GET ${BRANCH}`]: (ctx) => ({ body: branchView(ctx.state, database(ctx), branch(ctx), ctx.baseUrl, true) }),
  [`PATCH ${BRANCH}`]: (ctx) => {
    const db = database(ctx);
    const found = branch(ctx);
    const body = ctx.body as { new_name?: string; deletion_protected?: boolean };
    if (body.new_name && body.new_name !== found.name) {
      if (!BRANCH_NAME.test(body.new_name)) throw unprocessable(`Validation failed: Name "${body.new_name}" is invalid`);
      if (ctx.state.branches.some((b) => b.database === db.name && b.name === body.new_name)) throw unprocessable('Validation failed: Name has already been taken');
      for (const child of ctx.state.branches.filter((b) => b.database === db.name && b.parent_branch === found.name)) child.parent_branch = body.new_name;
      found.name = body.new_name;
    }
    if (body.deletion_protected !== undefined) found.deletion_protected = body.deletion_protected;
    found.updated_at = ctx.now();
    return { body: branchView(ctx.state, db, found, ctx.baseUrl, false) };
  },
  [`DELETE ${BRANCH}`]: deleteBranch,
  [`GET ${BRANCH}/passwords`]: (ctx) => {
    const db = database(ctx);
    const target = branch(ctx);
    const all = ctx.state.passwords.filter((p) => p.database === db.name && p.branch === target.name);
    return { body: paginate(ctx, all, (p) => passwordView(db, target, p, false)) };
  },
  [`POST ${BRANCH}/passwords`]: createPassword,
  [`GET ${BRANCH}/passwords/{id}`]: (ctx) => ({ body: passwordView(database(ctx), branch(ctx), password(ctx), false) }),
  [`DELETE ${BRANCH}/passwords/{id}`]: (ctx) => {
    const found = password(ctx);
    ctx.state.passwords = ctx.state.passwords.filter((p) => p !== found);
    return { status: 204 };
  },
  [`GET ${BRANCH}/roles`]: (ctx) => {
    const db = database(ctx);
    const target = branch(ctx);
    const all = ctx.state.roles.filter((r) => r.database === db.name && r.branch === target.name);
    return { body: paginate(ctx, all, (r) => roleView(db, target, r, false)) };
  },
  [`POST ${BRANCH}/roles`]: createRole,
  [`GET ${BRANCH}/roles/{id}`]: (ctx) => ({ body: roleView(database(ctx), branch(ctx), role(ctx), false) }),
  [`DELETE ${BRANCH}/roles/{id}`]: (ctx) => {
    const found = role(ctx);
    ctx.state.roles = ctx.state.roles.filter((r) => r !== found);
    return { status: 204 };
  },
};

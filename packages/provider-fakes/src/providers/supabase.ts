import { bearerToken } from '../core/auth.js';
import { HttpError, notFound } from '../core/http-error.js';
import type { Progress } from '../core/progress.js';
import type { Handler, HandlerContext, ProviderDefinition, SeedContext } from '../core/provider.js';
import { loadSpec } from '../core/spec-files.js';
import { some } from '../core/fingerprint.js';

export interface SupabaseProject {
  id: string;
  ref: string;
  name: string;
  region: string;
  organization_id: string;
  created_at: string;
  /** Set for branch projects: the project they branch from. */
  parent_ref?: string;
  db_pass: string;
  jwt_secret: string;
  progress: Progress;
}

export interface SupabaseBranch {
  id: string;
  name: string;
  /** The branch's own project ref (the default branch's is the parent's). */
  project_ref: string;
  parent_project_ref: string;
  is_default: boolean;
  git_branch?: string;
  persistent: boolean;
  with_data: boolean;
  created_at: string;
  updated_at: string;
}

export interface SupabaseState {
  organization: string;
  projects: Map<string, SupabaseProject>;
  branches: SupabaseBranch[];
  /** Parent projects whose branching was disabled by DELETE /v1/projects/{ref}/branches. */
  branchingDisabled: Set<string>;
  /**
   * Where a branch's database answers, for tests that connect to it (a real local PostgreSQL): host, port
   * and password to hand out instead of the documented db.<ref>.supabase.co ones. Not part of Supabase.
   */
  database?: (branch: { name: string; ref: string }) => { host: string; port: number; password: string } | undefined;
}

export interface SupabaseSeed {
  /** A healthy project with branching enabled (its default branch `main`). */
  project(options?: { ref?: string; name?: string; region?: string }): SupabaseProject;
}

type Ctx = HandlerContext<SupabaseState>;

const REF_ALPHABET = 'abcdefghijklmnopqrstuvwxyz';
/** Supabase project refs are 20 lower-case letters. */
function newRef(n: number): string {
  let ref = '';
  let value = n * 7919 + 104729;
  for (let i = 0; i < 20; i += 1) {
    ref += REF_ALPHABET[value % 26];
    value = Math.floor(value / 26) + (i + 1) * 31;
  }
  return ref;
}

const uuid = (n: number) => `00000000-0000-4000-a000-${n.toString(16).padStart(12, '0')}`;

function project(ctx: Ctx, ref = ctx.params.ref!): SupabaseProject {
  const found = ctx.state.projects.get(ref);
  if (!found) throw notFound(`Project ${ref} not found`);
  return found;
}

function parentProject(ctx: Ctx): SupabaseProject {
  const found = project(ctx);
  if (found.parent_ref) throw new HttpError(400, `Project ${found.ref} is a branch: use its parent project ${found.parent_ref}`);
  return found;
}

function branchByIdOrRef(ctx: Ctx): SupabaseBranch {
  const key = ctx.params.branch_id_or_ref!;
  const found = ctx.state.branches.find((b) => b.id === key || b.project_ref === key);
  if (!found) throw notFound(`Branch ${key} not found`);
  return found;
}

function branchView(ctx: Ctx, branch: SupabaseBranch, observe: boolean) {
  const branchProject = ctx.state.projects.get(branch.project_ref);
  const healthy = !branchProject || (observe ? branchProject.progress.poll() : branchProject.progress.done);
  return {
    id: branch.id, name: branch.name, project_ref: branch.project_ref, parent_project_ref: branch.parent_project_ref,
    is_default: branch.is_default, ...(branch.git_branch ? { git_branch: branch.git_branch } : {}), persistent: branch.persistent,
    status: healthy ? 'FUNCTIONS_DEPLOYED' : 'RUNNING_MIGRATIONS', created_at: branch.created_at, updated_at: branch.updated_at,
    with_data: branch.with_data, preview_project_status: healthy ? 'ACTIVE_HEALTHY' : 'COMING_UP',
  };
}

function projectView(p: SupabaseProject, organization: string) {
  const healthy = p.progress.done;
  return {
    id: p.id, ref: p.ref, organization_id: p.organization_id, organization_slug: organization, name: p.name, region: p.region,
    created_at: p.created_at, status: healthy ? 'ACTIVE_HEALTHY' : 'COMING_UP',
    database: { host: `db.${p.ref}.supabase.co`, version: '17.4.1.054', postgres_engine: '17', release_channel: 'ga' },
  };
}

function newProject(state: SupabaseState, ids: { nextId(kind: string): number; now(): string }, progress: Progress, options: { name: string; region: string; parent_ref?: string; ref?: string }): SupabaseProject {
  const n = ids.nextId('project');
  const created: SupabaseProject = {
    id: String(n), ref: options.ref ?? newRef(n), name: options.name, region: options.region, organization_id: 'fake-org-id', created_at: ids.now(),
    db_pass: `fake-db-pass-${n.toString(36)}`, jwt_secret: `fake-jwt-secret-${n.toString(36)}`, progress,
    ...(options.parent_ref ? { parent_ref: options.parent_ref } : {}),
  };
  state.projects.set(created.ref, created);
  return created;
}

const createBranch: Handler<SupabaseState> = (ctx) => {
  const parent = parentProject(ctx);
  const body = ctx.body as { branch_name: string; git_branch?: string; persistent?: boolean; with_data?: boolean; region?: string; is_default?: boolean };
  if (ctx.state.branches.some((b) => b.parent_project_ref === parent.ref && b.name === body.branch_name)) {
    throw new HttpError(409, `A branch named ${body.branch_name} already exists`);
  }
  if (ctx.state.branchingDisabled.delete(parent.ref)) {
    // Branching is enabled again by creating a branch: the project itself becomes the default branch.
    ctx.state.branches.push(defaultBranch(parent, ctx));
  }
  const branchProject = newProject(ctx.state, ctx, ctx.progress(), { name: body.branch_name, region: body.region ?? parent.region, parent_ref: parent.ref });
  const now = ctx.now();
  const created: SupabaseBranch = {
    id: uuid(ctx.nextId('branch')), name: body.branch_name, project_ref: branchProject.ref, parent_project_ref: parent.ref, is_default: false,
    persistent: body.persistent ?? false, with_data: body.with_data ?? false, created_at: now, updated_at: now,
    ...(body.git_branch ? { git_branch: body.git_branch } : {}),
  };
  ctx.state.branches.push(created);
  return { status: 201, body: branchView(ctx, created, false) };
};

function defaultBranch(parent: SupabaseProject, ids: { nextId(kind: string): number; now(): string }): SupabaseBranch {
  const now = ids.now();
  return {
    id: uuid(ids.nextId('branch')), name: 'main', project_ref: parent.ref, parent_project_ref: parent.ref, is_default: true,
    persistent: true, with_data: true, created_at: now, updated_at: now,
  };
}

const handlers: Record<string, Handler<SupabaseState>> = {
  'GET /v1/projects': (ctx) => ({
    body: [...ctx.state.projects.values()].filter((p) => !p.parent_ref).map((p) => projectView(p, ctx.state.organization)),
  }),
  'GET /v1/projects/{ref}': (ctx) => ({ body: projectView(project(ctx), ctx.state.organization) }),
  'GET /v1/projects/{ref}/branches': (ctx) => {
    const parent = parentProject(ctx);
    return { body: ctx.state.branches.filter((b) => b.parent_project_ref === parent.ref).map((b) => branchView(ctx, b, true)) };
  },
  'POST /v1/projects/{ref}/branches': createBranch,
  'DELETE /v1/projects/{ref}/branches': (ctx) => {
    const parent = parentProject(ctx);
    for (const branch of ctx.state.branches.filter((b) => b.parent_project_ref === parent.ref && !b.is_default)) ctx.state.projects.delete(branch.project_ref);
    ctx.state.branches = ctx.state.branches.filter((b) => b.parent_project_ref !== parent.ref);
    ctx.state.branchingDisabled.add(parent.ref);
    return { status: 200 };
  },
  'GET /v1/projects/{ref}/branches/{name}': (ctx) => {
    const parent = parentProject(ctx);
    const found = ctx.state.branches.find((b) => b.parent_project_ref === parent.ref && b.name === ctx.params.name);
    if (!found) throw notFound(`Branch ${ctx.params.name} not found`);
    return { body: branchView(ctx, found, true) };
  },
  'GET /v1/branches/{branch_id_or_ref}': (ctx) => {
    const branch = branchByIdOrRef(ctx);
    const branchProject = project(ctx, branch.project_ref);
    const healthy = branchProject.progress.poll();
    const real = ctx.state.database?.({ name: branch.name, ref: branchProject.ref });
    return {
      body: {
        ref: branchProject.ref, postgres_version: '17.4.1.054', postgres_engine: '17', release_channel: 'ga',
        status: healthy ? 'ACTIVE_HEALTHY' : 'COMING_UP', db_host: real?.host ?? `db.${branchProject.ref}.supabase.co`, db_port: real?.port ?? 5432,
        // Credentials appear once the branch's database is up.
        ...(healthy ? { db_user: 'postgres', db_pass: real?.password ?? branchProject.db_pass, jwt_secret: branchProject.jwt_secret } : {}),
      },
    };
  },
  'PATCH /v1/branches/{branch_id_or_ref}': (ctx) => {
    const branch = branchByIdOrRef(ctx);
    const body = ctx.body as { branch_name?: string; git_branch?: string; persistent?: boolean };
    if (body.branch_name && body.branch_name !== branch.name
      && ctx.state.branches.some((b) => b.parent_project_ref === branch.parent_project_ref && b.name === body.branch_name)) {
      throw new HttpError(409, `A branch named ${body.branch_name} already exists`);
    }
    if (body.branch_name) branch.name = body.branch_name;
    if (body.git_branch !== undefined) branch.git_branch = body.git_branch;
    if (body.persistent !== undefined) branch.persistent = body.persistent;
    branch.updated_at = ctx.now();
    return { body: branchView(ctx, branch, false) };
  },
  'DELETE /v1/branches/{branch_id_or_ref}': (ctx) => {
    const branch = branchByIdOrRef(ctx);
    if (branch.is_default) throw new HttpError(400, 'Cannot delete the default branch: disable branching instead');
    ctx.state.branches = ctx.state.branches.filter((b) => b !== branch);
    ctx.state.projects.delete(branch.project_ref);
    return { body: { message: 'ok' } };
  },
  'POST /v1/branches/{branch_id_or_ref}/reset': (ctx) => {
    const branch = branchByIdOrRef(ctx);
    if (branch.is_default) throw new HttpError(400, 'Cannot reset the default branch');
    const branchProject = project(ctx, branch.project_ref);
    branchProject.progress = ctx.progress();
    branch.updated_at = ctx.now();
    return { status: 201, body: { workflow_run_id: uuid(ctx.nextId('workflow')), message: 'ok' } };
  },
};

function seeder(state: SupabaseState, ctx: SeedContext): SupabaseSeed {
  return {
    project(options = {}) {
      const progress = ctx.progress();
      progress.complete();
      const created = newProject(state, ctx, progress, {
        name: options.name ?? 'myapp', region: options.region ?? 'us-east-1', ...(options.ref ? { ref: options.ref } : {}),
      });
      state.branches.push(defaultBranch(created, ctx));
      return created;
    },
  };
}

/**
 * Supabase Management API (https://supabase.com/docs/reference/api/introduction). Base URL
 * https://api.supabase.com; Bearer personal access token.
 */
export const supabase: ProviderDefinition<SupabaseState, SupabaseSeed> = {
  name: 'supabase',
  title: 'Supabase Management API',
  spec: loadSpec('supabase.json'),
  basePath: '',
  urlVariable: 'FORK_STACK_SUPABASE_API_URL',
  credentials: { SUPABASE_ACCESS_TOKEN: 'sbp_fake0000000000000000000000000000000000' },
  credentialKey: (env) => env.SUPABASE_ACCESS_TOKEN ?? '',
  credentialOf: (headers) => bearerToken(headers),
  authError: (failure) => failure === 'read-only'
    ? { status: 403, body: { message: 'Your account does not have the necessary privileges to access this endpoint' } }
    : { status: 401, body: { message: failure === 'missing' ? 'No authorization token was found' : 'Unauthorized' } },
  error: (status, message) => ({ status, body: { message } }),
  forbidden: {
    'DELETE /v1/projects/{ref}/branches': 'disables preview branching for the whole project and deletes every branch; fork-stack must delete single branches with DELETE /v1/branches/{branch_id_or_ref}',
  },
  createState: () => ({ organization: 'fake-org', projects: new Map(), branches: [], branchingDisabled: new Set() }),
  // A branch is also a project of its own (the default branch's is the parent project itself).
  resource: (state, name) => some(state.branches.filter((b) => b.name === name)
    .map((branch) => ({ branch, project: state.projects.get(branch.project_ref), branchingDisabled: state.branchingDisabled.has(branch.project_ref) }))),
  seeder,
  seed(seed, scenario) {
    const projects = (scenario?.projects as { ref?: string; name?: string; region?: string }[] | undefined) ?? [{ ref: 'fakeprojectmyappaaaa', name: 'myapp' }];
    for (const p of projects) seed.project(p);
  },
  handlers,
};

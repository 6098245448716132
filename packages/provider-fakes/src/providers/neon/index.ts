import { bearerToken } from '../../core/auth.js';
import type { ProviderDefinition, SeedContext } from '../../core/provider.js';
import { loadSpec } from '../../core/spec-files.js';
import { branchHandlers } from './branches.js';
import {
  branchResource, createNeonState, type NeonBranch, type NeonDatabase, type NeonEndpoint, type NeonProject, type NeonRole, type NeonState,
} from './model.js';
import { resourceHandlers } from './resources.js';

export interface NeonProjectSeed {
  id?: string;
  name?: string;
  region_id?: string;
  /** Point-in-time window for parent_timestamp. Default 86 400 s (1 day). */
  history_retention_seconds?: number;
  /** Roles of the default branch. Default ['neondb_owner']. */
  roles?: string[];
  /** Databases of the default branch. Default [{ name: 'neondb', owner_name: <first role> }]. */
  databases?: { name: string; owner_name: string }[];
}

export interface SeededNeonProject {
  project: NeonProject;
  branch: NeonBranch;
  endpoint: NeonEndpoint;
  roles: NeonRole[];
  databases: NeonDatabase[];
}

export interface NeonSeed {
  /** A project with its default branch `main`, a read-write endpoint, roles and databases (all ready). */
  project(options?: NeonProjectSeed): SeededNeonProject;
  /** A ready child branch (with a read-write endpoint), as if created long ago. */
  branch(projectId: string, options: { name: string; parent_id?: string; annotation?: Record<string, string> }): NeonBranch;
  /**
   * Make the next operation `action` (only `create_branch` for now), on the branch named `branchName`
   * if given, end `failed` with `error`: the branch stays `init` for good, as a failed create leaves it.
   */
  failOperation(action: 'create_branch', error: string, branchName?: string): void;
}

function seeder(state: NeonState, ctx: SeedContext): NeonSeed {
  const ready = () => {
    const progress = ctx.progress();
    progress.complete();
    return progress;
  };
  const endpointFor = (project: NeonProject, branchId: string): NeonEndpoint => {
    const endpoint: NeonEndpoint = {
      id: `ep-seed-${ctx.nextId('seed-endpoint').toString().padStart(6, '0')}`, project_id: project.id, branch_id: branchId, type: 'read_write',
      region_id: project.region_id, min_cu: 0.25, max_cu: 2, suspend_timeout_seconds: 0, created_at: ctx.now(), updated_at: ctx.now(), progress: ready(),
    };
    state.endpoints.set(endpoint.id, endpoint);
    return endpoint;
  };
  return {
    project(options = {}) {
      const now = ctx.now();
      const n = ctx.nextId('seed-project');
      const project: NeonProject = {
        id: options.id ?? `fake-project-${n.toString().padStart(6, '0')}`, name: options.name ?? 'myapp', region_id: options.region_id ?? 'aws-us-east-2',
        pg_version: 17, history_retention_seconds: options.history_retention_seconds ?? 86_400, created_at: now, updated_at: now,
      };
      state.projects.set(project.id, project);
      const branch: NeonBranch = {
        id: `br-main-${n.toString().padStart(6, '0')}`, project_id: project.id, name: 'main', default: true, protected: false,
        created_at: now, updated_at: now, progress: ready(),
      };
      state.branches.set(branch.id, branch);
      const endpoint = endpointFor(project, branch.id);
      const roles = (options.roles ?? ['neondb_owner']).map((name, index): NeonRole => ({
        branch_id: branch.id, name, password: `npg_seed${n}x${index}`, protected: false, created_at: now, updated_at: now,
      }));
      state.roles.push(...roles);
      const databases = (options.databases ?? [{ name: 'neondb', owner_name: roles[0]?.name ?? 'neondb_owner' }]).map((db): NeonDatabase => ({
        id: ctx.nextId('database'), branch_id: branch.id, name: db.name, owner_name: db.owner_name, created_at: now, updated_at: now,
      }));
      state.databases.push(...databases);
      return { project, branch, endpoint, roles, databases };
    },
    branch(projectId, options) {
      const project = state.projects.get(projectId);
      if (!project) throw new Error(`seed: no Neon project ${projectId}`);
      const parent = options.parent_id
        ? state.branches.get(options.parent_id)
        : [...state.branches.values()].find((b) => b.project_id === projectId && b.default);
      if (!parent) throw new Error(`seed: no parent branch in ${projectId}`);
      const now = ctx.now();
      const branch: NeonBranch = {
        id: `br-seed-${ctx.nextId('seed-branch').toString().padStart(6, '0')}`, project_id: projectId, name: options.name,
        parent_id: parent.id, default: false, protected: false, created_at: now, updated_at: now, progress: ready(),
        ...(options.annotation ? { annotation: { ...options.annotation } } : {}),
      };
      state.branches.set(branch.id, branch);
      endpointFor(project, branch.id);
      for (const role of state.roles.filter((r) => r.branch_id === parent.id)) state.roles.push({ ...role, branch_id: branch.id });
      for (const db of state.databases.filter((d) => d.branch_id === parent.id)) state.databases.push({ ...db, id: ctx.nextId('database'), branch_id: branch.id });
      return branch;
    },
    failOperation(action, error, branchName) {
      state.operationFaults.push({ action, error, ...(branchName ? { branchName } : {}) });
    },
  };
}

/**
 * Neon API v2 (https://api-docs.neon.tech/reference/getting-started-with-neon-api). Base URL
 * https://console.neon.tech/api/v2; Bearer API key.
 */
export const neon: ProviderDefinition<NeonState, NeonSeed> = {
  name: 'neon',
  title: 'Neon API v2',
  spec: loadSpec('neon.json'),
  basePath: '/api/v2',
  urlVariable: 'FORK_STACK_NEON_API_URL',
  credentials: { NEON_API_KEY: 'neon-fake-api-key' },
  credentialKey: (env) => env.NEON_API_KEY ?? '',
  credentialOf: (headers) => bearerToken(headers),
  authError: (failure) => failure === 'read-only'
    ? { status: 403, body: { code: '', message: 'the API key does not have permission to perform this action' } }
    : { status: 401, body: { code: '', message: failure === 'missing' ? 'authentication required' : 'authentication failed: invalid API key' } },
  error: (status, message, code) => ({ status, body: { code: code ?? '', message } }),
  createState: createNeonState,
  resource: branchResource,
  seeder,
  seed(seed, scenario) {
    const projects = (scenario?.projects as NeonProjectSeed[] | undefined) ?? [{ id: 'fake-project-myapp', name: 'myapp' }];
    for (const project of projects) seed.project(project);
  },
  handlers: { ...branchHandlers, ...resourceHandlers },
};

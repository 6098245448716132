import type { Progress } from '../../core/progress.js';

export interface NeonProject {
  id: string;
  name: string;
  region_id: string;
  pg_version: number;
  history_retention_seconds: number;
  created_at: string;
  updated_at: string;
}

export interface NeonBranch {
  id: string;
  project_id: string;
  name: string;
  parent_id?: string;
  parent_lsn?: string;
  parent_timestamp?: string;
  default: boolean;
  protected: boolean;
  expires_at?: string;
  last_reset_at?: string;
  /** `annotation_value` given at creation (Neon keeps it as the branch's console annotation). */
  annotation?: Record<string, string>;
  created_at: string;
  updated_at: string;
  /** Creation work; the branch is `init` until it is done. */
  progress: Progress;
  /** Its create operation failed: the branch stays `init` for good (it can still be deleted). */
  failed?: boolean;
}

export interface NeonEndpoint {
  id: string;
  project_id: string;
  branch_id: string;
  type: 'read_write' | 'read_only';
  region_id: string;
  min_cu: number;
  max_cu: number;
  suspend_timeout_seconds: number;
  created_at: string;
  updated_at: string;
  progress: Progress;
}

export interface NeonRole {
  branch_id: string;
  name: string;
  password: string;
  protected: boolean;
  created_at: string;
  updated_at: string;
}

export interface NeonDatabase {
  id: number;
  branch_id: string;
  name: string;
  owner_name: string;
  created_at: string;
  updated_at: string;
}

export interface NeonOperation {
  id: string;
  project_id: string;
  branch_id: string;
  endpoint_id?: string;
  action: string;
  progress: Progress;
  created_at: string;
  /** How the operation ended when it did not finish: reported once its progress is done. */
  failure?: { status: 'failed' | 'error' | 'cancelled'; error?: string };
}

export interface NeonState {
  projects: Map<string, NeonProject>;
  branches: Map<string, NeonBranch>;
  endpoints: Map<string, NeonEndpoint>;
  roles: NeonRole[];
  databases: NeonDatabase[];
  operations: Map<string, NeonOperation>;
  /** Operations to fail, as Neon sometimes does (NeonSeed.failOperation): consumed by the next match. */
  operationFaults: { action: string; branchName?: string; error: string }[];
  user: { id: string; email: string; name: string };
  /**
   * Where a branch's compute answers, for tests that connect to it (e.g. a real local PostgreSQL per
   * branch): a connection URI to hand out instead of the documented `…neon.tech` one. Not part of Neon.
   */
  computeUrl?: (branch: { id: string; name: string }, role: string, database: string, pooled: boolean) => string | undefined;
}

export function createNeonState(): NeonState {
  return {
    projects: new Map(),
    branches: new Map(),
    endpoints: new Map(),
    roles: [],
    databases: [],
    operations: new Map(),
    operationFaults: [],
    user: { id: 'user-fake-1', email: 'dev@example.com', name: 'Fake Developer' },
  };
}

/** `aws-us-east-2` → the host suffix Neon uses for computes in that region. */
export function endpointHost(endpoint: Pick<NeonEndpoint, 'id' | 'region_id'>, pooled = false): string {
  const [cloud = 'aws', ...region] = endpoint.region_id.split('-');
  return `${endpoint.id}${pooled ? '-pooler' : ''}.${region.join('-')}.${cloud}.neon.tech`;
}

export function branchView(state: NeonState, branch: NeonBranch, observe: boolean) {
  const ready = (observe ? branch.progress.poll() : branch.progress.done) && !branch.failed;
  return {
    id: branch.id,
    project_id: branch.project_id,
    ...(branch.parent_id ? { parent_id: branch.parent_id } : {}),
    ...(branch.parent_lsn ? { parent_lsn: branch.parent_lsn } : {}),
    ...(branch.parent_timestamp ? { parent_timestamp: branch.parent_timestamp } : {}),
    name: branch.name,
    current_state: ready ? 'ready' : 'init',
    ...(ready ? {} : { pending_state: 'ready' }),
    state_changed_at: branch.updated_at,
    logical_size: 30_000_000,
    creation_source: 'console',
    primary: branch.default,
    default: branch.default,
    protected: branch.protected,
    cpu_used_sec: 0,
    compute_time_seconds: 0,
    active_time_seconds: 0,
    written_data_bytes: 0,
    data_transfer_bytes: 0,
    created_at: branch.created_at,
    updated_at: branch.updated_at,
    ...(branch.expires_at ? { expires_at: branch.expires_at } : {}),
    ...(branch.last_reset_at ? { last_reset_at: branch.last_reset_at } : {}),
    init_source: 'parent-data',
  };
}

export function endpointView(endpoint: NeonEndpoint) {
  const active = endpoint.progress.done;
  return {
    host: endpointHost(endpoint),
    id: endpoint.id,
    project_id: endpoint.project_id,
    branch_id: endpoint.branch_id,
    autoscaling_limit_min_cu: endpoint.min_cu,
    autoscaling_limit_max_cu: endpoint.max_cu,
    region_id: endpoint.region_id,
    type: endpoint.type,
    current_state: active ? 'active' : 'init',
    ...(active ? {} : { pending_state: 'active' }),
    settings: {},
    pooler_enabled: false,
    pooler_mode: 'transaction',
    disabled: false,
    passwordless_access: true,
    creation_source: 'console',
    created_at: endpoint.created_at,
    updated_at: endpoint.updated_at,
    proxy_host: `${endpoint.region_id.split('-').slice(1).join('-')}.${endpoint.region_id.split('-')[0]}.neon.tech`,
    suspend_timeout_seconds: endpoint.suspend_timeout_seconds,
    provisioner: 'k8s-neonvm',
  };
}

export function operationView(operation: NeonOperation, observe: boolean) {
  const done = observe ? operation.progress.poll() : operation.progress.done;
  return {
    id: operation.id,
    project_id: operation.project_id,
    branch_id: operation.branch_id,
    ...(operation.endpoint_id ? { endpoint_id: operation.endpoint_id } : {}),
    action: operation.action,
    status: done ? operation.failure?.status ?? 'finished' : 'running',
    ...(done && operation.failure?.error ? { error: operation.failure.error } : {}),
    failures_count: done && operation.failure ? 1 : 0,
    created_at: operation.created_at,
    updated_at: operation.created_at,
    total_duration_ms: done ? 1200 : 0,
  };
}

export const roleView = (role: NeonRole, withPassword = false) => ({
  branch_id: role.branch_id,
  name: role.name,
  ...(withPassword ? { password: role.password } : {}),
  protected: role.protected,
  created_at: role.created_at,
  updated_at: role.updated_at,
});

export const databaseView = (database: NeonDatabase) => ({ ...database });

export function projectView(project: NeonProject) {
  return {
    id: project.id,
    platform_id: 'aws',
    region_id: project.region_id,
    name: project.name,
    provisioner: 'k8s-neonvm',
    pg_version: project.pg_version,
    proxy_host: `${project.region_id.split('-').slice(1).join('-')}.aws.neon.tech`,
    branch_logical_size_limit: 3072,
    branch_logical_size_limit_bytes: 3221225472,
    store_passwords: true,
    active_time: 0,
    cpu_used_sec: 0,
    creation_source: 'console',
    history_retention_seconds: project.history_retention_seconds,
    created_at: project.created_at,
    updated_at: project.updated_at,
    owner_id: 'user-fake-1',
  };
}

export function connectionUri(role: NeonRole, database: NeonDatabase, endpoint: NeonEndpoint, pooled: boolean, state?: NeonState, branch?: { id: string; name: string }): string {
  const override = branch && state?.computeUrl?.(branch, role.name, database.name, pooled);
  if (override) return override;
  return `postgresql://${encodeURIComponent(role.name)}:${encodeURIComponent(role.password)}@${endpointHost(endpoint, pooled)}/${encodeURIComponent(database.name)}?sslmode=require`;
}

/**
 * The branches named `name`, each with its roles (and their passwords), databases and computes: what
 * FakeServer.fingerprint hashes. Revealing a password reads it; resetting one changes the branch.
 */
export function branchResource(state: NeonState, name: string) {
  const branches = [...state.branches.values()].filter((b) => b.name === name);
  if (branches.length === 0) return undefined;
  return branches.map((branch) => ({
    branch,
    roles: state.roles.filter((r) => r.branch_id === branch.id),
    databases: state.databases.filter((d) => d.branch_id === branch.id),
    endpoints: [...state.endpoints.values()].filter((e) => e.branch_id === branch.id),
  }));
}

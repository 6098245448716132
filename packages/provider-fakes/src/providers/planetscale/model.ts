import type { Progress } from '../../core/progress.js';

export type PlanetScaleKind = 'mysql' | 'postgresql';

export interface PlanetScaleDatabase {
  id: string;
  name: string;
  kind: PlanetScaleKind;
  region: string;
  default_branch: string;
  deletion_protected: boolean;
  created_at: string;
  progress: Progress;
}

export interface PlanetScaleBranch {
  id: string;
  database: string;
  name: string;
  parent_branch: string | null;
  production: boolean;
  deletion_protected: boolean;
  seed_data?: string;
  restore_point?: string;
  created_at: string;
  updated_at: string;
  progress: Progress;
}

export interface PlanetScalePassword {
  id: string;
  database: string;
  branch: string;
  name: string;
  role: 'reader' | 'writer' | 'admin' | 'readwriter';
  username: string;
  plain_text: string;
  ttl_seconds: number | null;
  created_at: string;
}

export interface PlanetScaleRole {
  id: string;
  database: string;
  branch: string;
  name: string;
  username: string;
  password: string;
  inherited_roles: string[];
  ttl: number;
  created_at: string;
}

export interface PlanetScaleState {
  organization: string;
  databases: Map<string, PlanetScaleDatabase>;
  branches: PlanetScaleBranch[];
  passwords: PlanetScalePassword[];
  roles: PlanetScaleRole[];
}

const ACTOR = { id: 'fake-actor', display_name: 'Fake Service Token', avatar_url: '' };

const regionView = (slug: string) => ({
  id: `region-${slug}`, provider: 'AWS', enabled: true, public_ip_addresses: [], display_name: slug, location: slug, slug,
  current_default: true, mysql_supported: true, postgresql_supported: true,
});

export const mysqlHost = (region: string) => `${region}.connect.psdb.cloud`;
export const postgresHost = (region: string) => `${region}.pg.psdb.cloud`;

export function databaseView(state: PlanetScaleState, db: PlanetScaleDatabase, baseUrl: string, observe: boolean) {
  const ready = observe ? db.progress.poll() : db.progress.done;
  const branches = state.branches.filter((b) => b.database === db.name);
  return {
    id: db.id, url: `${baseUrl}/organizations/${state.organization}/databases/${db.name}`,
    branches_url: `${baseUrl}/organizations/${state.organization}/databases/${db.name}/branches`,
    branches_count: branches.length, open_schema_recommendations_count: 0,
    development_branches_count: branches.filter((b) => !b.production).length, production_branches_count: branches.filter((b) => b.production).length,
    issues_count: 0, multiple_admins_required_for_deletion: false, ready, at_backup_restore_branches_limit: false,
    at_development_branch_usage_limit: false, region: regionView(db.region), html_url: `https://app.planetscale.com/${state.organization}/${db.name}`,
    name: db.name, state: ready ? 'ready' : 'pending', sharded: false, default_branch_shard_count: 1, default_branch_read_only_regions_count: 0,
    default_branch_table_count: 0, default_branch: db.default_branch, require_approval_for_deploy: false, deletion_protected: db.deletion_protected,
    resizing: false, resize_queued: false, config_changing: false, config_change_queued: false, allow_data_branching: true, foreign_keys_enabled: true,
    automatic_migrations: false, restrict_branch_region: false, insights_raw_queries: false, plan: 'scaler_pro', insights_enabled: true,
    production_branch_web_console: false, created_at: db.created_at, updated_at: db.created_at, schema_last_updated_at: null, kind: db.kind,
  };
}

export function branchView(state: PlanetScaleState, db: PlanetScaleDatabase, branch: PlanetScaleBranch, baseUrl: string, observe: boolean) {
  const ready = observe ? branch.progress.poll() : branch.progress.done;
  const parent = state.branches.find((b) => b.database === db.name && b.name === branch.parent_branch) ?? branch;
  return {
    id: branch.id, name: branch.name, created_at: branch.created_at, updated_at: branch.updated_at, deleted_at: null,
    restore_checklist_completed_at: null, schema_last_updated_at: null, kind: db.kind,
    mysql_address: db.kind === 'mysql' ? mysqlHost(db.region) : '', mysql_edge_address: db.kind === 'mysql' ? mysqlHost(db.region) : '',
    state: ready ? 'ready' : 'pending', direct_vtgate: false, vtgate_size: 'small', vtgate_name: null, vtgate_count: 1, vtgate_autoscaling: false,
    vtgate_max_count: null, vtgate_target_cpu_utilization: null, cluster_name: 'PS_10', cluster_iops: null, ready, schema_ready: ready,
    metal: false, production: branch.production, safe_migrations: false, deletion_protected: branch.deletion_protected, sharded: false,
    shard_count: 1, keyspace_count: 1, stale_schema: false, actor: ACTOR,
    // Required by the spec even for branches not restored from a backup; the fake names the branch it came from.
    restored_from_branch: { id: parent.id, name: parent.name, created_at: parent.created_at, updated_at: parent.updated_at, deleted_at: null },
    private_edge_connectivity: false, has_replicas: false, has_read_only_replicas: false,
    html_url: `https://app.planetscale.com/${state.organization}/${db.name}/${branch.name}`,
    url: `${baseUrl}/organizations/${state.organization}/databases/${db.name}/branches/${branch.name}`,
    region: regionView(db.region), parent_branch: branch.parent_branch, vtgate_options: {},
  };
}

export function passwordView(db: PlanetScaleDatabase, branch: PlanetScaleBranch, password: PlanetScalePassword, withSecret: boolean) {
  return {
    id: password.id, name: password.name, role: password.role, cidrs: [], created_at: password.created_at, deleted_at: null,
    expires_at: password.ttl_seconds ? new Date(Date.parse(password.created_at) + password.ttl_seconds * 1000).toISOString() : null,
    last_used_at: null, expired: false, direct_vtgate: false, direct_vtgate_addresses: [], ttl_seconds: password.ttl_seconds,
    access_host_url: mysqlHost(db.region), access_host_regional_url: mysqlHost(db.region), access_host_regional_urls: [mysqlHost(db.region)],
    actor: ACTOR, region: regionView(db.region), username: password.username,
    // Documented: the plain-text password is only ever returned by the create call.
    plain_text: withSecret ? password.plain_text : null,
    replica: false, renewable: false,
    database_branch: { name: branch.name, id: branch.id, production: branch.production, mysql_edge_address: mysqlHost(db.region), private_edge_connectivity: false },
  };
}

export function roleView(db: PlanetScaleDatabase, branch: PlanetScaleBranch, role: PlanetScaleRole, withSecret: boolean) {
  return {
    id: role.id, name: role.name, access_host_url: postgresHost(db.region), private_access_host_url: `private.${postgresHost(db.region)}`,
    private_connection_service_name: '', username: role.username, base_username: role.name, password: withSecret ? role.password : '',
    database_name: 'postgres', created_at: role.created_at, updated_at: role.created_at, deleted_at: null, expires_at: null, dropped_at: null,
    disabled_at: null, drop_failed: '', ready: true, expired: false, default: false, ttl: role.ttl, inherited_roles: role.inherited_roles,
    with_replication: false,
    branch: { id: branch.id, name: branch.name, created_at: branch.created_at, updated_at: branch.updated_at, deleted_at: null },
    actor: ACTOR, query_safety_settings: { require_where_on_delete: 'off', require_where_on_update: 'off' },
  };
}

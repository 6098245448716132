/**
 * A branch's connection URI. The create response carries `connection_uris` when the parent has exactly
 * one role and one database; they are kept in memory for this process only (they hold a password) so
 * that the `create` that just made the branch needs no extra call. Otherwise the URI comes from
 * GET /connection_uri with the role and database from the config, or the branch's only ones.
 */
import type { Branch, ConnectionDetails } from '@neondatabase/api-client';
import { OperationError, UsageError } from '../../../core/errors.js';
import { registerSecret } from '../../../core/scrub.js';
import type { ProviderContext } from '../../types.js';
import type { NeonOptions } from '../neon.schema.js';
import type { NeonClient } from './api.js';

const fromCreate = new Map<string, ConnectionDetails[]>();

const key = (api: NeonClient, branchId: string) => `${api.baseUrl}/projects/${api.projectId}/branches/${branchId}`;

export function rememberConnectionUris(api: NeonClient, branchId: string, uris: ConnectionDetails[] | undefined): void {
  if (!uris || uris.length === 0) return;
  for (const u of uris) registerSecret(u.connection_parameters.password);
  fromCreate.set(key(api, branchId), uris);
}

function pooledUri(details: ConnectionDetails): string {
  const { host, pooler_host: pooler } = details.connection_parameters;
  // Same URI with the pooler host, which is how Neon spells a pooled connection string.
  return details.connection_uri.replace(`@${host}`, `@${pooler}`);
}

function pickRemembered(ctx: ProviderContext<NeonOptions>, api: NeonClient, branchId: string): string | undefined {
  const uris = fromCreate.get(key(api, branchId));
  const match = uris?.find(
    (u) =>
      (ctx.options.role === undefined || u.connection_parameters.role === ctx.options.role) &&
      (ctx.options.database === undefined || u.connection_parameters.database === ctx.options.database),
  );
  if (!match) return undefined;
  return ctx.options.pooled ? pooledUri(match) : match.connection_uri;
}

async function onlyRole(ctx: ProviderContext<NeonOptions>, api: NeonClient, branch: Branch): Promise<string> {
  if (ctx.options.role) return ctx.options.role;
  const { data } = await api.call(`list roles of branch "${branch.name}"`, (p) => api.sdk.listProjectBranchRoles(api.projectId, branch.id, p));
  const roles = (data?.roles ?? []).filter((r) => !r.protected).map((r) => r.name);
  if (roles.length === 1) return roles[0] as string;
  throw new UsageError(
    roles.length === 0
      ? `neon: branch "${branch.name}" has no role to connect with`
      : `neon: branch "${branch.name}" has several roles (${roles.join(', ')}); fork-stack cannot guess which one DATABASE_URL should use`,
    { hint: roles.length === 0 ? 'Create a role in the Neon Console.' : `Set role = "${roles[0]}" (or another) in [${ctx.slot}].` },
  );
}

async function onlyDatabase(ctx: ProviderContext<NeonOptions>, api: NeonClient, branch: Branch): Promise<string> {
  if (ctx.options.database) return ctx.options.database;
  const { data } = await api.call(`list databases of branch "${branch.name}"`, (p) => api.sdk.listProjectBranchDatabases(api.projectId, branch.id, p));
  const names = (data?.databases ?? []).map((d) => d.name);
  if (names.length === 1) return names[0] as string;
  throw new UsageError(
    names.length === 0
      ? `neon: branch "${branch.name}" has no database`
      : `neon: branch "${branch.name}" has several databases (${names.join(', ')}); fork-stack cannot guess which one DATABASE_URL should use`,
    { hint: names.length === 0 ? 'Create a database in the Neon Console.' : `Set database = "${names[0]}" (or another) in [${ctx.slot}].` },
  );
}

export async function connectionUri(ctx: ProviderContext<NeonOptions>, api: NeonClient, branch: Branch): Promise<string> {
  const remembered = pickRemembered(ctx, api, branch.id);
  if (remembered) return remembered;
  const [role, database] = await Promise.all([onlyRole(ctx, api, branch), onlyDatabase(ctx, api, branch)]);
  const { data } = await api.call(`get the connection URI of branch "${branch.name}"`, (p) =>
    api.sdk.getConnectionUri({ projectId: api.projectId, branch_id: branch.id, role_name: role, database_name: database, pooled: ctx.options.pooled }, p),
  );
  const uri = data?.uri;
  if (!uri) throw new OperationError(`neon: no connection URI returned for branch "${branch.name}"`);
  return uri;
}

/**
 * Throws (UsageError, with the setting to add as hint) when DATABASE_URL of a branch forked from
 * `parent` could not choose a role or database: a fork inherits its parent's, so asking the parent
 * before creating anything keeps a create from making a branch it cannot hand to the app.
 */
export async function checkConnectionChoice(ctx: ProviderContext<NeonOptions>, api: NeonClient, parent: Branch): Promise<void> {
  await Promise.all([onlyRole(ctx, api, parent), onlyDatabase(ctx, api, parent)]);
}

/**
 * HashiCorp Vault, KV secrets engine version 2: one entry per environment at `<mount>/<path>` (default
 * `secret/{project}/{env}`), its data a map of key/value pairs.
 *
 * A fork writes the child's metadata first — custom_metadata `fork-stack:project`/`fork-stack:env`/
 * `fork-stack:parent`, the ownership marker — and then the parent's latest values as version 1 with
 * cas=0, so a create that stopped in between is recognised as ours and finished on the next run, and a
 * path someone else wrote meanwhile is never overwritten. Writes (`secrets set/unset`) read the latest
 * version and write the merged map with cas=<that version>, retrying on a concurrent write instead of
 * losing it. Delete removes the metadata and every version.
 */
import { OperationError } from '../../core/errors.js';
import { envFromName, envNameProblem, resourceNameFor } from '../../core/names.js';
import pLimit from 'p-limit';
import type { Check, ProviderContext, Resource, SecretsProvider } from '../types.js';
import { VaultApi, isStatus, type KvMetadata } from './vault-api.js';
import type { VaultOptions } from './vault.schema.js';
import { applyPolicy, registered, valuesFromJson, variablesOnly, withChanges } from './values.js';

type Ctx = ProviderContext<VaultOptions>;

export const META_PROJECT = 'fork-stack:project';
export const META_ENV = 'fork-stack:env';
export const META_PARENT = 'fork-stack:parent';
const CAS_ATTEMPTS = 5;

const entryPath = (ctx: Ctx, env: string) => resourceNameFor(ctx.options.path, { project: ctx.project }, env, ctx.options.names);
const fullName = (ctx: Ctx, env: string) => `${ctx.options.mount}/${entryPath(ctx, env)}`;

function isOurs(ctx: Ctx, env: string, meta: KvMetadata): boolean {
  return meta.custom_metadata?.[META_PROJECT] === ctx.project && meta.custom_metadata?.[META_ENV] === env;
}

/** The fork-stack marker an entry carries, whether or not it is ours. */
function markerOf(meta: KvMetadata): { project: string; env: string } | undefined {
  const project = meta.custom_metadata?.[META_PROJECT];
  const env = meta.custom_metadata?.[META_ENV];
  return project && env ? { project, env } : undefined;
}

function toResource(ctx: Ctx, env: string, meta: KvMetadata): Resource {
  const owned = isOurs(ctx, env, meta);
  const marker = markerOf(meta);
  return {
    env,
    name: fullName(ctx, env),
    parent: owned ? meta.custom_metadata?.[META_PARENT] || undefined : undefined,
    createdAt: meta.created_time,
    state: meta.current_version > 0 ? 'ready' : 'creating',
    owned,
    ...(!owned && marker ? { markedFor: marker } : {}),
    details: { version: meta.current_version },
  };
}

function whose(ctx: Ctx, meta: KvMetadata): string {
  const marker = markerOf(meta);
  return marker ? `it is marked for fork-stack project "${marker.project}", environment "${marker.env}"` : `it has no ${META_PROJECT}/${META_ENV} custom metadata of project "${ctx.project}"`;
}

async function readValues(api: VaultApi, ctx: Ctx, env: string): Promise<{ values: Record<string, string>; version: number }> {
  const read = await api.readData(entryPath(ctx, env));
  if (!read) {
    throw new OperationError(`environment "${env}" has no Vault entry ${fullName(ctx, env)} (or its latest version is deleted)`, {
      hint: `Create it, or name the existing one with names = { ${env} = "…" } in [secrets].`,
    });
  }
  return { values: valuesFromJson(read.data, `Vault entry ${fullName(ctx, env)}`), version: read.metadata.version };
}

function authHint(error: unknown): never {
  if (isStatus(error, 403)) {
    throw new OperationError(`${(error as Error).message}`, {
      hint: 'Vault answers 403 both for a token that is invalid or expired and for one whose policies do not cover this path; "fork-stack doctor" tells them apart.',
    });
  }
  throw error;
}

export const provider = {
  kind: 'secrets',
  name: 'vault',
  publicVariables: [],

  resourceName: fullName,

  checkName(ctx, env) {
    const problem = envNameProblem(env);
    return problem ? `invalid environment name: ${problem}` : undefined;
  },

  async find(ctx, env) {
    const meta = await new VaultApi(ctx).readMetadata(entryPath(ctx, env)).catch(authHint);
    if (!meta) return undefined;
    // Anyone else's entry is reported, even one with metadata only, so that the engine refuses it.
    if (!isOurs(ctx, env, meta)) return toResource(ctx, env, meta);
    // Our own with no version yet is a fork that stopped half-way: not an environment (create finishes it).
    return meta.current_version > 0 ? toResource(ctx, env, meta) : undefined;
  },

  async fork(ctx, { env, parent, keep }) {
    const api = new VaultApi(ctx);
    const path = entryPath(ctx, env);
    const { values } = await readValues(api, ctx, parent).catch(authHint);
    const { kept, dropped } = applyPolicy(values, keep);
    const details = { keys: Object.keys(kept).length, excluded: dropped.length };
    let meta = await api.readMetadata(path);
    if (meta && !isOurs(ctx, env, meta)) {
      throw new OperationError(`Vault entry ${fullName(ctx, env)} already exists and was not made by fork-stack for "${env}" (${whose(ctx, meta)}); it was left untouched`, {
        hint: `Use another environment name, map "${env}" elsewhere with names = { ${env} = "…" }, or add custom_metadata ${META_PROJECT}=${ctx.project} ${META_ENV}=${env} to adopt it.`,
      });
    }
    if (!meta) {
      await api.writeMetadata(path, { [META_PROJECT]: ctx.project, [META_ENV]: env, [META_PARENT]: parent });
      meta = { current_version: 0 };
    }
    // cas=0: only the first version. A retry of a write that went through finds version 1 and stops.
    if (meta.current_version === 0 && !(await api.writeData(path, kept, 0))) {
      meta = await api.readMetadata(path);
      if (!meta || meta.current_version === 0) throw new OperationError(`Vault refused the first version of ${fullName(ctx, env)}`, { hint: 'Run the command again.' });
    }
    const resource = toResource(ctx, env, (await api.readMetadata(path)) ?? meta);
    return { ...resource, parent, details: { ...resource.details, ...details } };
  },

  async remove(ctx, { env }) {
    const api = new VaultApi(ctx);
    const path = entryPath(ctx, env);
    const meta = await api.readMetadata(path).catch(authHint);
    if (!meta) return;
    if (!isOurs(ctx, env, meta)) {
      throw new OperationError(`Vault entry ${fullName(ctx, env)} was not made by fork-stack for "${env}" (${whose(ctx, meta)}); it was not deleted`, {
        hint: 'Delete it yourself if it really belongs to this environment, or set keep_on_delete = true in [secrets].',
      });
    }
    await api.deleteAll(path);
  },

  async list(ctx) {
    const api = new VaultApi(ctx);
    const segments = ctx.options.path.split('/');
    const dirPattern = segments.slice(0, -1).join('/');
    const dir = dirPattern ? `${dirPattern.replace(/\{project\}/g, ctx.project)}/` : '';
    const keys = await api.list(dir).catch(authHint);
    const found = new Map<string, string>();
    for (const key of keys) {
      if (key.endsWith('/')) continue;
      const env = envFromName(ctx.options.path, { project: ctx.project }, `${dir}${key}`, ctx.options.names);
      if (env) found.set(env, `${dir}${key}`);
    }
    for (const [env, path] of Object.entries(ctx.options.names)) if (!found.has(env)) found.set(env, path);
    const run = pLimit(8);
    const resources = await Promise.all(
      [...found].map(([env, path]) => run(async () => {
        const meta = await api.readMetadata(path);
        return meta && meta.current_version > 0 ? toResource(ctx, env, meta) : undefined;
      })),
    );
    return resources.filter((r): r is Resource => r !== undefined);
  },

  async variables(ctx, env) {
    const { values } = await readValues(new VaultApi(ctx), ctx, env).catch(authHint);
    return variablesOnly(ctx, env, `Vault entry ${fullName(ctx, env)}`, values);
  },

  async read(ctx, env) {
    return (await readValues(new VaultApi(ctx), ctx, env).catch(authHint)).values;
  },

  async write(ctx, env, changes) {
    registered(changes.set ?? {});
    const api = new VaultApi(ctx);
    for (let attempt = 1; attempt <= CAS_ATTEMPTS; attempt++) {
      const { values, version } = await readValues(api, ctx, env).catch(authHint);
      if (await api.writeData(entryPath(ctx, env), withChanges(values, changes), version)) return;
    }
    throw new OperationError(`Vault entry ${fullName(ctx, env)} kept changing while fork-stack wrote it (${CAS_ATTEMPTS} check-and-set conflicts)`, {
      hint: 'Someone else is writing it right now; run the command again.',
    });
  },

  async check(ctx): Promise<Check[]> {
    let api: VaultApi;
    try {
      api = new VaultApi(ctx);
    } catch (error) {
      const e = error as OperationError;
      return [{ name: 'credentials', status: 'fail', message: e.message, fix: e.hint }];
    }
    const checks: Check[] = [];
    try {
      const token = await api.lookupSelf();
      const expiring = typeof token.ttl === 'number' && token.ttl > 0 && token.ttl < 3600;
      checks.push({
        name: 'credentials',
        status: expiring ? 'warn' : 'ok',
        message: `VAULT_TOKEN accepted by ${api.address}${token.display_name ? ` (${token.display_name})` : ''}${expiring ? `; it expires in ${Math.round((token.ttl ?? 0) / 60)} min` : ''}`,
        fix: expiring ? 'Renew it (vault token renew) or log in again before long operations.' : undefined,
      });
    } catch (error) {
      if (isStatus(error, 401, 403)) {
        return [{ name: 'credentials', status: 'fail', message: `Vault rejected VAULT_TOKEN (HTTP ${error.status}): it is invalid, expired or revoked`, fix: 'Log in again (vault login) and export VAULT_TOKEN; check VAULT_NAMESPACE on Vault Enterprise/HCP.' }];
      }
      return [{ name: 'reachability', status: 'fail', message: (error as Error).message, fix: 'Check VAULT_ADDR and the network.' }];
    }
    const dirPattern = ctx.options.path.split('/').slice(0, -1).join('/');
    const dir = dirPattern ? `${dirPattern.replace(/\{project\}/g, ctx.project)}/` : '';
    try {
      await api.list(dir);
      checks.push({ name: 'permissions', status: 'ok', message: `the token can list ${ctx.options.mount}/metadata/${dir}` });
    } catch (error) {
      checks.push(
        isStatus(error, 403)
          ? { name: 'permissions', status: 'fail', message: `the token is valid but may not list ${ctx.options.mount}/metadata/${dir} (403)`, fix: `Grant its policy "list", "read", "create", "update" and "delete" on ${ctx.options.mount}/data/${dir}* and ${ctx.options.mount}/metadata/${dir}* (see docs/backends/secrets.md).` }
          : { name: 'permissions', status: 'fail', message: (error as Error).message, fix: (error as OperationError).hint ?? `Is a KV version 2 engine mounted at "${ctx.options.mount}"?` },
      );
    }
    return checks;
  },
} satisfies SecretsProvider<VaultOptions>;

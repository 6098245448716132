import type { IncomingHttpHeaders } from 'node:http';
import { bearerToken, header } from '../../core/auth.js';
import { HttpError } from '../../core/http-error.js';
import type { Handler, HandlerContext, ProviderDefinition, SeedContext } from '../../core/provider.js';
import { vaultSpec } from './spec.js';
import { some } from '../../core/fingerprint.js';

export interface VaultVersion {
  data: Record<string, unknown>;
  created_time: string;
  deletion_time: string;
  destroyed: boolean;
}

export interface VaultSecret {
  versions: Map<number, VaultVersion>;
  current_version: number;
  created_time: string;
  updated_time: string;
  max_versions: number;
  cas_required: boolean;
  custom_metadata: Record<string, string> | null;
}

export interface VaultMount {
  cas_required: boolean;
  max_versions: number;
  /** Secrets by path (no leading or trailing slash). */
  secrets: Map<string, VaultSecret>;
}

export interface VaultState {
  /** Mounts by `<namespace>/<mount>`; the root namespace is ''. */
  mounts: Map<string, VaultMount>;
}

export interface VaultSeed {
  /** A KV v2 mount (default `secret` in the root namespace). */
  mount(name: string, options?: { namespace?: string; cas_required?: boolean; max_versions?: number }): VaultMount;
  /** Write a version of a secret, as `vault kv put` would. */
  secret(path: string, data: Record<string, unknown>, options?: { mount?: string; namespace?: string }): VaultSecret;
}

type Ctx = HandlerContext<VaultState>;
const empty = () => new HttpError(404, '', { body: { errors: [] } });

function mount(ctx: Ctx): VaultMount {
  const namespace = (header(ctx.headers, 'x-vault-namespace') ?? '').replace(/^\/+|\/+$/g, '');
  const found = ctx.state.mounts.get(`${namespace}/${ctx.params.mount}`);
  if (!found) {
    const route = ctx.path.replace(/^\/v1\//, '');
    throw new HttpError(404, '', { body: { errors: [`no handler for route "${namespace ? `${namespace}/` : ''}${route}". route entry not found.`] } });
  }
  return found;
}

const keyOf = (ctx: Ctx) => (ctx.params.path ?? '').replace(/^\/+|\/+$/g, '');

function envelope(data: unknown) {
  return { request_id: '00000000-0000-4000-8000-000000000000', lease_id: '', renewable: false, lease_duration: 0, data, wrap_info: null, warnings: null, auth: null, mount_type: 'kv' };
}

const versionView = (secret: VaultSecret, number: number, version: VaultVersion) => ({
  created_time: version.created_time, custom_metadata: secret.custom_metadata, deletion_time: version.deletion_time, destroyed: version.destroyed, version: number,
});

function metadataView(secret: VaultSecret) {
  const numbers = [...secret.versions.keys()];
  return {
    cas_required: secret.cas_required, created_time: secret.created_time, current_version: secret.current_version, delete_version_after: '0s',
    max_versions: secret.max_versions, oldest_version: numbers.length > 0 ? Math.min(...numbers) : 0, updated_time: secret.updated_time,
    custom_metadata: secret.custom_metadata,
    versions: Object.fromEntries(numbers.map((n) => {
      const v = secret.versions.get(n)!;
      return [String(n), { created_time: v.created_time, deletion_time: v.deletion_time, destroyed: v.destroyed }];
    })),
  };
}

function writeVersion(target: VaultMount, key: string, data: Record<string, unknown>, now: string, cas?: number): { secret: VaultSecret; version: number } {
  let secret = target.secrets.get(key);
  const casRequired = target.cas_required || Boolean(secret?.cas_required);
  if (casRequired && cas === undefined) throw new HttpError(400, 'check-and-set parameter required for this call');
  if (cas !== undefined && cas !== (secret?.current_version ?? 0)) throw new HttpError(400, 'check-and-set parameter did not match the current version');
  if (!secret) {
    secret = { versions: new Map(), current_version: 0, created_time: now, updated_time: now, max_versions: 0, cas_required: false, custom_metadata: null };
    target.secrets.set(key, secret);
  }
  const version = secret.current_version + 1;
  secret.versions.set(version, { data, created_time: now, deletion_time: '', destroyed: false });
  secret.current_version = version;
  secret.updated_time = now;
  // Oldest versions beyond max_versions (the key's, else the mount's, else 10) are removed for good.
  const keep = secret.max_versions || target.max_versions || 10;
  for (const n of [...secret.versions.keys()].sort((a, b) => a - b)) if (secret.versions.size > keep) secret.versions.delete(n);
  return { secret, version };
}

function listKeys(ctx: Ctx, prefix: string) {
  const target = mount(ctx);
  const base = prefix ? `${prefix}/` : '';
  const keys = new Set<string>();
  for (const key of target.secrets.keys()) {
    if (!key.startsWith(base)) continue;
    const rest = key.slice(base.length);
    const slash = rest.indexOf('/');
    keys.add(slash === -1 ? rest : `${rest.slice(0, slash + 1)}`);
  }
  if (keys.size === 0) throw empty();
  return { body: envelope({ keys: [...keys].sort() }) };
}

function changeVersions(ctx: Ctx, change: (version: VaultVersion) => void) {
  const secret = mount(ctx).secrets.get(keyOf(ctx));
  for (const n of (ctx.body as { versions: number[] }).versions) {
    const version = secret?.versions.get(n);
    if (version) change(version);
  }
  return { status: 204 };
}

const writeData: Handler<VaultState> = (ctx) => {
  const body = ctx.body as { data: Record<string, unknown>; options?: { cas?: number } };
  const { secret, version } = writeVersion(mount(ctx), keyOf(ctx), body.data, ctx.now(), body.options?.cas);
  return { body: envelope(versionView(secret, version, secret.versions.get(version)!)) };
};

const handlers: Record<string, Handler<VaultState>> = {
  'GET /v1/sys/health': () => ({ body: { initialized: true, sealed: false, standby: false, performance_standby: false, version: '1.17.0', cluster_name: 'fake-vault' } }),
  'GET /v1/auth/token/lookup-self': (ctx) => ({ body: envelope({ id: ctx.principal.credential, policies: ctx.principal.readOnly ? ['read-only'] : ['root'], display_name: 'token', ttl: 0 }) }),
  'GET /v1/{mount}/config': (ctx) => {
    const target = mount(ctx);
    return { body: envelope({ cas_required: target.cas_required, delete_version_after: '0s', max_versions: target.max_versions }) };
  },
  'GET /v1/{mount}/data/{path+}': (ctx) => {
    const secret = mount(ctx).secrets.get(keyOf(ctx));
    if (!secret) throw empty();
    const number = (ctx.query.version as number | undefined) || secret.current_version;
    const version = secret.versions.get(number);
    // A deleted or destroyed version reads as 404, with its metadata, as Vault answers.
    if (!version) throw empty();
    if (version.deletion_time || version.destroyed) {
      throw new HttpError(404, '', { body: envelope({ data: null, metadata: versionView(secret, number, version) }) });
    }
    return { body: envelope({ data: version.data, metadata: versionView(secret, number, version) }) };
  },
  'POST /v1/{mount}/data/{path+}': writeData,
  'PUT /v1/{mount}/data/{path+}': writeData,
  'DELETE /v1/{mount}/data/{path+}': (ctx) => {
    const secret = mount(ctx).secrets.get(keyOf(ctx));
    const latest = secret?.versions.get(secret.current_version);
    if (latest && !latest.deletion_time) latest.deletion_time = ctx.now();
    return { status: 204 };
  },
  'POST /v1/{mount}/delete/{path+}': (ctx) => changeVersions(ctx, (v) => { if (!v.deletion_time) v.deletion_time = ctx.now(); }),
  'POST /v1/{mount}/undelete/{path+}': (ctx) => changeVersions(ctx, (v) => { if (!v.destroyed) v.deletion_time = ''; }),
  'PUT /v1/{mount}/destroy/{path+}': (ctx) => changeVersions(ctx, (v) => { v.destroyed = true; v.data = {}; }),
  'POST /v1/{mount}/destroy/{path+}': (ctx) => changeVersions(ctx, (v) => { v.destroyed = true; v.data = {}; }),
  'LIST /v1/{mount}/metadata': (ctx) => listKeys(ctx, ''),
  'GET /v1/{mount}/metadata': (ctx) => {
    if (ctx.query.list !== true) throw new HttpError(405, 'unsupported operation');
    return listKeys(ctx, '');
  },
  'LIST /v1/{mount}/metadata/{path+}': (ctx) => listKeys(ctx, keyOf(ctx)),
  'GET /v1/{mount}/metadata/{path+}': (ctx) => {
    if (ctx.query.list === true) return listKeys(ctx, keyOf(ctx));
    const secret = mount(ctx).secrets.get(keyOf(ctx));
    if (!secret) throw empty();
    return { body: envelope(metadataView(secret)) };
  },
  'POST /v1/{mount}/metadata/{path+}': (ctx) => {
    const target = mount(ctx);
    const body = ctx.body as { max_versions?: number; cas_required?: boolean; custom_metadata?: Record<string, string> };
    let secret = target.secrets.get(keyOf(ctx));
    if (!secret) {
      const now = ctx.now();
      secret = { versions: new Map(), current_version: 0, created_time: now, updated_time: now, max_versions: 0, cas_required: false, custom_metadata: null };
      target.secrets.set(keyOf(ctx), secret);
    }
    if (body.max_versions !== undefined) secret.max_versions = body.max_versions;
    if (body.cas_required !== undefined) secret.cas_required = body.cas_required;
    if (body.custom_metadata !== undefined) secret.custom_metadata = body.custom_metadata;
    return { status: 204 };
  },
  // Deletes the key's metadata and every version, permanently; absent keys are fine too.
  'DELETE /v1/{mount}/metadata/{path+}': (ctx) => {
    mount(ctx).secrets.delete(keyOf(ctx));
    return { status: 204 };
  },
};

function seeder(state: VaultState, ctx: SeedContext): VaultSeed {
  const seed: VaultSeed = {
    mount(name, options = {}) {
      const created: VaultMount = { cas_required: options.cas_required ?? false, max_versions: options.max_versions ?? 0, secrets: new Map() };
      state.mounts.set(`${options.namespace ?? ''}/${name}`, created);
      return created;
    },
    secret(path, data, options = {}) {
      const key = `${options.namespace ?? ''}/${options.mount ?? 'secret'}`;
      const target = state.mounts.get(key) ?? seed.mount(options.mount ?? 'secret', options.namespace ? { namespace: options.namespace } : {});
      return writeVersion(target, path.replace(/^\/+|\/+$/g, ''), data, ctx.now()).secret;
    },
  };
  return seed;
}

function vaultToken(headers: IncomingHttpHeaders): string | undefined {
  return header(headers, 'x-vault-token') ?? bearerToken(headers);
}

const denied = { status: 403, body: { errors: ['permission denied'] } };

/**
 * HashiCorp Vault, KV secrets engine v2 (https://developer.hashicorp.com/vault/api-docs/secret/kv/kv-v2).
 * VAULT_ADDR is the server root (paths start with /v1); `X-Vault-Token` (or Bearer); `X-Vault-Namespace`.
 */
export const vault: ProviderDefinition<VaultState, VaultSeed> = {
  name: 'vault',
  title: 'Vault KV v2 API',
  spec: vaultSpec,
  basePath: '',
  urlVariable: 'VAULT_ADDR',
  credentials: { VAULT_TOKEN: 'hvs.fakeroottoken0000000000' },
  credentialKey: (env) => env.VAULT_TOKEN ?? '',
  credentialOf: vaultToken,
  // Vault answers a missing or unknown token, and a policy that forbids the call, alike: 403.
  authError: () => denied,
  error: (status, message) => ({ status, body: { errors: message ? [message] : [] } }),
  extraMethods: ['LIST'],
  createState: () => ({ mounts: new Map() }),
  resource: (state, name) => some([...state.mounts.values()].flatMap((m) => (m.secrets.has(name) ? [m.secrets.get(name)] : []))),
  seeder,
  seed(seed, scenario) {
    const mounts = (scenario?.mounts as { name: string; namespace?: string; cas_required?: boolean }[] | undefined) ?? [{ name: 'secret' }];
    for (const m of mounts) seed.mount(m.name, m);
    const secrets = (scenario?.secrets as { path: string; data: Record<string, unknown>; mount?: string; namespace?: string }[] | undefined)
      ?? [{ path: 'myapp/prod', data: { API_URL: 'https://api.example.com', FEATURE_FLAG: 'off' } }, { path: 'myapp/dev', data: { API_URL: 'http://localhost:3000', FEATURE_FLAG: 'on' } }];
    for (const s of secrets) seed.secret(s.path, s.data, s);
  },
  handlers,
};

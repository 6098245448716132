/**
 * HashiCorp Vault KV version 2 over core/http.ts. No Node client is worth it here: `node-vault` still
 * has no real KV v2 support. Listing uses `GET …?list=true`, which Vault documents as equivalent to the
 * LIST verb (and which every HTTP stack can send and receive; Node's own server rejects LIST).
 */
import { requireEnv } from '../../core/credentials.js';
import { OperationError } from '../../core/errors.js';
import { HttpClient, ProviderHttpError } from '../../core/http.js';
import type { ProviderContext } from '../types.js';
import type { VaultOptions } from './vault.schema.js';

type Ctx = ProviderContext<VaultOptions>;

export interface KvMetadata {
  current_version: number;
  created_time?: string;
  updated_time?: string;
  custom_metadata?: Record<string, string> | null;
}

export interface KvData {
  data: Record<string, unknown> | null;
  metadata: { version: number; created_time?: string; deletion_time?: string; destroyed?: boolean };
}

export interface TokenInfo {
  display_name?: string;
  ttl?: number;
  policies?: string[];
}

export function isStatus(error: unknown, ...statuses: number[]): error is ProviderHttpError {
  return error instanceof ProviderHttpError && statuses.includes(error.status);
}

const encodePath = (path: string) => path.split('/').map(encodeURIComponent).join('/');

export class VaultApi {
  readonly address: string;
  private readonly http: HttpClient;

  constructor(private readonly ctx: Ctx) {
    this.address = requireEnv(ctx, 'VAULT_ADDR', 'Point it at your Vault server, e.g. https://vault.example.com:8200.').trim().replace(/\/$/, '');
    const token = requireEnv(ctx, 'VAULT_TOKEN', 'Log in (vault login) or create a token with a policy on the KV mount.');
    const namespace = ctx.options.namespace ?? ctx.env.VAULT_NAMESPACE?.trim();
    this.http = new HttpClient({
      provider: 'vault',
      baseUrl: this.address,
      headers: { 'x-vault-token': token, ...(namespace ? { 'x-vault-namespace': namespace } : {}) },
      retry: { signal: ctx.signal },
    });
  }

  /**
   * A 404 with Vault's empty error list is "no such entry"; a 404 naming a missing route means nothing
   * is mounted there (a wrong mount, or a namespace missing), which must not read as "no environment".
   */
  private missing(res: { status: number; body: unknown }): boolean {
    if (res.status !== 404) return false;
    const errors = (res.body as { errors?: unknown } | undefined)?.errors;
    const text = Array.isArray(errors) ? errors.join('; ') : '';
    if (/no handler for route|route entry not found/i.test(text)) {
      const namespace = this.ctx.options.namespace ?? this.ctx.env.VAULT_NAMESPACE?.trim();
      throw new OperationError(`vault: nothing is mounted at "${this.ctx.options.mount}" on ${this.address}${namespace ? ` (namespace ${namespace})` : ''}`, {
        hint: 'Set mount = "<path>" in [secrets] to where the KV version 2 engine is mounted (and VAULT_NAMESPACE on Vault Enterprise/HCP).',
      });
    }
    return true;
  }

  private route(kind: 'data' | 'metadata', path: string): string {
    return `/v1/${encodePath(this.ctx.options.mount)}/${kind}/${encodePath(path)}`;
  }

  async lookupSelf(): Promise<TokenInfo> {
    return (await this.http.request<{ data?: TokenInfo }>({ path: '/v1/auth/token/lookup-self', what: 'look up the token', signal: this.ctx.signal })).body.data ?? {};
  }

  /** The latest version's data, or undefined when there is none (never written, deleted or destroyed). */
  async readData(path: string): Promise<KvData | undefined> {
    const res = await this.http.request<{ data?: KvData }>({ path: this.route('data', path), what: `read ${this.ctx.options.mount}/${path}`, expect: [404], answersHoldSecrets: true, signal: this.ctx.signal });
    if (this.missing(res) || !res.body.data || res.body.data.data === null) return undefined;
    return res.body.data;
  }

  async readMetadata(path: string): Promise<KvMetadata | undefined> {
    const res = await this.http.request<{ data?: KvMetadata }>({
      path: this.route('metadata', path),
      what: `read the metadata of ${this.ctx.options.mount}/${path}`,
      expect: [404],
      signal: this.ctx.signal,
    });
    return this.missing(res) ? undefined : res.body.data;
  }

  async writeMetadata(path: string, customMetadata: Record<string, string>): Promise<void> {
    await this.http.request({
      method: 'POST',
      path: this.route('metadata', path),
      body: { custom_metadata: customMetadata },
      what: `write the metadata of ${this.ctx.options.mount}/${path}`,
      signal: this.ctx.signal,
    });
  }

  /**
   * Write a new version. `cas` is the version the caller read (0: only if there is none yet); Vault
   * refuses the write if another one happened in between, and `false` is returned so the caller can
   * read again and retry instead of losing that other write.
   */
  async writeData(path: string, data: Record<string, string>, cas: number): Promise<boolean> {
    try {
      await this.http.request({
        method: 'POST',
        path: this.route('data', path),
        body: { options: { cas }, data },
        what: `write ${this.ctx.options.mount}/${path}`,
        signal: this.ctx.signal,
      });
      return true;
    } catch (error) {
      if (isStatus(error, 400) && /check-and-set parameter did not match/i.test(error.message)) return false;
      throw error;
    }
  }

  /** Delete every version and the metadata; true when something was there. */
  async deleteAll(path: string): Promise<boolean> {
    const res = await this.http.request({
      method: 'DELETE',
      path: this.route('metadata', path),
      what: `delete ${this.ctx.options.mount}/${path}`,
      expect: [404],
      signal: this.ctx.signal,
    });
    return res.status !== 404;
  }

  /** Keys directly under `dir` ("alice", "team/" for folders); empty when there are none. */
  async list(dir: string): Promise<string[]> {
    const path = dir ? `${this.route('metadata', dir.replace(/\/$/, ''))}/` : `/v1/${encodePath(this.ctx.options.mount)}/metadata/`;
    const res = await this.http.request<{ data?: { keys?: string[] } }>({
      path,
      query: { list: 'true' },
      what: `list ${this.ctx.options.mount}/${dir}`,
      expect: [404],
      signal: this.ctx.signal,
    });
    if (this.missing(res)) return [];
    const keys = res.body.data?.keys;
    if (!Array.isArray(keys)) throw new OperationError(`vault: list ${this.ctx.options.mount}/${dir}: the answer has no data.keys`);
    return keys;
  }
}

/**
 * The Doppler API calls fork-stack makes, through core/http.ts (timeouts, retries on 429/5xx, scrubbed
 * errors). Paths and bodies are the ones `@dopplerhq/node-sdk` sends; the SDK itself is not used because
 * it has no timeout or abort signal, does not retry 429, and prints network errors with console.log —
 * which would put unscrubbed text on stdout, past `--json`.
 */
import { apiBaseUrl, requireEnv } from '../../core/credentials.js';
import { OperationError } from '../../core/errors.js';
import { HttpClient, ProviderHttpError } from '../../core/http.js';
import type { ProviderContext } from '../types.js';
import type { DopplerOptions } from './doppler.schema.js';

export const DOPPLER_API_URL_VARIABLE = 'FORK_STACK_DOPPLER_API_URL';
export const DEFAULT_DOPPLER_API_URL = 'https://api.doppler.com';
const PAGE_SIZE = 100;

export interface DopplerConfig {
  name: string;
  environment: string;
  root: boolean;
  locked?: boolean;
  created_at?: string;
  project?: string;
}

export interface DopplerMe {
  type?: string;
  name?: string;
  workplace?: { name?: string; slug?: string };
}

type Ctx = ProviderContext<DopplerOptions>;

export class DopplerApi {
  readonly project: string;
  private readonly http: HttpClient;

  constructor(private readonly ctx: Ctx) {
    const token = requireEnv(ctx, 'DOPPLER_TOKEN', 'Create a personal or service-account token at https://dashboard.doppler.com (Tokens) with write access to the project.');
    this.project = ctx.options.project ?? ctx.project;
    this.http = new HttpClient({
      provider: 'doppler',
      baseUrl: apiBaseUrl(ctx, DOPPLER_API_URL_VARIABLE, DEFAULT_DOPPLER_API_URL),
      headers: { authorization: `Bearer ${token}` },
      retry: { signal: ctx.signal },
    });
  }

  async me(): Promise<DopplerMe> {
    return (await this.http.request<DopplerMe>({ path: '/v3/me', what: 'read the token', signal: this.ctx.signal })).body;
  }

  /** The project, or undefined when Doppler answers 404. */
  async getProject(): Promise<{ slug?: string; name?: string } | undefined> {
    const res = await this.http.request<{ project?: { slug?: string; name?: string } }>({
      path: '/v3/projects/project',
      query: { project: this.project },
      what: `read project ${this.project}`,
      expect: [404],
      signal: this.ctx.signal,
    });
    return res.status === 404 ? undefined : (res.body.project ?? {});
  }

  /** A config, or undefined when Doppler answers 404. */
  async getConfig(config: string): Promise<DopplerConfig | undefined> {
    const res = await this.http.request<{ config?: DopplerConfig }>({
      path: '/v3/configs/config',
      query: { project: this.project, config },
      what: `read config ${config}`,
      expect: [404],
      signal: this.ctx.signal,
    });
    if (res.status === 404) return undefined;
    if (!res.body.config) throw new OperationError(`doppler: read config ${config}: the answer has no "config" object`);
    return res.body.config;
  }

  /** Every config of the project, following `page` until a page comes back short or empty. */
  async listConfigs(): Promise<DopplerConfig[]> {
    const all: DopplerConfig[] = [];
    // The server may cap per_page below what we ask; a page shorter than the longest one seen is the last.
    let longest = 0;
    for (let page = 1; ; page++) {
      const res = await this.http.request<{ configs?: DopplerConfig[] }>({
        path: '/v3/configs',
        query: { project: this.project, page, per_page: PAGE_SIZE },
        what: `list configs of ${this.project}`,
        signal: this.ctx.signal,
      });
      const configs = res.body.configs ?? [];
      all.push(...configs);
      if (configs.length === 0 || configs.length < longest) break;
      longest = configs.length;
      if (page >= 10_000) throw new OperationError('doppler: listing configs did not end after 10000 pages');
    }
    return all;
  }

  /** A new branch config under `environment`, inheriting the environment's root config. */
  async createConfig(environment: string, name: string): Promise<DopplerConfig> {
    const res = await this.http.request<{ config: DopplerConfig }>({
      method: 'POST',
      path: '/v3/configs',
      body: { project: this.project, environment, name },
      what: `create branch config ${name}`,
      signal: this.ctx.signal,
    });
    return res.body.config;
  }

  /** A copy of branch config `source` (its own values on top of the same root), named `name`. */
  async cloneConfig(source: string, name: string): Promise<DopplerConfig> {
    const res = await this.http.request<{ config: DopplerConfig }>({
      method: 'POST',
      path: '/v3/configs/config/clone',
      body: { project: this.project, config: source, name },
      what: `clone config ${source} into ${name}`,
      signal: this.ctx.signal,
    });
    return res.body.config;
  }

  /** Rename branch config `config` to `name` (its values and marker come along). */
  async renameConfig(config: string, name: string): Promise<DopplerConfig> {
    const res = await this.http.request<{ config: DopplerConfig }>({
      method: 'POST',
      path: '/v3/configs/config',
      body: { project: this.project, config, name },
      what: `rename config ${config} to ${name}`,
      signal: this.ctx.signal,
    });
    return res.body.config;
  }

  /** Delete a config; true when it was there. */
  async deleteConfig(config: string): Promise<boolean> {
    // Doppler's API reference shows query parameters here, while its official SDK sends project and
    // config as a JSON body on DELETE; fork-stack sends what the SDK sends.
    const res = await this.http.request({
      method: 'DELETE',
      path: '/v3/configs/config',
      body: { project: this.project, config },
      what: `delete config ${config}`,
      expect: [404],
      signal: this.ctx.signal,
    });
    return res.status !== 404;
  }

  /** The config's computed values (inherited and its own), as the download endpoint returns them. */
  async download(config: string): Promise<Record<string, unknown>> {
    const res = await this.http.request<Record<string, unknown>>({
      path: '/v3/configs/config/secrets/download',
      query: { project: this.project, config, format: 'json' },
      what: `read the secrets of ${config}`,
      answersHoldSecrets: true,
      signal: this.ctx.signal,
    });
    if (!res.body || typeof res.body !== 'object' || Array.isArray(res.body)) {
      throw new OperationError(`doppler: read the secrets of ${config}: the answer is not a JSON object`);
    }
    return res.body;
  }

  /** One secret's raw value as the config resolves it (its own, else inherited), or undefined on 404. */
  async getSecret(config: string, name: string): Promise<string | undefined> {
    const res = await this.http.request<{ value?: { raw?: string | null } }>({
      path: '/v3/configs/config/secret',
      query: { project: this.project, config, name },
      what: `read secret ${name} of ${config}`,
      expect: [404],
      answersHoldSecrets: true,
      signal: this.ctx.signal,
    });
    return res.status === 404 ? undefined : (res.body.value?.raw ?? undefined);
  }

  /** Set values in a config (a branch config's value overrides its root's). */
  async setSecrets(config: string, secrets: Record<string, string>): Promise<void> {
    await this.http.request({
      method: 'POST',
      path: '/v3/configs/config/secrets',
      body: { project: this.project, config, secrets },
      what: `write ${Object.keys(secrets).length} secret(s) of ${config}`,
      signal: this.ctx.signal,
    });
  }

  /** Delete the config's own values of `names` (a branch config then shows its root's value, if any). */
  async deleteSecrets(config: string, names: string[]): Promise<void> {
    await this.http.request({
      method: 'POST',
      path: '/v3/configs/config/secrets',
      body: {
        project: this.project,
        config,
        change_requests: names.map((name) => ({ name, originalName: name, value: null, shouldDelete: true })),
      },
      what: `delete ${names.length} secret(s) of ${config}`,
      signal: this.ctx.signal,
    });
  }
}

export function isStatus(error: unknown, ...statuses: number[]): error is ProviderHttpError {
  return error instanceof ProviderHttpError && statuses.includes(error.status);
}

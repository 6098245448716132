import { bearerToken } from '../../core/auth.js';
import { HttpError, badRequest, conflict, notFound } from '../../core/http-error.js';
import { numberedPage } from '../../core/pagination.js';
import type { Handler, HandlerContext, ProviderDefinition, SeedContext } from '../../core/provider.js';
import { dopplerSpec } from './spec.js';
import { some } from '../../core/fingerprint.js';

export interface DopplerConfig {
  project: string;
  environment: string;
  name: string;
  root: boolean;
  locked: boolean;
  created_at: string;
  /** Secrets set in this config; a branch config inherits the rest from its root. */
  secrets: Map<string, string>;
}

export interface DopplerProject {
  slug: string;
  name: string;
  created_at: string;
  environments: { slug: string; name: string; created_at: string }[];
}

export interface DopplerState {
  projects: Map<string, DopplerProject>;
  configs: DopplerConfig[];
}

export interface DopplerSeed {
  /** A project with root configs (default dev, stg, prd), optional secrets per root config. */
  project(slug: string, options?: { environments?: string[]; secrets?: Record<string, Record<string, string>> }): DopplerProject;
  /** A branch config (name must start with `<environment>_`). */
  branchConfig(project: string, environment: string, name: string, secrets?: Record<string, string>): DopplerConfig;
}

type Ctx = HandlerContext<DopplerState>;
const CONFIG_NAME = /^[a-z0-9][a-z0-9_-]*$/;

function project(ctx: Ctx, slug: string): DopplerProject {
  const found = ctx.state.projects.get(slug);
  if (!found) throw notFound('Could not find requested project');
  return found;
}

function config(ctx: Ctx, projectSlug: string, name: string): DopplerConfig {
  project(ctx, projectSlug);
  const found = ctx.state.configs.find((c) => c.project === projectSlug && c.name === name);
  if (!found) throw notFound('Could not find requested config');
  return found;
}

const rootOf = (state: DopplerState, c: DopplerConfig) => state.configs.find((r) => r.project === c.project && r.environment === c.environment && r.root)!;

/** What a config resolves to: its root's secrets overlaid with its own, plus Doppler's managed DOPPLER_* secrets. */
function effectiveSecrets(state: DopplerState, c: DopplerConfig, managed: boolean): Map<string, string> {
  const merged = new Map(c.root ? c.secrets : [...rootOf(state, c).secrets, ...c.secrets]);
  if (managed) {
    merged.set('DOPPLER_CONFIG', c.name);
    merged.set('DOPPLER_ENVIRONMENT', c.environment);
    merged.set('DOPPLER_PROJECT', c.project);
  }
  return merged;
}

const configView = (c: DopplerConfig) => ({
  name: c.name, root: c.root, locked: c.locked, initial_fetch_at: null, last_fetch_at: null, created_at: c.created_at,
  environment: c.environment, project: c.project, slug: c.name,
});

function newBranchConfig(state: DopplerState, ctxProject: DopplerProject, environment: string, name: string, now: string): DopplerConfig {
  if (!ctxProject.environments.some((e) => e.slug === environment)) throw notFound('Could not find requested environment');
  // Doppler's rule: a branch config's name starts with its environment's slug and an underscore.
  if (!name.startsWith(`${environment}_`) || name.length <= environment.length + 1) {
    throw badRequest(`Config name must start with the environment slug followed by an underscore, e.g. "${environment}_${name.replace(/^[^_]*_/, '') || 'feature'}"`);
  }
  if (!CONFIG_NAME.test(name)) throw badRequest('Config name may only contain lower-case letters, numbers, dashes and underscores');
  if (state.configs.some((c) => c.project === ctxProject.slug && c.name === name)) throw conflict(`A config named ${name} already exists in this project`);
  const created: DopplerConfig = { project: ctxProject.slug, environment, name, root: false, locked: false, created_at: now, secrets: new Map() };
  state.configs.push(created);
  return created;
}

function dotenv(secrets: Map<string, string>, quoted: boolean): string {
  return [...secrets].map(([key, value]) => `${key}=${quoted ? JSON.stringify(value) : value}\n`).join('');
}

type Body = Record<string, unknown> & { project: string; config: string };

const handlers: Record<string, Handler<DopplerState>> = {
  'GET /v3/me': () => ({ body: { workplace: { slug: 'fake-workplace', name: 'Fake Workplace' }, type: 'personal', name: 'fake-token' } }),
  'GET /v3/projects': (ctx) => {
    const perPage = ctx.defaultPageSize(ctx.query.per_page as number | undefined, 20);
    const current = (ctx.query.page as number | undefined) ?? 1;
    const { page } = numberedPage([...ctx.state.projects.values()], current, perPage);
    return { body: { page: current, projects: page.map((p) => ({ id: p.slug, slug: p.slug, name: p.name, description: '', created_at: p.created_at })), success: true } };
  },
  'GET /v3/projects/project': (ctx) => {
    const found = project(ctx, ctx.query.project as string);
    return { body: { project: { id: found.slug, slug: found.slug, name: found.name, description: '', created_at: found.created_at }, success: true } };
  },
  'GET /v3/environments': (ctx) => {
    const found = project(ctx, ctx.query.project as string);
    return { body: { page: 1, environments: found.environments.map((e) => ({ id: e.slug, slug: e.slug, name: e.name, created_at: e.created_at, project: found.slug })), success: true } };
  },
  'GET /v3/configs': (ctx) => {
    const found = project(ctx, ctx.query.project as string);
    const environment = ctx.query.environment as string | undefined;
    if (environment && !found.environments.some((e) => e.slug === environment)) throw notFound('Could not find requested environment');
    // Doppler's answer carries no "more pages" signal: a client reads until a page comes back short, so
    // pageSize only replaces the default and never cuts a page the client sized itself.
    const perPage = ctx.defaultPageSize(ctx.query.per_page as number | undefined, 20);
    const current = (ctx.query.page as number | undefined) ?? 1;
    const all = ctx.state.configs.filter((c) => c.project === found.slug && (!environment || c.environment === environment));
    return { body: { configs: numberedPage(all, current, perPage).page.map(configView), page: current, success: true } };
  },
  'POST /v3/configs': (ctx) => {
    const body = ctx.body as { project: string; environment: string; name: string };
    const created = newBranchConfig(ctx.state, project(ctx, body.project), body.environment, body.name, ctx.now());
    return { body: { config: configView(created), success: true } };
  },
  'GET /v3/configs/config': (ctx) => ({ body: { config: configView(config(ctx, ctx.query.project as string, ctx.query.config as string)), success: true } }),
  'POST /v3/configs/config': (ctx) => {
    const body = ctx.body as Body & { name: string };
    const found = config(ctx, body.project, body.config);
    if (found.root) throw badRequest('Root configs cannot be renamed');
    if (found.locked) throw badRequest('This config is locked: unlock it before renaming');
    const renamed = newBranchConfig(ctx.state, project(ctx, body.project), found.environment, body.name, found.created_at);
    renamed.secrets = found.secrets;
    ctx.state.configs = ctx.state.configs.filter((c) => c !== found);
    return { body: { config: configView(renamed), success: true } };
  },
  'DELETE /v3/configs/config': (ctx) => {
    const body = ctx.body as Body;
    const found = config(ctx, body.project, body.config);
    if (found.root) throw badRequest('Root configs cannot be deleted');
    if (found.locked) throw badRequest('This config is locked: unlock it before deleting');
    ctx.state.configs = ctx.state.configs.filter((c) => c !== found);
    return { body: { success: true } };
  },
  'POST /v3/configs/config/clone': (ctx) => {
    const body = ctx.body as Body & { name: string };
    const source = config(ctx, body.project, body.config);
    const created = newBranchConfig(ctx.state, project(ctx, body.project), source.environment, body.name, ctx.now());
    // Documented: the clone inherits from the same root and carries the source's own overrides.
    if (!source.root) created.secrets = new Map(source.secrets);
    return { body: { config: configView(created), success: true } };
  },
  'POST /v3/configs/config/lock': (ctx) => {
    const body = ctx.body as Body;
    const found = config(ctx, body.project, body.config);
    found.locked = true;
    return { body: { config: configView(found), success: true } };
  },
  'POST /v3/configs/config/unlock': (ctx) => {
    const body = ctx.body as Body;
    const found = config(ctx, body.project, body.config);
    found.locked = false;
    return { body: { config: configView(found), success: true } };
  },
  'GET /v3/configs/config/secrets': (ctx) => {
    const found = config(ctx, ctx.query.project as string, ctx.query.config as string);
    const secrets = effectiveSecrets(ctx.state, found, ctx.query.include_managed_secrets !== false);
    return { body: { secrets: Object.fromEntries([...secrets].map(([key, value]) => [key, { raw: value, computed: value, note: '' }])), success: true } };
  },
  'POST /v3/configs/config/secrets': (ctx) => {
    const body = ctx.body as Body & { secrets?: Record<string, string | null>; change_requests?: { name: string; value: string | null; shouldDelete?: boolean }[] };
    const found = config(ctx, body.project, body.config);
    if (!body.secrets && !body.change_requests) throw badRequest('Send secrets or change_requests');
    const changes: [string, string | null][] = [
      ...Object.entries(body.secrets ?? {}),
      ...(body.change_requests ?? []).map((change): [string, string | null] => [change.name, change.shouldDelete ? null : change.value]),
    ];
    for (const [name] of changes) {
      if (!/^[A-Z_][A-Z0-9_]*$/.test(name)) throw badRequest(`Secret name ${name} may only contain upper-case letters, numbers and underscores, not starting with a number`);
      if (name.startsWith('DOPPLER_')) throw badRequest(`Secret name ${name} is reserved`);
    }
    for (const [name, value] of changes) {
      if (value === null) found.secrets.delete(name);
      else found.secrets.set(name, value);
    }
    const secrets = effectiveSecrets(ctx.state, found, false);
    return { body: { secrets: Object.fromEntries([...secrets].map(([key, value]) => [key, { raw: value, computed: value, note: '' }])), success: true } };
  },
  'GET /v3/configs/config/secrets/download': (ctx) => {
    const found = config(ctx, ctx.query.project as string, ctx.query.config as string);
    let secrets = effectiveSecrets(ctx.state, found, true);
    if (typeof ctx.query.secrets === 'string') {
      const wanted = new Set(ctx.query.secrets.split(','));
      secrets = new Map([...secrets].filter(([key]) => wanted.has(key)));
    }
    const format = (ctx.query.format as string | undefined) ?? 'json';
    if (format === 'json') return { body: Object.fromEntries(secrets) };
    if (format === 'env') return { text: dotenv(secrets, true) };
    if (format === 'env-no-quotes') return { text: dotenv(secrets, false) };
    throw new HttpError(501, `format=${format} is not modelled by the fake (json, env, env-no-quotes are)`);
  },
  'GET /v3/configs/config/secret': (ctx) => {
    const found = config(ctx, ctx.query.project as string, ctx.query.config as string);
    const value = effectiveSecrets(ctx.state, found, true).get(ctx.query.name as string);
    if (value === undefined) throw notFound('Could not find requested secret');
    return { body: { name: ctx.query.name, value: { raw: value, computed: value, note: '' }, success: true } };
  },
  'DELETE /v3/configs/config/secret': (ctx) => {
    const found = config(ctx, ctx.query.project as string, ctx.query.config as string);
    if (!found.secrets.delete(ctx.query.name as string)) throw notFound('Could not find requested secret');
    return { body: { success: true } };
  },
};

function seeder(state: DopplerState, ctx: SeedContext): DopplerSeed {
  return {
    project(slug, options = {}) {
      const now = ctx.now();
      const environments = (options.environments ?? ['dev', 'stg', 'prd']).map((env) => ({ slug: env, name: env, created_at: now }));
      const created: DopplerProject = { slug, name: slug, created_at: now, environments };
      state.projects.set(slug, created);
      for (const env of environments) {
        state.configs.push({
          project: slug, environment: env.slug, name: env.slug, root: true, locked: false, created_at: now,
          secrets: new Map(Object.entries(options.secrets?.[env.slug] ?? {})),
        });
      }
      return created;
    },
    branchConfig(projectSlug, environment, name, secrets = {}) {
      const found = state.projects.get(projectSlug);
      if (!found) throw new Error(`seed: no Doppler project ${projectSlug}`);
      const created = newBranchConfig(state, found, environment, name, ctx.now());
      created.secrets = new Map(Object.entries(secrets));
      return created;
    },
  };
}

/**
 * Doppler API v3 (https://docs.doppler.com/reference/api). Base URL https://api.doppler.com; Bearer token.
 * The spec is hand-written from the official SDK (./spec.ts).
 */
export const doppler: ProviderDefinition<DopplerState, DopplerSeed> = {
  name: 'doppler',
  title: 'Doppler API v3',
  spec: dopplerSpec,
  basePath: '',
  urlVariable: 'FORK_STACK_DOPPLER_API_URL',
  credentials: { DOPPLER_TOKEN: 'dp.pt.fake0000000000000000000000000000000000000' },
  credentialKey: (env) => env.DOPPLER_TOKEN ?? '',
  credentialOf: (headers) => bearerToken(headers),
  authError: (failure) => failure === 'read-only'
    ? { status: 403, body: { messages: ['This token does not have write access'], success: false } }
    : { status: 401, body: { messages: [failure === 'missing' ? 'Missing authentication token' : 'Invalid Auth token'], success: false } },
  error: (status, message) => ({ status, body: { messages: [message], success: false } }),
  createState: () => ({ projects: new Map(), configs: [] }),
  resource: (state, name) => some(state.configs.filter((c) => c.name === name)),
  seeder,
  seed(seed, scenario) {
    const projects = (scenario?.projects as { slug: string; environments?: string[]; secrets?: Record<string, Record<string, string>> }[] | undefined)
      ?? [{ slug: 'myapp', environments: ['dev', 'stg', 'prd'], secrets: { dev: { API_URL: 'http://localhost:3000', FEATURE_FLAG: 'on' }, prd: { API_URL: 'https://api.example.com', FEATURE_FLAG: 'off' } } }];
    for (const p of projects) seed.project(p.slug, p);
  },
  handlers,
};

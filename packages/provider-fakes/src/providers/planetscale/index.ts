import { header } from '../../core/auth.js';
import type { ProviderDefinition, SeedContext } from '../../core/provider.js';
import { loadSpec } from '../../core/spec-files.js';
import { handlers } from './handlers.js';
import type { PlanetScaleBranch, PlanetScaleDatabase, PlanetScaleKind, PlanetScaleState } from './model.js';
import { some } from '../../core/fingerprint.js';

export interface PlanetScaleSeed {
  /** Rename the organization (default `fake-org`). */
  organization(slug: string): void;
  /** A ready database with its ready production branch (default `main`). */
  database(name: string, options?: { kind?: PlanetScaleKind; region?: string; default_branch?: string }): PlanetScaleDatabase;
  /** A ready development branch. */
  branch(database: string, name: string, parent?: string): PlanetScaleBranch;
}

const STATUS_CODES: Record<number, string> = {
  400: 'bad_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 405: 'method_not_allowed', 409: 'conflict',
  422: 'unprocessable', 429: 'rate_limit_exceeded', 500: 'internal_server_error', 501: 'not_implemented', 503: 'service_unavailable',
};

function seeder(state: PlanetScaleState, ctx: SeedContext): PlanetScaleSeed {
  const ready = () => {
    const progress = ctx.progress();
    progress.complete();
    return progress;
  };
  return {
    organization(slug) {
      state.organization = slug;
    },
    database(name, options = {}) {
      const defaultBranch = options.default_branch ?? 'main';
      const created: PlanetScaleDatabase = {
        id: `fakedb${ctx.nextId('database').toString().padStart(6, '0')}`, name, kind: options.kind ?? 'mysql', region: options.region ?? 'aws-us-east-2',
        default_branch: defaultBranch, deletion_protected: false, created_at: ctx.now(), progress: ready(),
      };
      state.databases.set(name, created);
      state.branches.push({
        id: `fakebr-main-${created.id}`, database: name, name: defaultBranch, parent_branch: null, production: true, deletion_protected: false,
        created_at: ctx.now(), updated_at: ctx.now(), progress: ready(),
      });
      return created;
    },
    branch(database, name, parent) {
      const db = state.databases.get(database);
      if (!db) throw new Error(`seed: no PlanetScale database ${database}`);
      const created: PlanetScaleBranch = {
        id: `fakebr-seed${ctx.nextId('seed-branch').toString().padStart(6, '0')}`, database, name, parent_branch: parent ?? db.default_branch,
        production: false, deletion_protected: false, created_at: ctx.now(), updated_at: ctx.now(), progress: ready(),
      };
      state.branches.push(created);
      return created;
    },
  };
}

/**
 * PlanetScale API (https://api-docs.planetscale.com/reference/getting-started-with-planetscale-api). Base
 * URL https://api.planetscale.com/v1; `Authorization: <SERVICE_TOKEN_ID>:<SERVICE_TOKEN>`.
 */
export const planetscale: ProviderDefinition<PlanetScaleState, PlanetScaleSeed> = {
  name: 'planetscale',
  title: 'PlanetScale API',
  spec: loadSpec('planetscale.json'),
  basePath: '/v1',
  urlVariable: 'FORK_STACK_PLANETSCALE_API_URL',
  credentials: { PLANETSCALE_SERVICE_TOKEN_ID: 'fake-token-id', PLANETSCALE_SERVICE_TOKEN: 'pscale_tkn_fake' },
  credentialKey: (env) => `${env.PLANETSCALE_SERVICE_TOKEN_ID ?? ''}:${env.PLANETSCALE_SERVICE_TOKEN ?? ''}`,
  credentialOf: (headers) => {
    const value = header(headers, 'authorization')?.trim();
    return value && /^[^\s:]+:\S+$/.test(value) ? value : undefined;
  },
  authError: (failure) => failure === 'read-only'
    ? { status: 403, body: { code: 'forbidden', message: 'The service token does not have the access needed for this action' } }
    : { status: 401, body: { code: 'unauthorized', message: failure === 'missing' ? 'Authorization header missing or malformed: send <ID>:<TOKEN>' : 'Invalid service token' } },
  error: (status, message, code) => ({ status, body: { code: code ?? STATUS_CODES[status] ?? 'error', message } }),
  createState: () => ({ organization: 'fake-org', databases: new Map(), branches: [], passwords: [], roles: [] }),
  // Passwords and roles are left out: minting one to connect does not change the branch.
  resource: (state, name) => some(state.branches.filter((b) => b.name === name)),
  seeder,
  seed(seed, scenario) {
    if (typeof scenario?.organization === 'string') seed.organization(scenario.organization);
    const databases = (scenario?.databases as { name: string; kind?: PlanetScaleKind; region?: string }[] | undefined)
      ?? [{ name: 'myapp', kind: 'mysql' }, { name: 'myapp-pg', kind: 'postgresql' }];
    for (const db of databases) seed.database(db.name, db);
  },
  handlers,
};

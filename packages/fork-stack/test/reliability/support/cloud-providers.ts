/**
 * The cloud providers under test through their fakes (packages/provider-fakes), each with its config
 * section and a way to read the fake's state: how many resources an environment has there (duplicates
 * and orphans), and a digest of the parent's (root `prod`) resource, which must never change.
 *
 * Every project here is "myapp" with the root `prod`, which each fake's default scenario provides.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startFake, type FakeName, type FakeOptions } from '@fork-stack/provider-fakes';
import { tempDir } from '../../helpers/cli.js';

type AnyFake = Awaited<ReturnType<typeof startFake>>;
type FakeOf<N extends FakeName> = Awaited<ReturnType<typeof startFake<N>>>;

export interface CloudProvider {
  fake: FakeName;
  kind: 'database' | 'secrets';
  /** Body of the config section, provider line included. */
  section: string;
  /** Resources of `env` that exist on the fake (0 after delete, 1 after create: more is a duplicate). */
  count(fake: AnyFake, env: string): number;
  /** The parent's resource on the fake, as a string that changes if anything of it changes. */
  parent(fake: AnyFake): string;
  /** The request that creates the environment's resource (fake operation key). */
  createOperation: string;
  /** The fake's scenario, when its default holds more than the root `prod`. */
  scenario?: FakeOptions['scenario'];
}

export const PARENT_SECRETS = { API_URL: 'https://api.example.com', FEATURE_FLAG: 'off', WEBHOOK_SECRET: 'whsec_prod_4242' };

const as = <N extends FakeName>(fake: AnyFake) => fake as unknown as FakeOf<N>;

export const PROVIDERS: Record<string, CloudProvider> = {
  neon: {
    fake: 'neon',
    kind: 'database',
    section: 'provider = "neon"\nproject_id = "fake-project-myapp"',
    createOperation: 'POST /projects/{project_id}/branches',
    count: (f, env) => [...as<'neon'>(f).state.branches.values()].filter((b) => b.name === env).length,
    parent: (f) => {
      const s = as<'neon'>(f).state;
      const main = [...s.branches.values()].find((b) => b.name === 'main');
      return JSON.stringify([
        main?.id,
        main?.default,
        main?.parent_id,
        s.roles.filter((r) => r.branch_id === main?.id),
        s.databases.filter((d) => d.branch_id === main?.id),
      ]);
    },
  },
  turso: {
    fake: 'turso',
    kind: 'database',
    section: 'provider = "turso"\norganization = "fake-org"',
    createOperation: 'POST /v1/organizations/{organizationSlug}/databases',
    count: (f, env) => [...as<'turso'>(f).state.databases.values()].filter((d) => d.Name === `myapp-${env}`).length,
    parent: (f) => JSON.stringify([...as<'turso'>(f).state.databases.values()].find((d) => d.Name === 'myapp')),
  },
  planetscale: {
    fake: 'planetscale',
    kind: 'database',
    section: 'provider = "planetscale"\norganization = "fake-org"\ndatabase = "myapp"',
    createOperation: 'POST /organizations/{organization}/databases/{database}/branches',
    count: (f, env) => as<'planetscale'>(f).state.branches.filter((b) => b.name === `myapp-${env}`).length,
    parent: (f) => {
      const s = as<'planetscale'>(f).state;
      const main = s.branches.find((b) => b.name === 'main');
      return JSON.stringify([main?.id, main?.production, main?.parent_branch, main?.updated_at]);
    },
  },
  supabase: {
    fake: 'supabase',
    kind: 'database',
    section: 'provider = "supabase"\nproject_ref = "fakeprojectmyappaaaa"',
    createOperation: 'POST /v1/projects/{ref}/branches',
    count: (f, env) => as<'supabase'>(f).state.branches.filter((b) => b.name === `myapp-${env}`).length,
    parent: (f) => {
      const s = as<'supabase'>(f).state;
      // Without `progress`, whose read counter moves with every status read (not a change of the project).
      const projects = [...s.projects.values()].map(({ progress: _progress, ...project }) => project);
      return JSON.stringify([s.branches.find((b) => b.is_default), projects, [...s.branchingDisabled]]);
    },
  },
  doppler: {
    fake: 'doppler',
    kind: 'secrets',
    section: 'provider = "doppler"',
    createOperation: 'POST /v3/configs',
    scenario: { projects: [{ slug: 'myapp', environments: ['dev', 'prd'], secrets: { prd: PARENT_SECRETS } }] },
    // Branch configs are <environment>_<env> with "-" as "_" (Doppler config names).
    count: (f, env) => as<'doppler'>(f).state.configs.filter((c) => c.name === `prd_${env.replace(/-/g, '_')}`).length,
    parent: (f) => {
      const prd = as<'doppler'>(f).state.configs.find((c) => c.name === 'prd');
      return JSON.stringify([prd?.locked, [...(prd?.secrets ?? [])].sort()]);
    },
  },
  'aws-secrets': {
    fake: 'aws-secrets',
    kind: 'secrets',
    section: 'provider = "aws-secrets"\nforce_delete = true',
    createOperation: 'POST /secretsmanager.CreateSecret',
    scenario: { secrets: [{ name: 'myapp/prod', value: JSON.stringify(PARENT_SECRETS) }] },
    count: (f, env) => [...as<'aws-secrets'>(f).state.secrets.values()].filter((s) => s.name === `myapp/${env}` && s.deletedDate === undefined).length,
    parent: (f) => {
      const s = as<'aws-secrets'>(f).state.secrets.get('myapp/prod');
      return JSON.stringify([s?.versions, s?.tags, s?.deletedDate ?? null]);
    },
  },
  vault: {
    fake: 'vault',
    kind: 'secrets',
    section: 'provider = "vault"',
    createOperation: 'POST /v1/{mount}/data/{path+}',
    scenario: { secrets: [{ path: 'myapp/prod', data: PARENT_SECRETS }] },
    count: (f, env) =>
      [...as<'vault'>(f).state.mounts.values()].filter((m) => {
        const s = m.secrets.get(`myapp/${env}`);
        return s && [...s.versions.values()].some((v) => !v.destroyed && !v.deletion_time);
      }).length,
    parent: (f) => JSON.stringify([...as<'vault'>(f).state.mounts.values()].map((m) => [...(m.secrets.get('myapp/prod')?.versions ?? [])])),
  },
};

export interface CloudProject {
  dir: string;
  fakes: { provider: CloudProvider; fake: AnyFake }[];
  /** Credentials and base URLs of every fake, and fast retries. */
  env: Record<string, string>;
  /** Resources of `env` on every fake, by provider name. */
  counts(env: string): Record<string, number>;
  /** Digest of the parent's resources on every fake. */
  parents(): string;
  close(): Promise<void>;
}

/** A project "myapp" (root prod) whose database and/or secrets come from the named providers' fakes. */
export async function cloudProject(
  names: string[],
  options: FakeOptions | ((name: string) => FakeOptions) = {},
  extraEnv: Record<string, string> = {}
): Promise<CloudProject> {
  const fakes = await Promise.all(
    names.map(async (name) => {
      const provider = PROVIDERS[name];
      if (!provider) throw new Error(`no such provider under test: ${name}`);
      const own = typeof options === 'function' ? options(name) : options;
      return { provider, fake: await startFake(provider.fake, { ...(provider.scenario ? { scenario: provider.scenario } : {}), ...own }) };
    })
  );
  const tmp = tempDir('fork-stack-reliability-cloud-');
  const dir = path.join(tmp.dir, 'myapp');
  mkdirSync(dir);
  const sections = fakes.map(({ provider }) => `[${provider.kind}]\n${provider.section}\n`);
  writeFileSync(
    path.join(dir, 'fork-stack.toml'),
    `project = "myapp"\ndefault_parent = "prod"\nroots = ["prod"]\nprotected = ["prod"]\n\n${sections.join('\n')}`
  );
  const env: Record<string, string> = { FORK_STACK_RETRY_BASE_MS: '5', FORK_STACK_POLL_INTERVAL_MS: '5', ...extraEnv };
  for (const { fake } of fakes) Object.assign(env, fake.env);
  return {
    dir,
    fakes,
    env,
    counts: (e) => Object.fromEntries(fakes.map(({ provider, fake }) => [provider.fake, provider.count(fake, e)])),
    parents: () => JSON.stringify(fakes.map(({ provider, fake }) => provider.parent(fake))),
    async close() {
      tmp.cleanup();
      await Promise.all(fakes.map(({ fake }) => fake.close()));
    },
  };
}

import { z } from 'zod';
import { nameOverrides, namePattern } from '../../core/config-schema.js';

export const DEFAULT_NAME = '{project}_{env}';
export const DEFAULT_URL_ENV = 'DATABASE_ADMIN_URL';
/** A user who sets it to 1 in their environment consents to ending sessions on the parent database (as `create --terminate-connections` does for one run). */
export const TERMINATE_ENV = 'FORK_STACK_PG_TERMINATE';

const envVarName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the name of an environment variable, e.g. "DATABASE_ADMIN_URL"');

export const schema = z.strictObject({
  url_env: envVarName.default(DEFAULT_URL_ENV).meta({
    description:
      'Environment variable holding the admin connection URL (postgres://user:password@host:port/db). Never put the URL itself in the config.',
  }),
  name: namePattern(DEFAULT_NAME)
    .default(DEFAULT_NAME)
    .meta({
      description:
        'Database name per environment. "-" in {project} and {env} becomes "_" unless hyphens = "keep"; at most 63 bytes (PostgreSQL NAMEDATALEN - 1).',
    }),
  names: nameOverrides,
  hyphens: z
    .enum(['underscore', 'keep'])
    .default('underscore')
    .meta({
      description:
        '"underscore": "-" in {project}/{env} becomes "_", so names need no quoting in SQL (pr-12 → app_pr_12). "keep": names keep their hyphens (always quoted).',
    }),
  role: z
    .string()
    .min(1)
    .optional()
    .meta({ description: "Role in each environment's DATABASE_URL. Default: the admin URL's role." }),
  password_env: envVarName
    .optional()
    .meta({ description: 'Environment variable holding the password of `role` for DATABASE_URL (omit for trust/.pgpass setups).' }),
  owner: z
    .string()
    .min(1)
    .default('parent')
    .meta({
      description:
        'Owner of a forked database: "parent" (the parent database\'s owner, so the app keeps owning its schema), "admin" (the admin URL\'s role) or a role name.',
    }),
  strategy: z
    .enum(['auto', 'file_copy', 'wal_log'])
    .default('auto')
    .meta({
      description:
        'CREATE DATABASE strategy: "auto" uses FILE_COPY on PostgreSQL 15+ (fastest for large databases) and the server default before 15.',
    }),
  terminate_connections: z.boolean().default(false).meta({
    description: `End other sessions on the parent database when forking (they block CREATE DATABASE … TEMPLATE). Also set by ${TERMINATE_ENV}=1.`,
  }),
  connect_timeout_ms: z.number().int().min(100).default(10_000).meta({ description: 'Timeout of each connection attempt to the server.' }),
});

export type PostgresOptions = z.infer<typeof schema>;

export const example = `# One database per environment on any PostgreSQL server; forks are CREATE DATABASE … TEMPLATE.
# The admin URL comes from the environment: export ${DEFAULT_URL_ENV}=postgres://user:password@localhost:5432/postgres
# url_env = "${DEFAULT_URL_ENV}"
# name = "${DEFAULT_NAME}"            # pr-12 → myapp_pr_12
# names = { prod = "myapp" }          # an existing database adopted as a root`;

export const credentials = [DEFAULT_URL_ENV] as const;

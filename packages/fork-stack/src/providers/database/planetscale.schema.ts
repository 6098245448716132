import { z } from 'zod';
import { envNameSchema, namePattern } from '../../core/config-schema.js';

export const DEFAULT_NAME = '{project}-{env}';
/** PlanetScale databases start with a production branch called "main". */
export const DEFAULT_NAMES: Readonly<Record<string, string>> = { prod: 'main' };
export const TOKEN_ID_ENV = 'PLANETSCALE_SERVICE_TOKEN_ID';
export const TOKEN_ENV = 'PLANETSCALE_SERVICE_TOKEN';
export const BASE_URL_ENV = 'FORK_STACK_PLANETSCALE_API_URL';
export const DEFAULT_BASE_URL = 'https://api.planetscale.com/v1';

const slug = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be a PlanetScale slug: lower-case letters, digits, "-" and "_"');

export const schema = z.strictObject({
  organization: slug.meta({ description: 'PlanetScale organization name (pscale org list).' }),
  database: slug.meta({ description: 'PlanetScale database; every environment is a branch of it.' }),
  name: namePattern(DEFAULT_NAME)
    .default(DEFAULT_NAME)
    .meta({ description: 'Branch name per environment: lower-case letters, digits and "-", at most 63 characters.' }),
  names: z
    .record(envNameSchema, z.string().min(1))
    .default({ ...DEFAULT_NAMES })
    .meta({ description: 'Branch names for particular environments, merged over the default { prod = "main" } (the adopted production branch).' }),
  seed_data: z.boolean().default(false).meta({
    description:
      "Fill the new branch with the data of the parent's last successful backup (PlanetScale Data Branching; needs restore-backup access). Without it a MySQL branch starts with the schema only.",
  }),
  password_role: z
    .enum(['reader', 'writer', 'readwriter', 'admin'])
    .default('readwriter')
    .meta({ description: 'MySQL (Vitess) databases: role of the password minted for DATABASE_URL.' }),
  role_inherits: z
    .array(
      z.enum([
        'postgres',
        'pg_read_all_data',
        'pg_write_all_data',
        'pg_monitor',
        'pg_read_all_settings',
        'pg_read_all_stats',
        'pg_signal_backend',
        'pg_stat_scan_tables',
        'pg_maintain',
        'pg_checkpoint',
        'pg_create_subscription',
        'pg_use_reserved_connections',
      ]),
    )
    .default(['postgres'])
    .meta({ description: 'PostgreSQL databases: roles the role minted for DATABASE_URL inherits.' }),
  wait_timeout_seconds: z.number().int().min(1).default(600).meta({ description: 'How long to wait for a new branch to become ready.' }),
});

export type PlanetScaleOptions = z.infer<typeof schema>;

export const example = `# Every environment is a branch of one PlanetScale database.
# Credentials: export ${TOKEN_ID_ENV}=… ${TOKEN_ENV}=… (a service token)
organization = "my-org"
database = "myapp"
# name = "${DEFAULT_NAME}"          # pr-12 → myapp-pr-12
# names = { prod = "main" }         # the production branch, adopted
# seed_data = false                 # true: copy the parent's last backup (Data Branching)`;

export const credentials = [TOKEN_ID_ENV, TOKEN_ENV] as const;

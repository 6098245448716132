import { z } from 'zod';
import { envNameSchema, namePattern } from '../../core/config-schema.js';

export const DEFAULT_NAME = '{env}';
/** A Neon project's root branch is called "main" (newer projects: "production"; override with names). */
export const DEFAULT_NAMES: Readonly<Record<string, string>> = { prod: 'main' };
export const API_KEY_ENV = 'NEON_API_KEY';
export const BASE_URL_ENV = 'FORK_STACK_NEON_API_URL';
export const DEFAULT_BASE_URL = 'https://console.neon.tech/api/v2';

export const schema = z.strictObject({
  project_id: z
    .string()
    .regex(/^[a-z0-9-]{1,60}$/, 'is a Neon project ID such as "shiny-wind-028834" (Neon Console → Settings → General)')
    .meta({ description: 'Neon project ID (Neon Console → project settings). Every environment is a branch of this project.' }),
  name: namePattern(DEFAULT_NAME)
    .default(DEFAULT_NAME)
    .meta({ description: 'Branch name per environment (at most 256 characters).' }),
  names: z
    .record(envNameSchema, z.string().min(1))
    .default({ ...DEFAULT_NAMES })
    .meta({
      description:
        'Branch names for particular environments, merged over the default { prod = "main" }: the adopted root branch, e.g. { prod = "production" } for newer projects.',
    }),
  database: z.string().min(1).optional().meta({ description: "Database in DATABASE_URL. Default: the branch's only database." }),
  role: z.string().min(1).optional().meta({ description: "Role in DATABASE_URL. Default: the branch's only (non-system) role." }),
  pooled: z.boolean().default(false).meta({
    description: 'Use the PgBouncer pooler host (-pooler) in DATABASE_URL: for serverless apps; migrations usually need the direct URL.',
  }),
  wait_timeout_seconds: z
    .number()
    .int()
    .min(1)
    .default(300)
    .meta({ description: 'How long to wait for a branch operation (create, delete) to finish.' }),
});

export type NeonOptions = z.infer<typeof schema>;

export const example = `# Every environment is a Neon branch with its own read-write compute. Credentials: export ${API_KEY_ENV}=…
project_id = "shiny-wind-028834"
# name = "${DEFAULT_NAME}"                 # branch per environment
# names = { prod = "main" }          # the root branch, adopted (newer projects: "production")
# pooled = false                     # true: DATABASE_URL through the -pooler host`;

export const credentials = [API_KEY_ENV] as const;

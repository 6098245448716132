import { z } from 'zod';
import { envNameSchema, namePattern } from '../../core/config-schema.js';

export const DEFAULT_NAME = '{project}-{env}';
/** When branching is enabled, the project itself becomes the default branch, called "main". */
export const DEFAULT_NAMES: Readonly<Record<string, string>> = { prod: 'main' };
export const TOKEN_ENV = 'SUPABASE_ACCESS_TOKEN';
export const BASE_URL_ENV = 'FORK_STACK_SUPABASE_API_URL';
export const DEFAULT_BASE_URL = 'https://api.supabase.com';

export const schema = z.strictObject({
  project_ref: z
    .string()
    .regex(/^[a-z]{20}$/, 'is a Supabase project ref: 20 lower-case letters (Project Settings → General)')
    .meta({ description: 'Reference of the Supabase project (with branching enabled) whose branches the environments are.' }),
  name: namePattern(DEFAULT_NAME)
    .default(DEFAULT_NAME)
    .meta({ description: 'Branch name per environment: lower-case letters, digits and "-", at most 63 characters.' }),
  names: z
    .record(envNameSchema, z.string().min(1))
    .default({ ...DEFAULT_NAMES })
    .meta({ description: 'Branch names for particular environments, merged over the default { prod = "main" } (the project\'s default branch, adopted).' }),
  with_data: z.boolean().default(true).meta({
    description: "Copy the default branch's data into a new branch (Supabase `with_data`). false: the branch starts empty and gets its schema from your migrations.",
  }),
  persistent: z.boolean().default(false).meta({ description: 'Create persistent branches (not paused or cleaned up by Supabase when idle).' }),
  database: z.string().min(1).default('postgres').meta({ description: 'Database in DATABASE_URL.' }),
  wait_timeout_seconds: z.number().int().min(1).default(900).meta({ description: 'How long to wait for a new branch to reach ACTIVE_HEALTHY.' }),
});

export type SupabaseOptions = z.infer<typeof schema>;

export const example = `# Every environment is a Supabase preview branch of one project. Credentials: export ${TOKEN_ENV}=…
project_ref = "abcdefghijklmnopqrst"
# name = "${DEFAULT_NAME}"          # pr-12 → myapp-pr-12
# names = { prod = "main" }         # the project's default branch, adopted
# with_data = true                  # false: start empty, schema from migrations`;

export const credentials = [TOKEN_ENV] as const;

/**
 * The shape of fork-stack.toml, top level (in core: provider schemas build on these helpers, so it sits below them). Each provider section (`[database]`, `[storage.<name>]`,
 * `[secrets]`, `[cache]`, `[queue]`) is `provider = "<name>"` plus that provider's own options, whose
 * schema lives beside the provider (providers/<kind>/<name>.schema.ts) and is loaded only when named.
 * Helpers here are shared by those schemas so that every naming pattern is checked the same way.
 */
import { z } from 'zod';
import { DURATION_PATTERN } from './duration.js';
import { ENV_NAME_MAX_LENGTH, ENV_NAME_PATTERN, placeholdersOf } from './names.js';

export const PROJECT_NAME_PATTERN = /^[a-z][a-z0-9-]*[a-z0-9]$|^[a-z]$/;

export const envNameSchema = z
  .string()
  .regex(ENV_NAME_PATTERN, 'must be lower-case letters, digits and single "-", starting with a letter')
  .max(ENV_NAME_MAX_LENGTH);

/** A naming pattern such as "{project}-bucket-{env}". `extra` lists placeholders beyond project and env. */
export function namePattern(example: string, extra: readonly string[] = []) {
  const allowed = new Set(['project', 'env', ...extra]);
  return z
    .string()
    .min(1)
    .refine((p) => placeholdersOf(p).every((k) => allowed.has(k)), {
      message: `may only use the placeholders ${[...allowed].map((k) => `{${k}}`).join(', ')}`,
    })
    .refine((p) => placeholdersOf(p).includes('env'), { message: 'must contain {env} so that each environment gets its own name' })
    .meta({ examples: [example] });
}

/** Per-environment explicit names, e.g. `names = { prod = "myapp" }` for adopted production resources. */
export const nameOverrides = z
  .record(envNameSchema, z.string().min(1))
  .default({})
  .meta({ description: 'Explicit resource names for particular environments (typically the adopted root, e.g. prod).' });

export { HOOK_NAMES, type HookName } from './hook-names.js';

function hookList(when: string) {
  return z
    .array(z.string().trim().min(1))
    .default([])
    .meta({ description: `Shell commands run ${when}.`, examples: [['npm run migrate', 'npm run seed']] });
}

export const topLevelSchema = z.strictObject({
  $schema: z.string().optional(),
  project: z
    .string()
    .regex(PROJECT_NAME_PATTERN, 'must be lower-case letters, digits and "-", starting with a letter')
    .max(40)
    .meta({ description: 'Project name, used in resource names ({project}).', examples: ['myapp'] }),
  default_parent: envNameSchema.default('dev').meta({ description: 'Environment that `create` forks from when --from is not given.' }),
  protected: z
    .array(envNameSchema)
    .default(['prod', 'dev'])
    .meta({ description: 'Environments that can never be deleted, reset or overwritten.' }),
  roots: z
    .array(envNameSchema)
    .optional()
    .meta({
      description:
        'Environments with no parent. On the local stack `init` creates them empty; on cloud stacks they are the existing resources, adopted by name and never created or deleted. Defaults to [default_parent].',
    }),
  git: z
    .strictObject({
      main_branches: z
        .array(z.string().min(1))
        .default(['main', 'master'])
        .meta({ description: 'Branches that map to main_env instead of an environment of their own.' }),
      main_env: envNameSchema.optional().meta({ description: 'Environment for the main branches (default: default_parent).' }),
      auto_create: z.boolean().default(false).meta({ description: 'Create the environment of a checked-out branch when it does not exist.' }),
      parent: envNameSchema.optional().meta({ description: 'Parent of environments created for branches (default: default_parent).' }),
      remote: z.string().min(1).default('origin').meta({ description: 'Remote whose branches decide what `gc --gone` deletes.' }),
    })
    .optional()
    .meta({ description: 'Environments that follow git branches (fork-stack hook install).' }),
  lifecycle: z
    .strictObject({
      default_ttl: z
        .string()
        .regex(DURATION_PATTERN, 'must be a duration such as "7d", "12h" or "2w"')
        .optional()
        .meta({ description: 'Time to live of new environments unless create --ttl says otherwise; gc --expired deletes them after it.' }),
      max_envs: z.number().int().min(1).optional().meta({ description: 'Most environments (roots excluded) that may exist at once; create refuses beyond it.' }),
    })
    .optional()
    .meta({ description: 'Expiry and limits.' }),
  hooks: z
    .strictObject({
      after_create: hookList('after every resource of a new environment is ready, before `create` reports success (migrations, seeds)'),
      after_reset: hookList('after `reset` made the environment a fresh fork again'),
      before_delete: hookList('before `delete` removes anything (exports, audits); a failure stops the delete'),
      after_switch: hookList('after `switch` made an environment current'),
    })
    .optional()
    .meta({ description: 'Shell commands run at points of an environment\'s life, in order, each like an npm script (see docs/hooks.md).' }),
  contract: z
    .string()
    .regex(/^\d+(\.\d+)?$/)
    .optional()
    .meta({ description: 'Variables-contract version this project expects (see docs/versioning.md).' }),
});

export type TopLevelConfig = z.infer<typeof topLevelSchema>;

/** Keys that hold provider sections, which the top-level schema does not describe. */
export const SECTION_KEYS = ['database', 'storage', 'secrets', 'cache', 'queue'] as const;

/** Names of `[storage.<name>]` tables become BUCKET_<NAME>; keep them to what makes a variable name. */
export const BUCKET_KEY_PATTERN = /^[a-z][a-z0-9_-]*$/;

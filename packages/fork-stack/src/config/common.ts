/**
 * Section keys that belong to the engine rather than to a provider: `default` on a bucket, the secrets
 * copy policy. They are taken out of a section before the provider's own schema sees it, so every
 * provider of a kind honours them the same way.
 */
import { z } from 'zod';
import { DATA_MODES, type DataMode, type Kind } from '../providers/types.js';
import { parseStrategy, parseTarget, STRATEGY_NAMES } from '../providers/database/mask/strategies.js';
import { envNameSchema } from '../core/config-schema.js';

const keyPattern = z.string().min(1).regex(/^[A-Za-z0-9_*?]+$/, 'is a key or a pattern with * and ?, e.g. "STRIPE_*"');

// No default here: a per-parent override that leaves `copy` out must inherit the section's `copy`, not
// reset it to "all" (zod applies an inner default even under .optional()).
const copyValue = z.union([z.enum(['all', 'none']), z.array(keyPattern).min(1, 'lists at least one key; use "none" to copy nothing')]);
const COPY_DESCRIPTION = 'Which of the parent\'s secrets a new environment gets: "all", "none" or a list of keys/patterns.';

const excludeList = z.array(keyPattern).meta({
  description: 'Keys (patterns with * and ?) never copied from the parent, e.g. ["STRIPE_LIVE_*"]. Always wins over copy.',
  examples: [['STRIPE_*', 'SENDGRID_API_KEY']],
});

const parentOverride = z
  .strictObject({
    copy: copyValue.optional().meta({ description: `${COPY_DESCRIPTION} Default: the section's copy.` }),
    exclude: excludeList.optional().meta({ description: 'Added to the section\'s exclude for forks of this parent.' }),
  })
  .meta({ description: 'Copy policy for forks of one parent environment.' });

export const secretsCommonSchema = z.object({
  copy: copyValue.default('all').meta({ description: COPY_DESCRIPTION }),
  exclude: excludeList.default([]),
  keep_on_delete: z.boolean().default(false).meta({ description: 'Keep the environment\'s secrets when it is deleted.' }),
  from: z
    .record(envNameSchema, parentOverride)
    .default({})
    .meta({ description: 'Per-parent overrides of copy/exclude, e.g. [secrets.from.prod] copy = "none".' }),
  seed_file: z
    .string()
    .min(1)
    .optional()
    .meta({
      description:
        'A dotenv file of non-secret defaults (relative to the project root) written into the secrets of a root `init` creates; a key that exists is never overwritten.',
      examples: ['seed/secrets.env'],
    }),
});

export const storageCommonSchema = z.object({
  default: z.boolean().optional().meta({ description: 'This bucket is the default one (BUCKET_NAME).' }),
  seed_dir: z
    .string()
    .min(1)
    .optional()
    .meta({
      description: 'A directory (relative to the project root) whose files, recursively, are copied as objects into a bucket that starts empty: a root made by `init`.',
      examples: ['seed/uploads'],
    }),
  seed_with_data_mode: z
    .boolean()
    .default(false)
    .meta({ description: 'Also seed the bucket of an environment created with a [database] data mode other than "full" (schema-only, masked). Reserved: it takes effect with the data modes (docs/backends/storage.md#seeds).' }),
});

const empty = z.object({});

const maskStrategy = z.string().refine((t) => parseStrategy(t) !== undefined, {
  message: `must be one of ${STRATEGY_NAMES.map((n) => `"${n}"`).join(', ')}`,
});

export const databaseCommonSchema = z.object({
  data: z
    .enum(DATA_MODES as [DataMode, ...DataMode[]])
    .default('full')
    .meta({ description: 'What data a new environment\'s database gets: "full" (a copy), "schema-only" (no rows) or "masked" (the [database.mask] rules applied). See docs/data-modes.md.' }),
  mask: z
    .record(z.string(), maskStrategy)
    .superRefine((rules, ctx) => {
      // Checked here rather than as the record's key schema, whose error would not say what is wrong.
      for (const target of Object.keys(rules)) {
        if (!parseTarget(target)) ctx.addIssue({ code: 'custom', path: [target], message: 'must be "table.column" (or "schema.table.column"), e.g. "users.email"' });
      }
    })
    .default({})
    .meta({ description: 'Masking rules for data = "masked": "table.column" = strategy (email, name, phone, null, hash, redact, fixed:<value>).', examples: [{ 'users.email': 'email' }] }),
});

export type DatabaseCommon = z.infer<typeof databaseCommonSchema>;

export const commonSchemas: Record<Kind, z.ZodObject> = {
  database: databaseCommonSchema,
  storage: storageCommonSchema,
  secrets: secretsCommonSchema,
  cache: empty,
  queue: empty,
};

export type SecretsCommon = z.infer<typeof secretsCommonSchema>;

export const COMMON_EXAMPLES: Record<string, string> = {
  default: 'default = true',
  copy: 'copy = "all"',
  exclude: 'exclude = ["STRIPE_*"]',
  keep_on_delete: 'keep_on_delete = false',
  from: '[secrets.from.prod] copy = "none"',
  seed_file: 'seed_file = "seed/secrets.env"',
  seed_dir: 'seed_dir = "seed/uploads"',
  seed_with_data_mode: 'seed_with_data_mode = true',
  data: 'data = "masked"',
  mask: '[database.mask] "users.email" = "email"',
};

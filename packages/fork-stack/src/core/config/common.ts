/**
 * Section keys that belong to the engine rather than to a provider: `default` on a bucket, the secrets
 * copy policy. They are taken out of a section before the provider's own schema sees it, so every
 * provider of a kind honours them the same way.
 */
import { z } from 'zod';
import type { Kind } from '../../providers/types.js';

const keyPattern = z.string().min(1).regex(/^[A-Za-z0-9_*?]+$/, 'is a key or a pattern with * and ?, e.g. "STRIPE_*"');

const copyPolicy = z
  .union([z.enum(['all', 'none']), z.array(z.string().min(1))])
  .default('all')
  .meta({ description: 'Which of the parent\'s secrets a new environment gets: "all", "none" or a list of keys/patterns.' });

export const secretsCommonSchema = z.object({
  copy: copyPolicy,
  exclude: z.array(keyPattern).default([]).meta({
    description: 'Keys (patterns with * and ?) never copied from the parent, e.g. ["STRIPE_LIVE_*"].',
    examples: [['STRIPE_*', 'SENDGRID_API_KEY']],
  }),
  keep_on_delete: z.boolean().default(false).meta({ description: 'Keep the environment\'s secrets when it is deleted.' }),
  from: z
    .record(z.string(), z.object({ copy: copyPolicy.optional(), exclude: z.array(keyPattern).optional() }))
    .default({})
    .meta({ description: 'Per-parent overrides of copy/exclude, e.g. [secrets.from.prod] copy = "none".' }),
});

export const storageCommonSchema = z.object({
  default: z.boolean().optional().meta({ description: 'This bucket is the default one (BUCKET_NAME).' }),
});

const empty = z.object({});

export const commonSchemas: Record<Kind, z.ZodObject> = {
  database: empty,
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
};

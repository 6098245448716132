import { z } from 'zod';
import { nameOverrides } from '../../core/config-schema.js';

/** Doppler config names: lower-case letters, digits, "_" and "-" (root configs are environment slugs). */
export const CONFIG_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;

export const schema = z.strictObject({
  project: z
    .string()
    .min(1)
    .regex(/^[a-z0-9][a-z0-9_-]*$/, 'is a Doppler project slug: lower-case letters, digits, "-" and "_"')
    .optional()
    .meta({ description: 'Doppler project (slug). Default: the fork-stack project name.', examples: ['myapp'] }),
  names: nameOverrides
    .refine((names) => Object.values(names).every((n) => CONFIG_NAME_PATTERN.test(n)), {
      message: 'config names are lower-case letters, digits, "_" and "-", e.g. dev or prd',
    })
    .meta({
      description:
        'Doppler config of particular environments. Defaults: dev = "dev", prod = "prd" (the root configs) for roots and protected environments. Others are branch configs <environment>_<env>.',
      examples: [{ dev: 'dev', prod: 'prd' }],
    }),
});

export type DopplerOptions = z.infer<typeof schema>;

export const example = `# project = "myapp"                        # Doppler project (default: the fork-stack project name)
# names = { dev = "dev", prod = "prd" }    # root configs; forks are branch configs such as dev_alice
# exclude = ["STRIPE_LIVE_*"]              # keys never copied to a new environment`;

export const credentials = ['DOPPLER_TOKEN'] as const;

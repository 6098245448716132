import { z } from 'zod';
import { envNameSchema, nameOverrides, namePattern } from '../../core/config-schema.js';

export const DEFAULT_NAME = '{env}';

export const schema = z.strictObject({
  name: namePattern(DEFAULT_NAME)
    .default(DEFAULT_NAME)
    .meta({ description: 'Inngest branch environment per fork-stack environment (INNGEST_ENV), e.g. "{project}-{env}".' }),
  names: nameOverrides.meta({ description: 'Explicit Inngest environment names, e.g. { staging = "staging" } for a custom environment.' }),
  production: z
    .array(envNameSchema)
    .default(['prod'])
    .meta({ description: "Environments that use Inngest's production environment: INNGEST_ENV is not set for them (the keys select production)." }),
  keys_from_env: z
    .boolean()
    .default(false)
    .meta({
      description:
        'Write INNGEST_EVENT_KEY and INNGEST_SIGNING_KEY (and INNGEST_SIGNING_KEY_FALLBACK when set) from your shell into every environment. Leave false when your secrets provider already holds them.',
    }),
});

export type InngestOptions = z.infer<typeof schema>;

export const example = `# name = "${DEFAULT_NAME}"        # INNGEST_ENV: Inngest creates the branch environment on first use
# keys_from_env = false   # true: copy INNGEST_EVENT_KEY / INNGEST_SIGNING_KEY from your shell into each environment`;

export const credentials = ['INNGEST_EVENT_KEY', 'INNGEST_SIGNING_KEY'] as const;

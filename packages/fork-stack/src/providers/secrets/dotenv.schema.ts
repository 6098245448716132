import { z } from 'zod';
import { nameOverrides, namePattern } from '../../core/config-schema.js';

export const DEFAULT_PATH = '.fork-stack/secrets/{env}.env';

export const schema = z.strictObject({
  path: namePattern(DEFAULT_PATH)
    .refine((p) => !/\{env\}/.test(p.split('/').slice(0, -1).join('/')), { message: 'must have {env} in the file name, not in a directory' })
    .default(DEFAULT_PATH)
    .meta({ description: 'Secrets file per environment (mode 0600), relative to the project root.' }),
  names: nameOverrides,
});

export type DotenvOptions = z.infer<typeof schema>;

export const example = `# path = "${DEFAULT_PATH}"   # one dotenv file of secrets per environment (mode 0600)
# exclude = ["STRIPE_LIVE_*"]              # keys never copied to a new environment`;

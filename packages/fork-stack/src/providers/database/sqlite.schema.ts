import { z } from 'zod';
import { nameOverrides, namePattern } from '../../core/config-schema.js';

export const DEFAULT_PATH = '.fork-stack/data/{project}.{env}.db';

export const schema = z.strictObject({
  path: namePattern(DEFAULT_PATH)
    .refine((p) => !/\{env\}/.test(p.split('/').slice(0, -1).join('/')), { message: 'must have {env} in the file name, not in a directory' })
    .default(DEFAULT_PATH)
    .meta({ description: 'Database file per environment, relative to the project root.' }),
  names: nameOverrides,
  busy_timeout_ms: z
    .number()
    .int()
    .min(0)
    .default(10_000)
    .meta({ description: 'How long a fork waits for a writer of the parent to commit before taking its snapshot.' }),
});

export type SqliteOptions = z.infer<typeof schema>;

export const example = `# path = "${DEFAULT_PATH}"   # one SQLite/libSQL file per environment`;

import { z } from 'zod';
import { nameOverrides, namePattern } from '../../core/config-schema.js';
import { DEFAULT_SQLITE_PATH } from '../../runtime/conventions.generated.js';

/** The readers rely on this option name and default: conformance/v1/conventions.json (docs/architecture.md, "Conventions as data"). */
export const DEFAULT_PATH = DEFAULT_SQLITE_PATH;

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
